package org.mailroom.smtp.policy;

import java.util.Locale;
import java.util.Objects;

/**
 * One DNS block list the inbound listener asks about each unauthenticated client, and what a listing means.
 *
 * <p>Example — Spamhaus ZEN, refusing listed clients (free only for low-volume, non-commercial use, and Spamhaus
 * refuses queries that come through large public resolvers such as 8.8.8.8: point {@link DnsSettings} at your own
 * recursive resolver, e.g. a local unbound):
 * <pre>{@code
 * settings.withDnsChecks(DnsChecks.defaults().withDnsbl(List.of(
 *     DnsblZone.reject("zen.spamhaus.org"))))
 * }</pre>
 * A list you trust less can be {@link #score scored} instead: the client is accepted and the listing is handed to
 * the sorter ({@link SessionVerdicts}).
 */
public record DnsblZone(String zone, Action action, String defaultReason) {

    public enum Action {
        /** 554 5.7.1 at RCPT, with the list's TXT text. */
        REJECT,
        /** Accept; record the listing for the sorter. */
        SCORE
    }

    public DnsblZone {
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(defaultReason, "defaultReason");
        zone = zone.toLowerCase(Locale.ROOT);
        while (zone.endsWith(".")) {
            zone = zone.substring(0, zone.length() - 1);
        }
        if (zone.isEmpty() || zone.startsWith(".") || zone.contains("..")) {
            throw new IllegalArgumentException("bad DNSBL zone: " + zone);
        }
    }

    public static DnsblZone reject(String zone) {
        return new DnsblZone(zone, Action.REJECT, "client address listed");
    }

    public static DnsblZone score(String zone) {
        return new DnsblZone(zone, Action.SCORE, "client address listed");
    }
}
