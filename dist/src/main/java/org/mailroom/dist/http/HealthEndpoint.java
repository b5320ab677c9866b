package org.mailroom.dist.http;

import java.io.IOException;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * {@code GET /healthz}: 200 "ok" while the process serves. It is only registered once every listener and the
 * store are up, so an answer means the server finished starting.
 */
final class HealthEndpoint implements HttpHandler {
    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (HttpReplies.allow(exchange, "GET", "HEAD")) {
            HttpReplies.text(exchange, 200, "ok");
        }
    }
}
