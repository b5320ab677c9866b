package org.mailroom.smtp.delivery;

import java.util.Optional;

import org.mailroom.smtp.policy.SessionVerdicts;
import org.mailroom.sorter.SessionFacts;

/**
 * The seam between delivery and the sorter: where each local recipient's copy of a message goes. Delivery asks
 * once per recipient, on its own threads, after the message was received in full.
 */
public interface RecipientSorting {

    /**
     * Prepares what is the same for every recipient (parsing the message once); called once per message.
     *
     * @param message the message as it will be stored (our trace headers included), readable more than once
     * @param size     its size in bytes
     * @param mailFrom the envelope sender, empty for the null sender
     * @param facts    what SMTP observed, in the sorter's terms
     * @param verdicts the same DNS check results in SMTP's own terms
     */
    Prepared prepare(MessageBytes message, long size, Optional<String> mailFrom, SessionFacts facts,
                     SessionVerdicts verdicts);

    /** The message bytes, re-readable. */
    @FunctionalInterface
    interface MessageBytes {
        java.io.InputStream open() throws java.io.IOException;
    }

    /** One message ready to be placed for each recipient. */
    @FunctionalInterface
    interface Prepared {
        /** The placement for {@code user}; throwing fails the whole delivery with 451 4.3.0 (nothing kept). */
        Placement place(String user);

        /**
         * Every copy of the message is committed, {@code users} got theirs, and the client is told 250 next. Not
         * called when the delivery failed, so what is learned from an arrival only ever describes stored mail.
         * Must not throw.
         */
        default void committed(java.util.Collection<String> users) {
        }
    }

    /** Everything to INBOX, unchanged (tests, and servers without a sorter). */
    static RecipientSorting inbox() {
        return (message, size, mailFrom, facts, verdicts) -> user -> Placement.inbox();
    }
}
