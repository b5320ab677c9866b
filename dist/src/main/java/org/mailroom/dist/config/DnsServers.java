package org.mailroom.dist.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/** Reads a resolver written as an IP address with an optional port ({@code 127.0.0.1}, {@code 10.0.0.53:5353}, {@code [::1]:53}). */
public final class DnsServers {
    private static final int DNS_PORT = 53;

    private DnsServers() {
    }

    /** The address, or empty when the text is not an IP literal (host names are refused: resolving them needs DNS). */
    public static Optional<InetSocketAddress> parse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String host = text.trim();
        int port = DNS_PORT;
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            if (end < 0) {
                return Optional.empty();
            }
            String rest = host.substring(end + 1);
            host = host.substring(1, end);
            if (rest.startsWith(":")) {
                port = parsePort(rest.substring(1));
            } else if (!rest.isEmpty()) {
                return Optional.empty();
            }
        } else if (host.indexOf(':') == host.lastIndexOf(':') && host.contains(":")) {
            port = parsePort(host.substring(host.indexOf(':') + 1));
            host = host.substring(0, host.indexOf(':'));
        }
        if (port < 1 || port > 65535 || !host.matches("[0-9a-fA-F.:]+")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static int parsePort(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
