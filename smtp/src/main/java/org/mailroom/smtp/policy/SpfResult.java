package org.mailroom.smtp.policy;

import java.util.Locale;
import java.util.Objects;

/**
 * The outcome of one SPF evaluation (RFC 7208): the result, for which identity and domain, and — for the
 * {@code Received-SPF:} header and the logs — the mechanism that matched or the problem met.
 *
 * @param identity {@code mailfrom} or {@code helo} (RFC 7208 section 9.1)
 * @param sender   the address checked: the MAIL FROM address, or {@code postmaster@<helo>} for the null sender
 * @param mechanism the matching mechanism as written (e.g. {@code ip4:192.0.2.0/24}), or null
 * @param problem  why the result is temperror/permerror, or null
 */
public record SpfResult(Result result, String identity, String domain, String sender, String clientIp, String helo,
                        String mechanism, String problem) {

    public enum Result {
        NONE, NEUTRAL, PASS, FAIL, SOFTFAIL, TEMPERROR, PERMERROR;

        /** The lower-case name used in headers. */
        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public SpfResult {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(clientIp, "clientIp");
        Objects.requireNonNull(helo, "helo");
    }
}
