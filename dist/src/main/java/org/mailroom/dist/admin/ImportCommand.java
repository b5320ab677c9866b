package org.mailroom.dist.admin;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Stream;

import javax.mail.Flags;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mime4j.mboxiterator.CharBufferWrapper;
import org.apache.james.mime4j.mboxiterator.MboxIterator;
import org.mailroom.smtp.delivery.Placement;
import org.mailroom.smtp.delivery.RecipientSorting;
import org.mailroom.smtp.policy.SessionVerdicts;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.storage.user.UserAdminException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mailroom admin import USER PATH [--folder F]}: appends every message of an mbox file or a Maildir to a
 * user's mailbox, through the mailbox API (so UIDs, MODSEQs, quotas and IMAP IDLE see them as new mail).
 *
 * <p>Where each message goes: by default <b>through the sorter</b>, exactly as SMTP delivery places it (user and
 * global rules, the learned spam filter and importance model; Priority, INBOX, Spam or a rule's folder; the
 * {@code X-Mailroom-Sort} trace header added), because an import is usually mail moving in from another server,
 * which should land where it would have landed had it arrived here. {@code --folder F} puts every message into F
 * unchanged instead (an archive kept as it was). Maildir flags (S, R, F, T, D) become IMAP flags; mbox
 * {@code >From } escapes (mboxrd) are undone. A message that cannot be stored is reported and skipped.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Imports an mbox file or a Maildir into a user's mailbox: through the sorter (as SMTP delivery "
        + "would place each message), or with --folder straight into one folder (created if missing).",
        "While the server runs, the server's process reads PATH."})
final class ImportCommand implements Callable<Integer> {
    /** mboxrd writes ">From " for a body line "From "; one '>' less restores it (also "From " under mboxo). */
    private static final byte[] ESCAPED_FROM = ">From ".getBytes(StandardCharsets.US_ASCII);
    /**
     * A separator line: "From ", a sender (an address, or MAILER-DAEMON as Dovecot, mutt and this export write it),
     * and a date ending in the year. The iterator's default wants an address with '@'.
     */
    private static final String FROM_LINE = "^From \\S+ .*\\d{4}$";
    private static final int MAX_MBOX_MESSAGE = Integer.MAX_VALUE - 64;

    private final Supplier<MailStore> store;
    private final Path workingDirectory;
    private final boolean terminal;

    @Spec
    private CommandSpec spec;

    ImportCommand(Supplier<MailStore> store, Path workingDirectory, boolean terminal) {
        this.store = store;
        this.workingDirectory = workingDirectory;
        this.terminal = terminal;
    }

    @Parameters(index = "0", paramLabel = "USER", description = "for example alice@example.org")
    private String user;
    @Parameters(index = "1", paramLabel = "PATH", description = "an mbox file, or a Maildir (with cur/ and new/)")
    private Path path;
    @Option(names = "--folder", paramLabel = "FOLDER",
        description = "every message into FOLDER unchanged (e.g. INBOX or Archive/2024) instead of through the sorter")
    private String folder;

    @Override
    public Integer call() {
        Path source = workingDirectory.resolve(path).normalize();
        boolean maildir = Files.isDirectory(source.resolve("cur")) || Files.isDirectory(source.resolve("new"));
        if (!maildir && !Files.isRegularFile(source)) {
            throw new UserAdminException(source + " is neither an mbox file nor a Maildir (a directory with cur/"
                + " and new/)");
        }
        PrintWriter out = spec.commandLine().getOut();
        Counts counts = new Counts();
        try (MailStore mail = store.get()) {
            MailboxSession session = MailFolders.session(mail, user);
            Target target = folder != null ? new Fixed(MailFolders.folder(mail, session, folder, true))
                : new Sorted(mail, session, mail.sorting().get());
            if (maildir) {
                List<Path> files = maildirFiles(source);
                ImportProgress progress = new ImportProgress(out, terminal, totalSize(files), System::nanoTime);
                importMaildir(files, target, session, counts, progress);
                progress.finish();
            } else {
                ImportProgress progress = new ImportProgress(out, terminal, size(source), System::nanoTime);
                importMbox(source, target, session, counts, progress);
                progress.finish();
            }
        }
        out.println("Imported " + counts.imported + " messages " + (folder != null ? "into " + folder
            : "through the sorter" + counts.perFolder()) + " of " + user
            + (counts.failures.isEmpty() ? "" : "; skipped " + counts.failures.size() + ": "
            + String.join("; ", counts.failures.subList(0, Math.min(3, counts.failures.size())))));
        return counts.failures.isEmpty() ? 0 : 1;
    }

