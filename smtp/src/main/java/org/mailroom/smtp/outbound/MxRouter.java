package org.mailroom.smtp.outbound;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

import org.mailroom.smtp.policy.DnsClient;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Finds where mail for a domain goes (RFC 5321 5.1): its MX hosts in preference order, shuffled among equal
 * preferences so load spreads; no MX records = the domain itself (its A/AAAA records); a null MX (RFC 7505, a
 * single MX of "."), a domain that does not exist, or one with neither MX nor address records = nowhere, for
 * good. DNS trouble (timeouts, SERVFAIL) and CNAME chains that loop or run too long are temporary.
 */
public final class MxRouter {

    private static final int MAX_CNAME_HOPS = 8;

    /** Where a domain's mail goes. */
    public sealed interface Route permits Hosts, Nowhere, DnsTrouble {
    }

    /** The host names to try, in order. */
    public record Hosts(List<String> names) implements Route {
    }

    /** The domain accepts no mail, permanently: bounce with this status and text. */
    public record Nowhere(String status, String text) implements Route {
    }

    /** DNS did not answer well enough to decide; try again later. */
    public record DnsTrouble(String text) implements Route {
    }

    /** A host's addresses, or why it has none (then the next host is tried). */
    public record HostAddresses(List<InetAddress> addresses, String problem) {
    }

    private final DnsClient dns;
    private final Random random;

    public MxRouter(DnsClient dns, Random random) {
        this.dns = Objects.requireNonNull(dns, "dns");
        this.random = Objects.requireNonNull(random, "random");
    }

    public Route route(String domain) {
        Name name;
        try {
            name = Name.fromString(domain.endsWith(".") ? domain : domain + ".");
        } catch (TextParseException e) {
            return new Nowhere("5.1.2", "bad destination domain " + domain + ": " + e.getMessage());
        }
        Lookup mx;
        try {
            mx = lookup(name, Type.MX);
        } catch (DnsClient.DnsFailure | CnameTrouble e) {
            return new DnsTrouble("MX lookup for " + domain + " failed: " + e.getMessage());
        }
        if (mx.nxdomain()) {
            return new Nowhere("5.1.2", "domain " + domain + " does not exist");
        }
        if (mx.records().isEmpty()) {
            // No MX: the domain itself is the mail host (implicit MX), if it has an address at all.
            HostAddresses own = addresses(domain);
            if (own.addresses().isEmpty() && own.problem().startsWith("no address")) {
                return new Nowhere("5.1.2", "domain " + domain + " has no MX and no address records");
            }
            if (own.addresses().isEmpty() && own.problem().startsWith("DNS")) {
                return new DnsTrouble(own.problem());
            }
            return new Hosts(List.of(domain));
        }
        List<MXRecord> records = mx.records().stream().map(MXRecord.class::cast).toList();
        if (records.size() == 1 && records.get(0).getTarget().equals(Name.root)) {
            return new Nowhere("5.1.10", "domain " + domain + " accepts no mail (null MX, RFC 7505)");
        }
        Map<Integer, List<String>> byPreference = new java.util.TreeMap<>();
        for (MXRecord record : records) {
            if (record.getTarget().equals(Name.root)) {
                continue;
            }
            byPreference.computeIfAbsent(record.getPriority(), p -> new ArrayList<>())
                .add(record.getTarget().toString(true));
        }
        List<String> ordered = new ArrayList<>();
        for (List<String> equal : byPreference.values()) {
            Collections.shuffle(equal, random);
            for (String host : equal) {
                if (!ordered.contains(host)) {
                    ordered.add(host);
                }
            }
        }
        return new Hosts(ordered);
    }

    /** IPv4 addresses first, then IPv6; a failure of one family does not hide the other. */
    public HostAddresses addresses(String host) {
        Name name;
        try {
            name = Name.fromString(host.endsWith(".") ? host : host + ".");
        } catch (TextParseException e) {
            return new HostAddresses(List.of(), "bad host name " + host);
        }
        List<InetAddress> addresses = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        boolean nxdomain = false;
        for (int type : new int[] {Type.A, Type.AAAA}) {
            try {
                Lookup lookup = lookup(name, type);
                nxdomain |= lookup.nxdomain();
                for (Record record : lookup.records()) {
                    addresses.add(record instanceof ARecord a ? a.getAddress() : ((AAAARecord) record).getAddress());
                }
            } catch (DnsClient.DnsFailure | CnameTrouble e) {
                problems.add(e.getMessage());
            }
        }
        if (!addresses.isEmpty()) {
            return new HostAddresses(addresses, "");
        }
        if (!problems.isEmpty()) {
            return new HostAddresses(List.of(), "DNS lookup of " + host + " failed: " + String.join("; ", problems));
        }
        return new HostAddresses(List.of(), "no address for " + host + (nxdomain ? " (no such host)" : ""));
    }

    private record Lookup(boolean nxdomain, List<Record> records) {
    }

    /** A CNAME chain that loops or is longer than any sane zone needs. */
    private static final class CnameTrouble extends Exception {
        CnameTrouble(String message) {
            super(message);
        }
    }

    /**
     * Asks for {@code type}, following CNAMEs itself: an authoritative or forwarding server answers a name that is
     * an alias with the CNAME alone.
     */
    private Lookup lookup(Name name, int type) throws DnsClient.DnsFailure, CnameTrouble {
        Set<Name> seen = new HashSet<>();
        Name current = name;
        for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
            if (!seen.add(current)) {
                throw new CnameTrouble("CNAME loop at " + current);
            }
            DnsClient.Answer answer = dns.query(current, type);
            if (!answer.isEmpty() || answer.nxdomain()) {
                return new Lookup(answer.nxdomain(), answer.records());
            }
            DnsClient.Answer alias = dns.query(current, Type.CNAME);
            if (alias.isEmpty()) {
                return new Lookup(false, List.of());
            }
            current = ((CNAMERecord) alias.records().get(0)).getTarget();
        }
        throw new CnameTrouble("CNAME chain from " + name + " longer than " + MAX_CNAME_HOPS);
    }
}
