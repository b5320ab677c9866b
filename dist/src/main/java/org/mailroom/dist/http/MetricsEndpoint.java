package org.mailroom.dist.http;

import java.io.IOException;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** {@code GET /metrics}: every meter of the server in the Prometheus text exposition format. */
final class MetricsEndpoint implements HttpHandler {
    private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    MetricsEndpoint(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (HttpReplies.allow(exchange, "GET", "HEAD")) {
            HttpReplies.send(exchange, 200, TEXT_FORMAT, registry.scrape());
        }
    }
}
