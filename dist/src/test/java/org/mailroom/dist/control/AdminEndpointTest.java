package org.mailroom.dist.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin endpoint over real loopback HTTP, as {@code ./mailroom admin} reaches a running server. */
class AdminEndpointTest {
    @TempDir
    Path dataDirectory;

    /**
     * Commands run one at a time, so the others wait; a wait longer than the HTTP request limit (5 s) must not make
     * the server drop them unanswered (the JDK's request timer also counts the time before a thread picks a
     * connection up, which it did while the endpoint had a single thread).
     */
    @Test
    void commandsQueuedBehindASlowOneAreAllAnswered() throws Exception {
        AtomicInteger running = new AtomicInteger();
        List<Integer> overlaps = Collections.synchronizedList(new ArrayList<>());
        try (AdminEndpoint endpoint = AdminEndpoint.start(dataDirectory, request -> {
            overlaps.add(running.incrementAndGet());
            try {
                Thread.sleep(request.args().get(0).equals("slow") ? 6_500 : 100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running.decrementAndGet();
            return new AdminReply(0, "done " + request.args().get(0) + "\n", "");
        })) {
            AdminEndpointFile file = AdminEndpointFile.ofRunningServer(dataDirectory).orElseThrow();
            ExecutorService clients = Executors.newFixedThreadPool(4);
            try {
                Future<java.util.Optional<AdminReply>> slow = clients.submit(() -> AdminClient.send(file,
                    new AdminRequest(List.of("slow"), "", dataDirectory.toString())));
                Thread.sleep(300);
                List<Future<java.util.Optional<AdminReply>>> quick = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    String name = "quick" + i;
                    quick.add(clients.submit(() -> AdminClient.send(file,
                        new AdminRequest(List.of(name), "", dataDirectory.toString()))));
                }
                assertThat(slow.get(30, TimeUnit.SECONDS)).map(AdminReply::out).contains("done slow\n");
                for (int i = 0; i < 3; i++) {
                    assertThat(quick.get(i).get(30, TimeUnit.SECONDS)).map(AdminReply::out).contains("done quick" + i + "\n");
                }
            } finally {
                clients.shutdownNow();
            }
        }
        assertThat(overlaps).as("never two commands at once").containsOnly(1).hasSize(4);
    }
}