    /** Where messages go: one fixed folder, or the folder the sorter picks for each. */
    private interface Target {
        /** Appends; returns the folder it went to. */
        String append(byte[] bytes, Date received, Flags flags, boolean recent, MailboxSession session)
            throws MailboxException;
    }

    private record Fixed(MessageManager folder) implements Target {
        @Override
        public String append(byte[] bytes, Date received, Flags flags, boolean recent, MailboxSession session)
            throws MailboxException {
            folder.appendMessage(MessageManager.AppendCommand.builder().withFlags(flags).withInternalDate(received)
                .isRecent(recent).build(bytes), session);
            return null;
        }
    }

    /**
     * The sorter's placement, as in SMTP delivery: its folder (created when missing; INBOX when the store refuses
     * it), its keywords added to the message's flags, its trace header on top of the message.
     */
    private static final class Sorted implements Target {
        private final MailStore mail;
        private final MailboxSession session;
        private final RecipientSorting sorting;
        private final Map<String, MessageManager> folders = new HashMap<>();

        Sorted(MailStore mail, MailboxSession session, RecipientSorting sorting) {
            this.mail = mail;
            this.session = session;
            this.sorting = sorting;
        }

        @Override
        public String append(byte[] bytes, Date received, Flags flags, boolean recent, MailboxSession ignored)
            throws MailboxException {
            String user = session.getUser().asString();
            Placement placement = sorting.prepare(() -> new ByteArrayInputStream(bytes), bytes.length,
                Optional.empty(), SessionFacts.none(), SessionVerdicts.none()).place(user);
            Flags all = new Flags(flags);
            placement.keywords().forEach(all::add);
            byte[] header = placement.traceHeader();
            byte[] copy = new byte[header.length + bytes.length];
            System.arraycopy(header, 0, copy, 0, header.length);
            System.arraycopy(bytes, 0, copy, header.length, bytes.length);
            String name = placement.folder();
            MessageManager target;
            try {
                target = folders.computeIfAbsent(name, f -> MailFolders.folder(mail, session, f, true));
            } catch (UserAdminException refused) {
                // A folder named by a user rule that the store refuses must not lose the message (as delivery).
                name = "INBOX";
                target = folders.computeIfAbsent(name, f -> MailFolders.folder(mail, session, f, true));
            }
            target.appendMessage(MessageManager.AppendCommand.builder().withFlags(all).withInternalDate(received)
                .isRecent(recent).build(copy), session);
            return name;
        }
    }

