package org.mailroom.dist.admin;

import java.io.PrintWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Supplier;

import org.mailroom.storage.queue.AttemptRecord;
import org.mailroom.storage.queue.QueuedMessage;
import org.mailroom.storage.queue.QueuedRecipient;
import org.mailroom.storage.user.UserAdminException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mailroom admin queue list|show|retry|bounce|delete}: the outbound queue, as Postfix's mailq/postsuper. */
@Command(name = "queue", mixinStandardHelpOptions = true,
    description = "Lists and manages the outbound queue (mail waiting for other servers).")
final class QueueCommand {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
        .withZone(ZoneOffset.UTC);

    private final Supplier<QueueDirectory> queue;

    @Spec
    private CommandSpec spec;

    QueueCommand(Supplier<QueueDirectory> queue) {
        this.queue = queue;
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "Prints one line per queued message: id, queued at, size, sender, pending/total recipients,"
            + " next attempt (or, with --all, when a delivered or bounced message was completed).")
    int list(@Option(names = "--limit", defaultValue = "1000", description = "at most this many (default 1000)")
             int limit,
             @Option(names = "--all", description = "also the delivered and bounced messages kept as history")
             boolean all) {
        try (QueueDirectory dir = queue.get()) {
            List<QueuedMessage> messages = all ? dir.outbound().listWithHistory(limit) : dir.outbound().list(limit);
            for (QueuedMessage m : messages) {
                out().printf("%d  %s  %d bytes  <%s>  %d/%d pending  %s%n", m.id(), TIME.format(m.createdAt()),
                    m.size(), m.sender(), m.pending().size(), m.recipients().size(),
                    m.completedAt().map(t -> "completed " + TIME.format(t))
                        .orElseGet(() -> "next " + m.nextAttemptAt().map(TIME::format).orElse("-")));
            }
            long completed = messages.stream().filter(QueuedMessage::isCompleted).count();
            out().println((messages.size() - completed) + " message(s) queued"
                + (all ? ", " + completed + " completed (kept as history)" : ""));
        }
        return 0;
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
        description = "Prints a queued message's recipients, their states and the attempt history (also of a"
            + " delivered or bounced message, while it is kept as history).")
    int show(@Parameters(paramLabel = "ID") long id) {
        try (QueueDirectory dir = queue.get()) {
            QueuedMessage m = dir.outbound().find(id).orElseThrow(
                () -> new UserAdminException("no message " + id + " in the queue or its history"));
            out().printf("message %d from <%s>, queued %s, %d bytes%s%s%n", m.id(), m.sender(),
                TIME.format(m.createdAt()), m.size(), m.delayWarned() ? ", sender warned of the delay" : "",
                m.completedAt().map(t -> ", completed " + TIME.format(t) + " (kept as history)").orElse(""));
            out().println("recipients:");
            for (QueuedRecipient r : m.recipients()) {
                out().printf("  <%s>  %s  %d attempt(s)%s%s%n", r.address(), r.state(), r.attempts(),
                    r.nextAttemptAt().map(t -> "  next " + TIME.format(t)).orElse(""),
                    r.lastReply().map(reply -> "  last: " + reply).orElse(""));
            }
            List<AttemptRecord> history = dir.outbound().history(id);
            out().println("attempts:");
            for (AttemptRecord a : history) {
                out().printf("  %s  <%s>  %s%s  %s%n", TIME.format(a.attemptedAt()), a.address(), a.outcome(),
                    a.host().map(h -> " at " + h).orElse(""), a.reply().map(Object::toString).orElse(""));
            }
            if (history.isEmpty()) {
                out().println("  none yet");
            }
        }
        return 0;
    }

    @Command(name = "retry", mixinStandardHelpOptions = true,
        description = "Makes the pending recipients due now (the running server, or the next one started, tries"
            + " them at once).")
    int retry(@Parameters(paramLabel = "ID") long id) {
        try (QueueDirectory dir = queue.get()) {
            if (!dir.outbound().retryNow(id)) {
                throw notPending(dir, id);
            }
        }
        out().println("Message " + id + " will be tried now");
        return 0;
    }

    @Command(name = "bounce", mixinStandardHelpOptions = true,
        description = "Gives up on the pending recipients: the sender gets a delivery report, the message leaves"
            + " the queue.")
    int bounce(@Parameters(paramLabel = "ID") long id) {
        try (QueueDirectory dir = queue.get()) {
            if (!dir.outbound().bounceNow(id)) {
                throw notPending(dir, id);
            }
        }
        out().println("Message " + id + " bounced to its sender");
        return 0;
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Removes a message from the queue without telling anyone.")
    int delete(@Parameters(paramLabel = "ID") long id) {
        try (QueueDirectory dir = queue.get()) {
            if (!dir.outbound().delete(id)) {
                throw notQueued(id);
            }
        }
        out().println("Deleted message " + id);
        return 0;
    }

    private static UserAdminException notQueued(long id) {
        return new UserAdminException("no queued message " + id);
    }

    /** Why retry or bounce found nothing to do: no such message, or one whose recipients are all final. */
    private static UserAdminException notPending(QueueDirectory dir, long id) {
        return dir.outbound().find(id).filter(m -> m.completedAt().isPresent())
            .map(m -> new UserAdminException("message " + id + " is complete: every recipient was delivered or"
                + " bounced ('queue show " + id + "' has the details)"))
            .orElseGet(() -> notQueued(id));
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
