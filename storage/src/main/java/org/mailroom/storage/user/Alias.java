package org.mailroom.storage.user;

/**
 * One alias row: mail to {@code address} (a full address, or {@code @domain} for a catch-all) is delivered to
 * the local user {@code target}.
 */
public record Alias(String address, String target) {
}
