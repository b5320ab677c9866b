package org.mailroom.storage.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Mono;

/** James's timings land in the Micrometer registry, one timer per name however often it is asked for. */
class MicrometerMetricFactoryTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerMetricFactory metrics = new MicrometerMetricFactory(registry);

    @Test
    void everyTimingOfANameIsRecordedByOneTimer() {
        metrics.timer("imap-select").stopAndPublish();
        Mono.from(metrics.decoratePublisherWithTimerMetric("imap-select", Mono.just(1))).block();
        metrics.timer("mailbox-listener-x").stopAndPublish();

        assertThat(registry.find("imap-select").timers()).singleElement()
            .satisfies(timer -> assertThat(timer.count()).isEqualTo(2));
        assertThat(registry.find("mailbox-listener-x").timer().count()).isEqualTo(1);
    }

    @Test
    void countersGoUpAndDownButNeverBelowZero() {
        metrics.generate("connections").increment();
        metrics.generate("connections").add(2);
        metrics.generate("connections").remove(5);

        assertThat(metrics.generate("connections").getCount()).isZero();
        assertThat(registry.find("connections").gauge().value()).isZero();
    }
}
