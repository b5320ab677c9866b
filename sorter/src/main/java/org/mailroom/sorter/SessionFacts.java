package org.mailroom.sorter;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the SMTP service observed about the connection that brought the message (free of SMTP library types).
 *
 * @param clientAddress the client's IP address as text, empty for locally generated mail (bounces, imports)
 * @param helo          the HELO/EHLO name given
 * @param tls           whether the session was encrypted
 * @param authenticated whether the client authenticated (submission)
 * @param dnsblZones    the block-list zones that list the client (empty when none or not checked)
 * @param spf           the SPF result in RFC 7208 words ({@code pass}, {@code fail}, {@code softfail},
 *                      {@code neutral}, {@code none}, {@code temperror}, {@code permerror}); empty when not checked
 */
public record SessionFacts(Optional<String> clientAddress, Optional<String> helo, boolean tls, boolean authenticated,
                           List<String> dnsblZones, Optional<String> spf) {

    public SessionFacts {
        Objects.requireNonNull(clientAddress, "clientAddress");
        Objects.requireNonNull(helo, "helo");
        dnsblZones = List.copyOf(dnsblZones);
        Objects.requireNonNull(spf, "spf");
    }

    /** Facts for mail that did not come over SMTP (an imported file, a message being explained, a test). */
    public static SessionFacts none() {
        return new SessionFacts(Optional.empty(), Optional.empty(), false, false, List.of(), Optional.empty());
    }
}
