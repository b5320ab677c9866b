package org.mailroom.dist.http;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Limits of the JDK's HTTP server ({@code com.sun.net.httpserver}), used for the public HTTP port and the admin
 * endpoint. The JDK reads them once, from system properties, when the first server of the process is created: so
 * {@link #apply()} runs before every {@code HttpServer.create}, and a value the operator set with {@code -D} (in
 * {@code MAILROOM_JAVA_OPTS}) wins.
 *
 * <ul>
 * <li>A request (line, headers and body) must arrive within {@value #REQUEST_SECONDS} seconds of the connection or
 * of the previous request, or the connection is closed: a client dribbling its headers byte by byte cannot hold one
 * of the few worker threads (the JDK reads headers on them).</li>
 * <li>At most {@value #MAX_HEADERS} header lines and {@value #MAX_HEADER_BYTES} bytes of headers: beyond, the
 * request is refused and the connection closed (bodies are capped by each handler, 16 KiB).</li>
 * <li>At most {@value #MAX_CONNECTIONS} connections at once; idle keep-alive connections close after
 * {@value #IDLE_SECONDS} seconds.</li>
 * </ul>
 *
 * <p>The JDK starts counting {@code maxReqTime} before a worker thread picks the connection up, so a connection that
 * waits for a busy pool is closed unanswered after {@value #REQUEST_SECONDS} seconds (seen with admin commands queued
 * behind a slow one: "header parser received no bytes"). Hence {@link #executor}: a thread per exchange, bounded by
 * the connection limit.
 */
public final class HttpLimits {
    static final int REQUEST_SECONDS = 5;
    static final int MAX_HEADERS = 100;
    static final int MAX_HEADER_BYTES = 16 * 1024;
    static final int MAX_CONNECTIONS = 100;
    static final int IDLE_SECONDS = 30;

    private HttpLimits() {
    }

    /** Sets the JDK server's properties not already set; idempotent, and harmless once a server exists. */
    public static synchronized void apply() {
        setIfAbsent("sun.net.httpserver.maxReqTime", REQUEST_SECONDS);
        setIfAbsent("sun.net.httpserver.maxReqHeaders", MAX_HEADERS);
        setIfAbsent("sun.net.httpserver.maxReqHeaderSize", MAX_HEADER_BYTES);
        setIfAbsent("sun.net.httpserver.maxConnections", MAX_CONNECTIONS);
        setIfAbsent("sun.net.httpserver.idleInterval", IDLE_SECONDS);
    }

    /**
     * The executor for a server with these limits: no queue, a thread for each exchange at once (at most about
     * {@value #MAX_CONNECTIONS}, the connection limit), kept 30 s when idle. It never refuses work, which the JDK
     * server's dispatcher thread is not documented to survive.
     */
    public static ExecutorService executor(String threadName) {
        return Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    private static void setIfAbsent(String key, int value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, String.valueOf(value));
        }
    }
}
