package org.mailroom.dist.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The running server's admin endpoint: {@code POST /admin/run} on 127.0.0.1 (any free port, never the configured
 * bind address, so it is not reachable from the network even when the server listens on 0.0.0.0), with the token
 * of {@link AdminEndpointFile} as a bearer token. It runs the forwarded command line with the same command tree
 * as the {@code mailroom} command, one command at a time, and returns what it printed.
 */
public final class AdminEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminEndpoint.class);
    static final String PATH = "/admin/run";
    private static final int MAX_REQUEST = 1024 * 1024;
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final AdminEndpointFile file;
    private final Path dataDirectory;

    private AdminEndpoint(HttpServer server, ExecutorService executor, AdminEndpointFile file, Path dataDirectory) {
        this.server = server;
        this.executor = executor;
        this.file = file;
        this.dataDirectory = dataDirectory;
    }

    /** Listens on loopback, then publishes the port and a new token in {@code dataDirectory}. */
    public static AdminEndpoint start(Path dataDirectory, Function<AdminRequest, AdminReply> commands) {
        org.mailroom.dist.http.HttpLimits.apply();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the admin endpoint on loopback: " + e.getMessage(), e);
        }
        AdminEndpointFile file = AdminEndpointFile.create(server.getAddress().getPort());
        ExecutorService executor = org.mailroom.dist.http.HttpLimits.executor("mailroom-admin");
        Object oneCommandAtATime = new Object();
        server.createContext(PATH, exchange -> handle(exchange, file, commands, oneCommandAtATime));
        server.setExecutor(executor);
        server.start();
        try {
            file.write(dataDirectory);
        } catch (RuntimeException e) {
            server.stop(0);
            executor.shutdownNow();
            throw e;
        }
        return new AdminEndpoint(server, executor, file, dataDirectory);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void handle(HttpExchange exchange, AdminEndpointFile file, Function<AdminRequest, AdminReply> commands,
                               Object oneCommandAtATime) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, new AdminReply(2, "", "use POST\n"));
                return;
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            byte[] expected = ("Bearer " + file.token()).getBytes(StandardCharsets.US_ASCII);
            byte[] given = authorization == null ? new byte[0] : authorization.getBytes(StandardCharsets.US_ASCII);
            if (!MessageDigest.isEqual(expected, given)) {
                LOG.warn("admin endpoint: request without the right token refused");
                reply(exchange, 401, new AdminReply(4, "", "the admin token is wrong\n"));
                return;
            }
            AdminRequest request;
            try (InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readNBytes(MAX_REQUEST + 1);
                if (body.length > MAX_REQUEST) {
                    reply(exchange, 413, new AdminReply(2, "", "the admin request is too large\n"));
                    return;
                }
                request = JSON.readValue(body, AdminRequest.class);
            } catch (IOException e) {
                reply(exchange, 400, new AdminReply(2, "", "the admin request is not valid: " + e.getMessage() + "\n"));
                return;
            }
            if (request.args() == null || request.args().isEmpty()) {
                reply(exchange, 400, new AdminReply(2, "", "the admin request has no command line\n"));
                return;
            }
            AdminReply result;
            // One command at a time, so an operator's two terminals see a simple order; requests are read at once
            // (HttpLimits.executor), and a command waits here, where the JDK's request timer no longer applies.
            synchronized (oneCommandAtATime) {
                result = run(commands, request);
            }
            reply(exchange, 200, result);
        }
    }

    private static AdminReply run(Function<AdminRequest, AdminReply> commands, AdminRequest request) {
        try {
            return commands.apply(request);
        } catch (RuntimeException e) {
            // A bug in one command must not stop the endpoint: the caller gets the message, the log the trace.
            LOG.error("admin command {} failed", request.args(), e);
            return new AdminReply(70, "", "the server failed to run the command: " + e + "\n");
        }
    }

    private static void reply(HttpExchange exchange, int status, AdminReply reply) throws IOException {
        byte[] body = JSON.writeValueAsBytes(reply);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        file.delete(dataDirectory);
        server.stop(0);
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "admin endpoint on 127.0.0.1:" + port();
    }
}