    private static List<Path> maildirFiles(Path maildir) {
        List<Path> files = new ArrayList<>();
        for (String sub : new String[] {"cur", "new"}) {
            Path dir = maildir.resolve(sub);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> listing = Files.list(dir)) {
                    listing.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("."))
                        .forEach(files::add);
                } catch (IOException e) {
                    throw new UserAdminException("cannot list " + dir + ": " + e.getMessage());
                }
            }
        }
        // Maildir names start with the delivery time: sorted names give the mailbox its original order.
        files.sort(null);
        return files;
    }

    private static long totalSize(List<Path> files) {
        long total = 0;
        for (Path file : files) {
            total += size(file);
        }
        return total;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void importMaildir(List<Path> files, Target target, MailboxSession session, Counts counts,
                                      ImportProgress progress) {
        for (Path file : files) {
            String name = file.getFileName().toString();
            try {
                byte[] bytes = Files.readAllBytes(file);
                Date received = new Date(Files.getLastModifiedTime(file).toMillis());
                boolean isNew = file.getParent().getFileName().toString().equals("new");
                append(target, session, bytes, received, maildirFlags(name), isNew, counts, name);
                progress.advance(bytes.length);
            } catch (IOException e) {
                counts.failures.add(name + ": " + e.getMessage());
            }
        }
    }

    private static void importMbox(Path mbox, Target target, MailboxSession session, Counts counts,
                                   ImportProgress progress) {
        int number = 0;
        // ISO-8859-1 maps bytes to chars one to one, so the iterator gives the message bytes back unchanged.
        try (MboxIterator messages = MboxIterator.fromFile(mbox).charset(StandardCharsets.ISO_8859_1).fromLine(FROM_LINE)
                .maxMessageSize((int) Math.min(MAX_MBOX_MESSAGE, Files.size(mbox) + 1)).build()) {
            for (CharBufferWrapper message : messages) {
                number++;
                byte[] raw = readAll(message.asInputStream(StandardCharsets.ISO_8859_1));
                byte[] bytes = withoutSeparator(unescapeFromLines(raw));
                append(target, session, bytes, new Date(), new Flags(), false, counts, "message " + number);
                progress.advance(raw.length);
            }
        } catch (IOException | RuntimeException e) {
            if (number == 0 && counts.imported == 0) {
                throw new UserAdminException(mbox + " cannot be read as mbox: " + e.getMessage());
            }
            counts.failures.add("after message " + number + ": " + e.getMessage());
        }
    }

    private static void append(Target target, MailboxSession session, byte[] bytes, Date received,
                               Flags flags, boolean recent, Counts counts, String what) {
        if (bytes.length == 0) {
            counts.failures.add(what + ": empty");
            return;
        }
        try {
            String folder = target.append(bytes, received, flags, recent, session);
            counts.imported++;
            if (folder != null) {
                counts.perFolder.merge(folder, 1, Integer::sum);
            }
        } catch (MailboxException | RuntimeException e) {
            counts.failures.add(what + ": " + e.getMessage());
        }
    }
    /** The flags in a Maildir file name's info part ({@code ...:2,FRS}). */
    static Flags maildirFlags(String fileName) {
        Flags flags = new Flags();
        int info = fileName.lastIndexOf(":2,");
        if (info < 0) {
            return flags;
        }
        for (char c : fileName.substring(info + 3).toCharArray()) {
            switch (c) {
                case 'S' -> flags.add(Flags.Flag.SEEN);
                case 'R' -> flags.add(Flags.Flag.ANSWERED);
                case 'F' -> flags.add(Flags.Flag.FLAGGED);
                case 'T' -> flags.add(Flags.Flag.DELETED);
                case 'D' -> flags.add(Flags.Flag.DRAFT);
                default -> {
                    // lower-case letters are Dovecot keywords, whose names live in a separate file: not imported
                }
            }
        }
        return flags;
    }

    /** The empty line before the next From line separates messages; it is not part of the message. */
    static byte[] withoutSeparator(byte[] message) {
        int length = message.length;
        if (length >= 2 && message[length - 1] == '\n' && message[length - 2] == '\n') {
            return java.util.Arrays.copyOf(message, length - 1);
        }
        if (length >= 3 && message[length - 1] == '\n' && message[length - 2] == '\r' && message[length - 3] == '\n') {
            return java.util.Arrays.copyOf(message, length - 2);
        }
        return message;
    }

    static byte[] unescapeFromLines(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length);
        boolean lineStart = true;
        for (int i = 0; i < message.length; i++) {
            if (lineStart && message[i] == '>' && quotedFrom(message, i)) {
                lineStart = false;
                continue;
            }
            out.write(message[i]);
            lineStart = message[i] == '\n';
        }
        return out.toByteArray();
    }

    // ">From ", ">>From ", ...: any number of '>' followed by "From ".
    private static boolean quotedFrom(byte[] message, int at) {
        int i = at;
        while (i < message.length && message[i] == '>') {
            i++;
        }
        int from = i - 1;
        if (from + ESCAPED_FROM.length > message.length) {
            return false;
        }
        for (int k = 0; k < ESCAPED_FROM.length; k++) {
            if (message[from + k] != ESCAPED_FROM[k]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    private static final class Counts {
        int imported;
        final List<String> failures = new ArrayList<>();
        final Map<String, Integer> perFolder = new java.util.TreeMap<>();

        /** e.g. " (INBOX 12, Priority 3, Spam 1)" */
        String perFolder() {
            if (perFolder.isEmpty()) {
                return "";
            }
            List<String> parts = new ArrayList<>();
            perFolder.forEach((name, count) -> parts.add(name + " " + count));
            return " (" + String.join(", ", parts) + ")";
        }
    }
}
