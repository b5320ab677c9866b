package org.mailroom.dist.config;

import java.util.List;

/**
 * The {@code smtp} section: the port where other servers deliver mail to this one (the MX listener), the checks
 * made on those deliveries (SPF of the envelope sender, DNS block lists), and the limits and worker threads of
 * every SMTP listener (MX and submission alike).
 */
public record SmtpConfig(Integer port, Boolean spf, List<DnsblEntry> dnsbl, Integer maxRecipients,
                         Integer maxConnectionsPerIp, Integer maxBadCommands, TimeSpan idleTimeout,
                         Integer workers) {
    public SmtpConfig {
        port = port != null ? port : 2525;
        spf = spf != null ? spf : Boolean.TRUE;
        dnsbl = dnsbl != null ? List.copyOf(dnsbl) : List.of();
        maxRecipients = maxRecipients != null ? maxRecipients : 100;
        maxConnectionsPerIp = maxConnectionsPerIp != null ? maxConnectionsPerIp : 20;
        maxBadCommands = maxBadCommands != null ? maxBadCommands : 10;
        // RFC 5321 4.5.3.2 asks for at least 5 minutes of patience per command and DATA block.
        idleTimeout = idleTimeout != null ? idleTimeout : TimeSpan.parse("5m");
        workers = workers != null ? workers : 16;
    }

    /** Every key at its default. */
    static SmtpConfig defaults() {
        return new SmtpConfig(null, null, null, null, null, null, null, null);
    }

    /** One block list: its DNS zone and what a listing does ({@code reject} at RCPT, or only {@code score}). */
    public record DnsblEntry(String zone, String action) {
    }
}
