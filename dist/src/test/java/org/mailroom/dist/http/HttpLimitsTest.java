package org.mailroom.dist.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The HTTP port's limits, probed with raw sockets: slow clients are cut off, oversized headers refused. */
class HttpLimitsTest {
    private static HttpService http;

    @BeforeAll
    static void start() {
        http = HttpService.start(InetAddress.getLoopbackAddress(), 0,
            new ClientSettings("mail.example.org", 2993, 2143, 2465, 2587), domain -> true,
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    @AfterAll
    static void stop() {
        http.close();
    }

    @Test
    void clientsDribblingHeadersAreClosedAndDoNotStarveOthers() throws Exception {
        // More dribblers than worker threads: without the request timeout they would hold HTTP forever.
        List<Socket> slow = new ArrayList<>();
        ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int i = 0; i < 6; i++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), http.port());
                socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.US_ASCII));
                slow.add(socket);
            }
            drip.scheduleAtFixedRate(() -> slow.forEach(socket -> {
                try {
                    socket.getOutputStream().write("X".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException closed) {
                    // the server closed it: what is expected
                }
            }), 500, 500, TimeUnit.MILLISECONDS);
            long started = System.nanoTime();
            for (Socket socket : slow) {
                socket.setSoTimeout(15_000);
                assertThat(readAll(socket.getInputStream())).as("nothing answered to a request never finished")
                    .doesNotContain("200");
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            assertThat(seconds).as("closed by the request timeout, not by the test's").isLessThan(12);
            assertThat(request("GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 200").endsWith("ok\n");
        } finally {
            drip.shutdownNow();
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    @Test
    void tooManyOrTooLargeHeadersAreRefused() throws Exception {
        StringBuilder many = new StringBuilder("GET /healthz HTTP/1.1\r\nHost: a\r\n");
        for (int i = 0; i < HttpLimits.MAX_HEADERS + 10; i++) {
            many.append("X-H").append(i).append(": v\r\n");
        }
        assertThat(request(many + "Connection: close\r\n\r\n")).doesNotStartWith("HTTP/1.1 200");
        String large = "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Large: " + "a".repeat(HttpLimits.MAX_HEADER_BYTES + 1)
            + "\r\nConnection: close\r\n\r\n";
        assertThat(request(large)).doesNotStartWith("HTTP/1.1 200");
        // and a normal request right after is served
        assertThat(request("GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
    }

    private static String request(String raw) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), http.port())) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(raw.getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException refusedMidway) {
                // the server may close before reading it all
            }
            return readAll(socket.getInputStream());
        }
    }

    private static String readAll(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open past the test's patience", e);
        } catch (IOException reset) {
            // a reset is a close too
        }
        return text.toString();
    }
}
