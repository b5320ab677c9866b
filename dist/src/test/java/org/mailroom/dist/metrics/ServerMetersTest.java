package org.mailroom.dist.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.mailroom.smtp.MailroomSmtpServer.Mode;
import org.mailroom.sorter.Category;
import org.mailroom.sorter.Decision;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The SMTP and sorter meters, looked up once, count each answer or copy under the right tags. */
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

    /** Copies in their category's own folder use the counters made at start; a rule's folder gets its own. */
    @Test
    void eachDeliveredCopyCountsUnderItsCategoryAndFolder() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ServerMeters meters = new ServerMeters(registry);

        meters.sorted(decision(Category.SPAM), "Spam", Duration.ofMillis(1));
        meters.sorted(decision(Category.SPAM), "Spam", Duration.ofMillis(1));
        meters.sorted(decision(Category.INBOX), "INBOX", Duration.ofMillis(1));
        meters.sorted(decision(Category.INBOX), "Lists/Java", Duration.ofMillis(1));
        meters.sorted(decision(Category.PRIORITY), "Priority", Duration.ofMillis(1));

        assertThat(sorted(registry, "spam", "Spam")).isEqualTo(2);
        assertThat(sorted(registry, "inbox", "INBOX")).isEqualTo(1);
        assertThat(sorted(registry, "inbox", "Lists/Java")).isEqualTo(1);
        assertThat(sorted(registry, "priority", "Priority")).isEqualTo(1);
        assertThat(registry.get("mailroom.sorter.decision").timer().count()).isEqualTo(5);
    }

    private static Decision decision(Category category) {
        return new Decision(category, Optional.empty(), Set.of(), List.of(), Optional.empty(), "test");
    }

    private static double sorted(SimpleMeterRegistry registry, String category, String folder) {
        return registry.get("mailroom.sorter.messages").tags("category", category, "folder", folder).counter().count();
    }

    private static double count(SimpleMeterRegistry registry, String name, String listener) {
        return registry.get(name).tag("listener", listener).counter().count();
    }
}
