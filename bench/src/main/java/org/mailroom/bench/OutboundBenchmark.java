package org.mailroom.bench;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.mailroom.smtp.outbound.OutboundService;
import org.mailroom.smtp.outbound.OutboundSettings;
import org.mailroom.smtp.outbound.OutboundSigner;
import org.mailroom.smtp.outbound.RetrySchedule;
import org.mailroom.smtp.policy.DnsClient;
import org.mailroom.smtp.policy.DnsSettings;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;
import org.mailroom.testing.TestDnsServer;

/**
 * Outbound throughput: {@code bench.messages} 4 KB messages queued (one recipient each, at a domain whose MX is
 * 127.0.0.1) by {@code bench.injectors} threads at once and delivered by the real outbound service over a real
 * embedded Derby store to an SMTP sink on {@code bench.sinkPort} (Postfix's smtp-sink, started by
 * bench/run-outbound.sh), with {@code bench.threads} messages attempted at once over at most
 * {@code bench.connections} connections. Prints key=value lines, among them the JVM's CPU time per message (a
 * figure that means something on a loaded machine, unlike the rates).
 */
public final class OutboundBenchmark {

    public static void main(String[] args) throws Exception {
        int messages = Integer.getInteger("bench.messages", 10_000);
        int threads = Integer.getInteger("bench.threads", 16);
        int connections = Integer.getInteger("bench.connections", 10);
        int perConnection = Integer.getInteger("bench.messagesPerConnection", 100);
        int injectors = Integer.getInteger("bench.injectors", 4);
        int sinkPort = Integer.getInteger("bench.sinkPort", 10026);
        Path dir = Files.createTempDirectory("mailroom-outbound-bench");
        byte[] body = ("From: bench@example.test\r\nSubject: outbound bench\r\n\r\n"
            + "x".repeat(76).concat("\r\n").repeat(52)).getBytes(StandardCharsets.US_ASCII);
        System.out.println("date=" + Instant.now());
        System.out.println("nproc=" + Runtime.getRuntime().availableProcessors());
        System.out.println("messages=" + messages);
        System.out.println("message_bytes=" + body.length);
        System.out.println("threads=" + threads);
        System.out.println("connections_per_destination=" + connections);
        System.out.println("messages_per_connection=" + perConnection);
        System.out.println("injectors=" + injectors);
        try (TestDnsServer dns = TestDnsServer.start();
             Database database = Database.open(DatabaseSettings.embedded(dir)
                 .withPoolSize(threads + injectors + 8))) {
            dns.addMx("sink.test", 10, "mx.sink.test").addA("mx.sink.test", "127.0.0.1");
            OutboundSettings settings = new OutboundSettings("bench.example.test", sinkPort, Duration.ofSeconds(5),
                Duration.ofSeconds(30), new RetrySchedule(List.of(Duration.ofSeconds(5))), Duration.ofHours(1),
                Optional.empty(), Optional.empty(), threads).withConnections(connections, connections, perConnection);
            DnsClient client = DnsClient.of(new DnsSettings(List.<InetSocketAddress>of(dns.address()), Duration.ofSeconds(2)));
            try (OutboundService outbound = OutboundService.open(database, settings, client, (address, report) -> false,
                OutboundSigner.none(), Clock.systemUTC())) {
                outbound.start();
                long cpuBefore = processCpuNanos();
                long start = System.nanoTime();
                AtomicInteger next = new AtomicInteger();
                ExecutorService inject = Executors.newFixedThreadPool(injectors);
                List<Future<?>> running = new ArrayList<>();
                for (int t = 0; t < injectors; t++) {
                    running.add(inject.submit(() -> {
                        for (int i = next.getAndIncrement(); i < messages; i = next.getAndIncrement()) {
                            outbound.enqueue("bench@example.test", List.of("user" + (i % 50) + "@sink.test"), body);
                        }
                    }));
                }
                for (Future<?> f : running) {
                    f.get();
                }
                inject.shutdown();
                double enqueueSeconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("enqueue_msgs_per_s=%.1f%n", messages / enqueueSeconds);
                while (!outbound.queue().pendingMessageIds().isEmpty()) {
                    Thread.sleep(100);
                }
                double totalSeconds = (System.nanoTime() - start) / 1e9;
                double cpuSeconds = (processCpuNanos() - cpuBefore) / 1e9;
                System.out.printf("queued_and_delivered_seconds=%.1f%n", totalSeconds);
                System.out.printf("delivered_msgs_per_s=%.1f%n", messages / totalSeconds);
                System.out.printf("jvm_cpu_seconds=%.1f%n", cpuSeconds);
                System.out.printf("jvm_cpu_ms_per_msg=%.2f%n", cpuSeconds * 1000 / messages);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** CPU time of the whole JVM (every thread: injection, Quartz, SMTP, Derby, GC). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }
}
