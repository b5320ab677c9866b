package org.mailroom.smtp.outbound;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.mailroom.smtp.MessageIdHeader;
import org.mailroom.storage.queue.RecipientOutcome;
import org.mailroom.storage.queue.RecipientState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports one delivery attempt once it is decided: a log line per host and result (usually one per attempt) and the
 * {@link OutboundObserver} counts. The line:
 * <pre>outbound queue=12 message-id=&lt;a@b&gt; to=[x@y, z@y] host=mx.y result=delivered reply="250 2.0.0 ok" took=84ms</pre>
 */
final class AttemptReport {
    private static final Logger LOG = LoggerFactory.getLogger(AttemptReport.class);

    private AttemptReport() {
    }

    /** {@code recipients.get(i)} is the address of {@code outcomes.get(i)}. */
    static void report(long queueId, byte[] message, List<String> recipients, List<RecipientOutcome> outcomes,
                       Duration took, OutboundObserver observer) {
        String messageId = MessageIdHeader.of(message);
        Map<String, List<String>> lines = new LinkedHashMap<>();
        int delivered = 0;
        int deferred = 0;
        int bounced = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            RecipientOutcome outcome = outcomes.get(i);
            switch (outcome.state()) {
                case DELIVERED -> delivered++;
                case BOUNCED -> bounced++;
                default -> deferred++;
            }
            String key = "host=" + outcome.host().orElse("-") + " result=" + result(outcome.state()) + " reply=\""
                + outcome.reply().code() + " " + outcome.reply().status() + " "
                + MessageIdHeader.safeText(outcome.reply().text()) + "\"";
            lines.computeIfAbsent(key, k -> new ArrayList<>()).add(recipients.get(i));
        }
        for (Map.Entry<String, List<String>> line : lines.entrySet()) {
            LOG.info("outbound queue={} message-id={} to={} {} took={}ms", queueId, messageId, line.getValue(),
                line.getKey(), took.toMillis());
        }
        try {
            observer.attempted(took, delivered, deferred, bounced);
        } catch (RuntimeException e) {
            LOG.warn("queued message {}: attempt not counted: {}", queueId, e.toString());
        }
    }

    private static String result(RecipientState state) {
        return switch (state) {
            case DELIVERED -> "delivered";
            case BOUNCED -> "bounced";
            default -> "deferred";
        };
    }
}
