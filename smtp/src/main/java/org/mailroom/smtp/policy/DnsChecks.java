package org.mailroom.smtp.policy;

import java.util.List;
import java.util.Objects;

/**
 * The DNS-based checks of the inbound listener: block lists asked at RCPT ({@link DnsblCheck}; default none), SPF
 * of the envelope sender at MAIL ({@link SpfCheck}; default on, never rejects — it only records the result and adds
 * a {@code Received-SPF:} header), and the resolver they use. Submission listeners run neither.
 *
 * @param lookupLocalClients check clients on loopback and private addresses too; those are always skipped
 *                           otherwise (no list or SPF record speaks about them). Only tests set this, because
 *                           their clients connect from 127.0.0.1.
 */
public record DnsChecks(List<DnsblZone> dnsbl, boolean spf, DnsSettings dns, boolean lookupLocalClients) {

    public DnsChecks {
        dnsbl = List.copyOf(Objects.requireNonNull(dnsbl, "dnsbl"));
        Objects.requireNonNull(dns, "dns");
    }

    /** No block lists, SPF recorded, the system resolvers with a 2 s timeout. */
    public static DnsChecks defaults() {
        return new DnsChecks(List.of(), true, DnsSettings.systemDefault(), false);
    }

    public DnsChecks withDnsbl(List<DnsblZone> zones) {
        return new DnsChecks(zones, spf, dns, lookupLocalClients);
    }

    public DnsChecks withSpf(boolean enabled) {
        return new DnsChecks(dnsbl, enabled, dns, lookupLocalClients);
    }

    public DnsChecks withDns(DnsSettings settings) {
        return new DnsChecks(dnsbl, spf, settings, lookupLocalClients);
    }

    /** For tests only: see {@link #lookupLocalClients}. */
    public DnsChecks withLookupLocalClients(boolean lookup) {
        return new DnsChecks(dnsbl, spf, dns, lookup);
    }
}
