package org.mailroom.dist.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

import com.sun.net.httpserver.HttpServer;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.mailroom.dist.ListenerStartupException;

/**
 * The HTTP listener (port 8025 by default): client autoconfiguration (Thunderbird's config-v1.1 and Outlook's
 * autodiscover), Prometheus metrics at {@code /metrics} and a liveness answer at {@code /healthz}. Plain HTTP on
 * purpose: clients fetch autoconfig over HTTP too, and production puts it behind the web server that holds the
 * domain's certificate. The JDK's own server is enough for a handful of small documents.
 */
public final class HttpService implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;

    private HttpService(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds {@code address:port} (0 for any free port) and starts answering. */
    public static HttpService start(InetAddress address, int port, ClientSettings clients, Predicate<String> hostedDomain,
                                    PrometheusMeterRegistry metrics) {
        HttpLimits.apply();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address, port), 50);
        } catch (IOException e) {
            throw new ListenerStartupException("HTTP listener on " + address.getHostAddress() + ":" + port
                + " failed to start: " + e.getMessage(), e);
        }
        ThunderbirdAutoconfig autoconfig = new ThunderbirdAutoconfig(clients, hostedDomain);
        for (String path : ThunderbirdAutoconfig.PATHS) {
            server.createContext(path, autoconfig);
        }
        server.createContext(OutlookAutodiscover.PATH, new OutlookAutodiscover(clients, hostedDomain));
        // Outlook also asks with a capital A; the path is case-sensitive in the JDK server.
        server.createContext("/Autodiscover/Autodiscover.xml", new OutlookAutodiscover(clients, hostedDomain));
        server.createContext("/metrics", new MetricsEndpoint(metrics));
        server.createContext("/healthz", new HealthEndpoint());
        server.createContext("/", exchange -> HttpReplies.text(exchange, 404, "not found"));
        ExecutorService executor = HttpLimits.executor("mailroom-http");
        server.setExecutor(executor);
        server.start();
        return new HttpService(server, executor);
    }

    /** The port actually bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "HTTP on " + server.getAddress();
    }
}
