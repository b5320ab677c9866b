package org.mailroom.smtp.policy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;

/**
 * Which recursive DNS servers the DNSBL and SPF checks ask, and how long one query may take. No servers = the
 * system's resolvers as dnsjava reads them ({@code /etc/resolv.conf}, or the {@code dns.server} system property).
 */
public record DnsSettings(List<InetSocketAddress> servers, Duration timeout) {

    public DnsSettings {
        servers = List.copyOf(Objects.requireNonNull(servers, "servers"));
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("DNS timeout must be positive: " + timeout);
        }
    }

    /** The system resolvers, 2 seconds per query. */
    public static DnsSettings systemDefault() {
        return new DnsSettings(List.of(), Duration.ofSeconds(2));
    }

    public static DnsSettings of(InetSocketAddress server, Duration timeout) {
        return new DnsSettings(List.of(server), timeout);
    }

    /** A dnsjava resolver for these settings (a new one each call; resolvers are thread-safe and may be shared). */
    public Resolver resolver() {
        if (servers.size() == 1) {
            SimpleResolver simple = new SimpleResolver(servers.get(0));
            simple.setTimeout(timeout);
            return simple;
        }
        ExtendedResolver extended = servers.isEmpty() ? new ExtendedResolver()
            : new ExtendedResolver(servers.stream().<Resolver>map(SimpleResolver::new).toList());
        extended.setTimeout(timeout);
        extended.setRetries(1);
        return extended;
    }
}
