package org.mailroom.dist.control;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** Sends one admin command line to the running server's {@link AdminEndpoint} and returns its reply. */
public final class AdminClient {
    private static final Duration CONNECT = Duration.ofSeconds(5);
    /** Imports of large mailboxes run inside the request; a stuck server still ends the wait eventually. */
    private static final Duration COMMAND = Duration.ofHours(2);

    private AdminClient() {
    }

    /**
     * The reply, or empty when nothing listens on the endpoint's port (a stale file whose process id was reused):
     * the caller then opens the store itself, and the store's own lock decides.
     */
    public static Optional<AdminReply> send(AdminEndpointFile endpoint, AdminRequest request) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT).build();
        try {
            HttpRequest http = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + AdminEndpoint.PATH))
                .timeout(COMMAND)
                .header("Authorization", "Bearer " + endpoint.token())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(AdminEndpoint.JSON.writeValueAsBytes(request)))
                .build();
            HttpResponse<byte[]> response = client.send(http, HttpResponse.BodyHandlers.ofByteArray());
            return Optional.of(AdminEndpoint.JSON.readValue(response.body(), AdminReply.class));
        } catch (ConnectException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ControlException("the running server (process " + endpoint.pid() + ") did not answer the admin"
                + " command: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlException("interrupted while waiting for the running server");
        }
    }
}
