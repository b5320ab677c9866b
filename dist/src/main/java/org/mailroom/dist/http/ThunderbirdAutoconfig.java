package org.mailroom.dist.http;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * Thunderbird's autoconfiguration file (config-v1.1, also read by K-9/Thunderbird for Android, Evolution and
 * others), served at {@code /.well-known/autoconfig/mail/config-v1.1.xml} and {@code /mail/config-v1.1.xml}.
 * The domain comes from {@code ?emailaddress=}, else from the Host header ({@code autoconfig.DOMAIN}); a domain
 * this server does not host gets 404, so the server does not advertise itself for mail it would refuse.
 */
final class ThunderbirdAutoconfig implements HttpHandler {
    static final String[] PATHS = {"/.well-known/autoconfig/mail/config-v1.1.xml", "/mail/config-v1.1.xml"};

    private final ClientSettings settings;
    private final Predicate<String> hostedDomain;

    ThunderbirdAutoconfig(ClientSettings settings, Predicate<String> hostedDomain) {
        this.settings = settings;
        this.hostedDomain = hostedDomain;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!HttpReplies.allow(exchange, "GET", "HEAD")) {
            return;
        }
        if (!exchange.getRequestURI().getPath().equals(exchange.getHttpContext().getPath())) {
            HttpReplies.text(exchange, 404, "not found");
            return;
        }
        Optional<String> address = parameter(exchange.getRequestURI().getRawQuery(), "emailaddress");
        Optional<String> domain = address.isPresent() ? domainOf(address.get()) : hostDomain(exchange);
        if (address.isPresent() && domain.isEmpty()) {
            HttpReplies.text(exchange, 400, "emailaddress must be an address such as alice@example.org");
            return;
        }
        if (domain.isEmpty() || !hostedDomain.test(domain.get())) {
            HttpReplies.text(exchange, 404, "this server hosts no mail for " + domain.orElse("this host name"));
            return;
        }
        HttpReplies.send(exchange, 200, "application/xml; charset=utf-8", document(domain.get()));
    }

    String document(String domain) {
        String d = Xml.escape(domain);
        String host = Xml.escape(settings.hostname());
        // %EMAILADDRESS% is Thunderbird's placeholder: the user name is the whole address.
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <clientConfig version="1.1">
              <emailProvider id="%1$s">
                <domain>%1$s</domain>
                <displayName>Mail for %1$s</displayName>
                <displayShortName>%1$s</displayShortName>
            %3$s%4$s%5$s%6$s  </emailProvider>
            </clientConfig>
            """.formatted(d, host,
            server("incomingServer", "imap", host, settings.imapTlsPort(), "SSL"),
            server("incomingServer", "imap", host, settings.imapStartTlsPort(), "STARTTLS"),
            server("outgoingServer", "smtp", host, settings.submissionTlsPort(), "SSL"),
            server("outgoingServer", "smtp", host, settings.submissionStartTlsPort(), "STARTTLS"));
    }

    private static String server(String element, String type, String host, int port, String socketType) {
        return """
                <%1$s type="%2$s">
                  <hostname>%3$s</hostname>
                  <port>%4$d</port>
                  <socketType>%5$s</socketType>
                  <authentication>password-cleartext</authentication>
                  <username>%%EMAILADDRESS%%</username>
                </%1$s>
            """.formatted(element, type, host, port, socketType);
    }

    static Optional<String> parameter(String rawQuery, String name) {
        if (rawQuery == null) {
            return Optional.empty();
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            if (key.equals(name)) {
                try {
                    return Optional.of(URLDecoder.decode(equals < 0 ? "" : pair.substring(equals + 1),
                        StandardCharsets.UTF_8));
                } catch (IllegalArgumentException badEscape) {
                    return Optional.of("");
                }
            }
        }
        return Optional.empty();
    }

    static Optional<String> domainOf(String address) {
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) {
            return Optional.empty();
        }
        String domain = address.substring(at + 1).strip().toLowerCase(Locale.ROOT);
        return domain.matches("[a-z0-9.-]+") ? Optional.of(domain) : Optional.empty();
    }

    private static Optional<String> hostDomain(HttpExchange exchange) {
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null) {
            return Optional.empty();
        }
        host = host.replaceFirst(":\\d+$", "").toLowerCase(Locale.ROOT);
        if (host.startsWith("autoconfig.")) {
            host = host.substring("autoconfig.".length());
        }
        return host.matches("[a-z0-9.-]+") ? Optional.of(host) : Optional.empty();
    }
}
