package org.mailroom.dist.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.mailroom.smtp.MailroomSmtpServer.Mode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The SMTP meters, looked up once per listener, count each answer under the right listener and reply class. */
class ServerMetersTest {

    @Test
    void eachAnswerAfterDataCountsUnderItsListenerAndReplyClass() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ServerMeters meters = new ServerMeters(registry);

        meters.messageAnswered(Mode.INBOUND, true, 250, Duration.ofMillis(5));
        meters.messageAnswered(Mode.INBOUND, false, 552, Duration.ofMillis(1));
        meters.messageAnswered(Mode.SUBMISSION_STARTTLS, false, 451, Duration.ofMillis(2));
        meters.messageAnswered(Mode.SUBMISSION_IMPLICIT_TLS, true, 250, Duration.ofMillis(3));
        meters.messageAnswered(Mode.SUBMISSION_STARTTLS, true, 250, Duration.ofMillis(4));

        assertThat(count(registry, "mailroom.smtp.messages.received", "mx")).isEqualTo(1);
        assertThat(count(registry, "mailroom.smtp.messages.received", "submission")).isEqualTo(2);
        assertThat(registry.get("mailroom.smtp.messages.refused").tags("listener", "mx", "reply", "5xx").counter()
            .count()).isEqualTo(1);
        assertThat(registry.get("mailroom.smtp.messages.refused").tags("listener", "mx", "reply", "4xx").counter()
            .count()).isZero();
        assertThat(registry.get("mailroom.smtp.messages.refused").tags("listener", "submission", "reply", "4xx")
            .counter().count()).isEqualTo(1);
        assertThat(registry.get("mailroom.smtp.data.reply").tag("listener", "mx").timer().count()).isEqualTo(2);
        assertThat(registry.get("mailroom.smtp.data.reply").tag("listener", "submission").timer().count())
            .isEqualTo(3);
    }

    private static double count(SimpleMeterRegistry registry, String name, String listener) {
        return registry.get(name).tag("listener", listener).counter().count();
    }
}
