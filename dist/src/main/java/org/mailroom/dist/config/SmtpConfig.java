package org.mailroom.dist.config;

import java.util.List;

/**
 * The {@code smtp} section: the port where other servers deliver mail to this one (the MX listener), and the
 * checks made on those deliveries: SPF of the envelope sender, and DNS block lists.
 */
public record SmtpConfig(Integer port, Boolean spf, List<DnsblEntry> dnsbl) {
    public SmtpConfig {
        port = port != null ? port : 2525;
        spf = spf != null ? spf : Boolean.TRUE;
        dnsbl = dnsbl != null ? List.copyOf(dnsbl) : List.of();
    }

    /** One block list: its DNS zone and what a listing does ({@code reject} at RCPT, or only {@code score}). */
    public record DnsblEntry(String zone, String action) {
    }
}
