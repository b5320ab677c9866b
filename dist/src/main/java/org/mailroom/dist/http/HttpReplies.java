package org.mailroom.dist.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpExchange;

/** Writing a whole answer, and reading a bounded request body, for the handlers of {@link HttpService}. */
final class HttpReplies {
    private HttpReplies() {
    }

    static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static void text(HttpExchange exchange, int status, String body) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", body.endsWith("\n") ? body : body + "\n");
    }

    /** Answers 405 unless the request uses one of {@code methods}; true when it may go on. */
    static boolean allow(HttpExchange exchange, String... methods) throws IOException {
        for (String method : methods) {
            if (method.equals(exchange.getRequestMethod())) {
                return true;
            }
        }
        exchange.getResponseHeaders().set("Allow", String.join(", ", methods));
        text(exchange, 405, exchange.getRequestMethod() + " is not allowed here; use " + String.join(" or ", methods));
        return false;
    }

    /** The body, or null (after answering 413) when it is longer than {@code limit} bytes. */
    static byte[] body(HttpExchange exchange, int limit) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                text(exchange, 413, "the request body is larger than " + limit + " bytes");
                return null;
            }
            return bytes;
        }
    }
}
