package org.mailroom.storage.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;
import org.reactivestreams.Publisher;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.publisher.Flux;

/**
 * The one bridge from James's metrics API to Micrometer. James 3.8.1 ships no production MetricFactory
 * (its recording one keeps every timing forever), so counters become gauges over an AtomicLong and timers
 * become Micrometer timers with bounded memory.
 */
public final class MicrometerMetricFactory implements MetricFactory {
    private final MeterRegistry registry;
    private final Map<String, CounterMetric> metrics = new ConcurrentHashMap<>();
    /**
     * Timers by name: James times every event delivery (several per append) and IMAP command, and asking the
     * registry builds a meter id and goes through its filters each time (about 1.5 % of an append's CPU).
     */
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public MicrometerMetricFactory(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Metric generate(String name) {
        return metrics.computeIfAbsent(name, n -> {
            CounterMetric metric = new CounterMetric();
            Gauge.builder(n, metric.value, AtomicLong::get).register(registry);
            return metric;
        });
    }

    @Override
    public TimeMetric timer(String name) {
        Timer timer = timers.computeIfAbsent(name, registry::timer);
        long start = System.nanoTime();
        return new TimeMetric() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public ExecutionResult stopAndPublish() {
                Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
                timer.record(elapsed);
                return new ExecutionResult() {
                    @Override
                    public Duration elasped() {
                        return elapsed;
                    }

                    @Override
                    public ExecutionResult logWhenExceedP99(Duration threshold) {
                        return this;
                    }
                };
            }
        };
    }

    @Override
    public <T> Publisher<T> decoratePublisherWithTimerMetric(String name, Publisher<T> publisher) {
        return Flux.defer(() -> {
            TimeMetric timer = timer(name);
            return Flux.from(publisher).doFinally(signal -> timer.stopAndPublish());
        });
    }

    @Override
    public <T> Publisher<T> decoratePublisherWithTimerMetricLogP99(String name, Publisher<T> publisher) {
        return decoratePublisherWithTimerMetric(name, publisher);
    }

    /** A James counter: may go up and down, never below zero. */
    private static final class CounterMetric implements Metric {
        private final AtomicLong value = new AtomicLong();

        @Override
        public void increment() {
            value.incrementAndGet();
        }

        @Override
        public void decrement() {
            value.updateAndGet(v -> Math.max(0, v - 1));
        }

        @Override
        public void add(int delta) {
            value.addAndGet(delta);
        }

        @Override
        public void remove(int delta) {
            value.updateAndGet(v -> Math.max(0, v - delta));
        }

        @Override
        public long getCount() {
            return value.get();
        }
    }
}
