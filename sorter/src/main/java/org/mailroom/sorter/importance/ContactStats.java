package org.mailroom.sorter.importance;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What one user's mail history says about one correspondent address.
 *
 * @param address      the correspondent, lower-cased
 * @param received     messages received from it
 * @param replied      received messages the user answered (a sent reply matched them)
 * @param sentTo       messages the user sent to it (To, Cc or Bcc)
 * @param lastReceived when the last message from it arrived
 * @param lastSent     when the user last wrote to it
 */
public record ContactStats(String address, int received, int replied, int sentTo, Optional<Instant> lastReceived,
                           Optional<Instant> lastSent) {

    public ContactStats {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(lastReceived, "lastReceived");
        Objects.requireNonNull(lastSent, "lastSent");
    }

    /** The stats of an address never seen. */
    public static ContactStats unknown(String address) {
        return new ContactStats(address, 0, 0, 0, Optional.empty(), Optional.empty());
    }

    ContactStats withReceived(Instant at) {
        return new ContactStats(address, received + 1, replied, sentTo, Optional.of(at), lastSent);
    }

    ContactStats withReply() {
        return new ContactStats(address, received, replied + 1, sentTo, lastReceived, lastSent);
    }

    ContactStats withSent(Instant at) {
        return new ContactStats(address, received, replied, sentTo + 1, lastReceived, Optional.of(at));
    }
}
