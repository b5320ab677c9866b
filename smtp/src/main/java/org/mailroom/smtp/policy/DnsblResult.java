package org.mailroom.smtp.policy;

import java.util.List;
import java.util.Objects;

/**
 * One block list that lists the client: the zone, what Mailroom did about it, the list's return codes
 * ({@code 127.0.0.x}, which say why on most lists) and its TXT text (or the zone's default reason).
 */
public record DnsblResult(String zone, DnsblZone.Action action, List<String> codes, String reason) {

    public DnsblResult {
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(action, "action");
        codes = List.copyOf(codes);
        Objects.requireNonNull(reason, "reason");
    }
}
