package org.mailroom.smtp.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.mailroom.sorter.Category;
import org.mailroom.sorter.Decision;
import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.SortTrace;
import org.mailroom.sorter.SortObserver;
import org.mailroom.sorter.Sorter;
import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.message.MailParser;
import org.mailroom.smtp.policy.SessionVerdicts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RecipientSorting} by the {@link Sorter}: parses the message once (the first {@code maxParsedBytes}; the
 * rest is stored but not read by the sorter), inspects its attachments once, then sorts it for each recipient into
 * the Priority, INBOX or Spam folder (or the folder a rule names) with the decision's keywords and trace header.
 *
 * <p>Never loses mail: when parsing or sorting fails, the copy goes to INBOX with a trace header saying why.
 */
public final class SorterPlacement implements RecipientSorting {

    private static final Logger LOG = LoggerFactory.getLogger(SorterPlacement.class);

    /** The folders the categories map to (imap's FolderNames; INBOX is always INBOX). */
    public record Folders(String priority, String spam) {
        public Folders {
            Objects.requireNonNull(priority, "priority");
            Objects.requireNonNull(spam, "spam");
        }
    }

    private final Sorter sorter;
    private final Folders folders;
    private final MailParser parser;
    private final int maxParsedBytes;
    private final Clock clock;
    private final Consumer<IncomingMail> sorted;
    private final SortObserver observer;

    public SorterPlacement(Sorter sorter, Folders folders, MailParser parser, int maxParsedBytes, Clock clock) {
        this(sorter, folders, parser, maxParsedBytes, clock, mail -> { });
    }

    /**
     * {@code sorted} hears of every message sorted for a recipient once its delivery committed (the importance
     * model remembers arrivals).
     */
    public SorterPlacement(Sorter sorter, Folders folders, MailParser parser, int maxParsedBytes, Clock clock,
                           Consumer<IncomingMail> sorted) {
        this(sorter, folders, parser, maxParsedBytes, clock, sorted, SortObserver.NONE);
    }

    /** {@code observer} hears of every decision, the folder it chose and how long deciding took (for metrics). */
    public SorterPlacement(Sorter sorter, Folders folders, MailParser parser, int maxParsedBytes, Clock clock,
                           Consumer<IncomingMail> sorted, SortObserver observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
        this.sorted = Objects.requireNonNull(sorted, "sorted");
        this.sorter = Objects.requireNonNull(sorter, "sorter");
        this.folders = Objects.requireNonNull(folders, "folders");
        this.parser = Objects.requireNonNull(parser, "parser");
        this.maxParsedBytes = maxParsedBytes;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Prepared prepare(MessageBytes message, long size, Optional<String> sender, SessionFacts facts,
                            SessionVerdicts verdicts) {
        MailContent content;
        try (InputStream in = message.open()) {
            content = sorter.inspect(parsed(parser.parse(head(in, size)), size));
        } catch (IOException | RuntimeException | LinkageError | StackOverflowError e) {
            LOG.error("message could not be read for sorting; delivering to INBOX", e);
            return user -> fallback("message could not be read for sorting: " + e.getClass().getSimpleName());
        }
        return new Sorting(content, sender, facts);
    }

    /**
     * One message sorted per recipient. What was sorted is handed to {@code sorted} only once the delivery
     * committed: a delivery answered 451 must leave nothing learned behind, or the retried message would count twice.
     */
    private final class Sorting implements Prepared {
        private final MailContent content;
        private final Optional<String> sender;
        private final SessionFacts facts;
        private final Map<String, IncomingMail> sortedFor = new ConcurrentHashMap<>();

        Sorting(MailContent content, Optional<String> sender, SessionFacts facts) {
            this.content = content;
            this.sender = sender;
            this.facts = facts;
        }

        @Override
        public Placement place(String user) {
            try {
                IncomingMail mail = new IncomingMail(user, sender, facts, content, clock.instant());
                long started = System.nanoTime();
                Decision decision = sorter.sortInspected(mail);
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                sortedFor.put(user, mail);
                String folder = folderOf(decision);
                observer.sorted(decision, folder, took);
                return new Placement(folder, decision.keywords(),
                    SortTrace.header(decision, facts).getBytes(StandardCharsets.US_ASCII));
            } catch (RuntimeException | LinkageError | StackOverflowError e) {
                LOG.error("sorting failed for {}; delivering to INBOX", user, e);
                return fallback("sorter failed: " + e.getClass().getSimpleName());
            }
        }

        @Override
        public void committed(Collection<String> users) {
            for (String user : users) {
                IncomingMail mail = sortedFor.remove(user);
                if (mail != null) {
                    sorted.accept(mail);
                }
            }
        }
    }

    /**
     * The first {@code maxParsedBytes} of the message, read into one array of the known size ({@code readNBytes(max)}
     * reads into 8 KiB chunks and copies them into the result: two arrays and a copy per delivered message).
     */
    private byte[] head(InputStream in, long size) throws IOException {
        int wanted = (int) Math.min(Math.max(size, 0), maxParsedBytes);
        byte[] head = new byte[wanted];
        int read = in.readNBytes(head, 0, wanted);
        return read == wanted ? head : Arrays.copyOf(head, read);
    }

    /** The size rules see is the whole message's, even when only its beginning was parsed. */
    private static MailContent parsed(MailContent content, long size) {
        if (content.size() == size) {
            return content;
        }
        return new MailContent(content.headers(), content.plainText(), content.htmlText(), content.hasPlain(),
            content.hasHtml(), content.links(), content.attachments(), size, content.problems(),
            content.attachmentText());
    }

    private String folderOf(Decision decision) {
        if (decision.folder().isPresent()) {
            return decision.folder().get();
        }
        return switch (decision.category()) {
            case PRIORITY -> folders.priority();
            case SPAM -> folders.spam();
            case INBOX -> "INBOX";
        };
    }

    private static Placement fallback(String why) {
        Decision inbox = new Decision(Category.INBOX, Optional.empty(), Set.of(), List.of(), Optional.empty(), why);
        return new Placement("INBOX", Set.of(), SortTrace.header(inbox).getBytes(StandardCharsets.US_ASCII));
    }
}
