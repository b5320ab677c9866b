package org.mailroom.dist.warmup;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.net.ssl.SSLContext;

/**
 * What mail servers and mail clients do to a Mailroom, in rounds, against the warm-up's throwaway instance: a
 * round delivers mail over SMTP from a few concurrent sessions (plain and STARTTLS, several messages per
 * connection, like sending servers), then one IMAP session works with it the way desktop and phone clients do
 * (folder list, header and flag fetches, bodies, structure, searches, flag changes, copy, move, expunge, appends to
 * Sent and Drafts, IDLE until new mail arrives). Rounds run until the message budget is spent or time is up.
 */
public final class ClientWork {
    /** Concurrent SMTP sessions per round, and messages each sends over its connection. */
    private static final int SMTP_SESSIONS = 4;
    private static final int MESSAGES_PER_SESSION = 5;
    /** Messages an IMAP session reads in full, and how many of the newest it lists headers of. */
    private static final int BODIES_READ = 5;
    private static final int HEADER_WINDOW = 50;
    private static final List<String> FOLDERS = List.of("Priority", "Spam", "Archive", "Sent", "Drafts");
    private static final String HEADER_FIELDS = "BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID"
        + " Priority X-Priority References Newsgroups In-Reply-To Content-Type Reply-To List-Id)]";

    /** Who sends the message a session waits for in IDLE; {@link #RULES} files it in INBOX, where the session is. */
    private static final String IDLE_SENDER = "alerts@example.com";
    /**
     * Sorting rules of the kinds users write, for the throwaway's rules file: they exercise the rule engine, and
     * the first one puts the message an IDLE waits for into INBOX whatever the learned scores say.
     */
    public static final String RULES = String.join("\n",
        "if from is \"" + IDLE_SENDER + "\" then inbox, stop",
        "if list-id exists then fileinto \"Lists\"",
        "if subject contains \"invoice\" and from domain \"example.net\" then keyword $Invoice",
        "if attachment type contains \"csv\" or size > 2M then keyword $Attachment",
        "");

    /** The throwaway server's listeners. */
    public record Ports(int mx, int imapStartTls, int imapImplicitTls) {
    }

    /** The generated mailbox the work reads, and its password. */
    public record Account(String address, String password) {
    }

    /** What was done: messages delivered (SMTP and APPEND), IMAP commands answered, rounds, and where. */
    public record Done(int messages, int imapCommands, int rounds, Ports ports) {
    }

    private final Ports ports;
    private final Account account;
    private final SSLContext tls;
    private final SyntheticMail mail = new SyntheticMail(20261130L);
    private int messages;
    private int imapCommands;

    public ClientWork(Ports ports, Account account, SSLContext tls) {
        this.ports = ports;
        this.account = account;
        this.tls = tls;
    }

    /**
     * Runs rounds until {@code messageBudget} messages are delivered or {@link System#nanoTime()} has passed
     * {@code deadlineNanos} (checked between rounds; a round takes a second or two once compiled).
     */
    public Done run(int messageBudget, long deadlineNanos) throws IOException, InterruptedException {
        ExecutorService senders = Executors.newFixedThreadPool(SMTP_SESSIONS, runnable -> {
            Thread thread = new Thread(runnable, "mailroom-warm-up-sender");
            thread.setDaemon(true);
            return thread;
        });
        int round = 0;
        try {
            while (messages < messageBudget && System.nanoTime() - deadlineNanos < 0) {
                deliver(senders, round);
                read(round);
                round++;
            }
        } finally {
            senders.shutdownNow();
        }
        return new Done(messages, imapCommands, round, ports);
    }

    private void deliver(ExecutorService senders, int round) throws IOException, InterruptedException {
        List<Future<?>> sessions = new ArrayList<>();
        for (int s = 0; s < SMTP_SESSIONS; s++) {
            boolean startTls = (round + s) % 2 == 1;
            List<byte[]> batch = new ArrayList<>();
            String from;
            synchronized (mail) {
                from = mail.sender();
                for (int m = 0; m < MESSAGES_PER_SESSION; m++) {
                    batch.add(mail.next(from, account.address()));
                }
            }
            sessions.add(senders.submit(() -> {
                try (SmtpClient smtp = SmtpClient.connect(address(ports.mx()), "mx." + domainOf(from),
                    startTls ? tls : null)) {
                    for (byte[] message : batch) {
                        smtp.send(from, List.of(account.address()), message);
                    }
                }
                return null;
            }));
        }
        for (Future<?> session : sessions) {
            try {
                session.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }
        messages += SMTP_SESSIONS * MESSAGES_PER_SESSION;
    }

    private void read(int round) throws IOException {
        ImapClient imap = round % 2 == 0 ? ImapClient.startTls(address(ports.imapStartTls()), tls)
            : ImapClient.implicitTls(address(ports.imapImplicitTls()), tls);
        try (imap) {
            command(imap, "LOGIN \"" + account.address() + "\" \"" + account.password() + "\"");
            command(imap, "LIST \"\" \"*\"");
            command(imap, "LSUB \"\" \"*\"");
            if (round == 0) {
                // The folders clients expect; the sorter's own may exist already (then CREATE answers NO).
                for (String folder : FOLDERS) {
                    imapCommands++;
                    imap.attempt("CREATE " + folder);
                    command(imap, "SUBSCRIBE " + folder);
                }
            }
            for (String folder : FOLDERS) {
                command(imap, "STATUS " + folder + " (MESSAGES UNSEEN UIDNEXT UIDVALIDITY RECENT)");
            }
            command(imap, "SELECT INBOX");
            long[] uids = uids(command(imap, "UID SEARCH ALL"));
            command(imap, "FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE)");
            if (uids.length > 0) {
                String newest = uids[Math.max(0, uids.length - HEADER_WINDOW)] + ":*";
                command(imap, "UID FETCH " + newest + " (UID RFC822.SIZE FLAGS " + HEADER_FIELDS + ")");
                command(imap, "UID FETCH " + newest + " (ENVELOPE BODYSTRUCTURE INTERNALDATE)");
                for (int i = 0; i < Math.min(BODIES_READ, uids.length); i++) {
                    long uid = uids[uids.length - 1 - i];
                    command(imap, "UID FETCH " + uid + " (BODY.PEEK[])");
                    command(imap, "UID FETCH " + uid + " (BODY.PEEK[HEADER] BODY.PEEK[1])");
                    command(imap, "UID FETCH " + uid + " (BODY.PEEK[TEXT]<0.2048> FLAGS)");
                    command(imap, "UID STORE " + uid + " +FLAGS (\\Seen)");
                }
            }
            command(imap, "UID SEARCH UNSEEN");
            command(imap, "UID SEARCH FLAGGED");
            command(imap, "UID SEARCH OR SUBJECT \"report\" FROM \"anna\"");
            command(imap, "UID SEARCH SINCE 1-Jan-2020 NOT DELETED");
            command(imap, "UID SEARCH BODY \"invoice\"");
            if (uids.length >= 6) {
                command(imap, "UID STORE " + uids[0] + " +FLAGS.SILENT (\\Flagged)");
                command(imap, "STORE 1 -FLAGS (\\Seen)");
                command(imap, "UID COPY " + uids[1] + " Archive");
                command(imap, "UID MOVE " + uids[2] + "," + uids[3] + " Archive");
                // Not into Spam: that trains the spam filter, and in the throwaway's new database Derby's plan for
                // the filter's token look-up (made while the table was empty) scans the growing table with the
                // message's whole IN list, half of a measured warm-up's CPU for nothing the real database shares.
                command(imap, "UID STORE " + uids[4] + "," + uids[5] + " +FLAGS.SILENT (\\Deleted)");
                command(imap, "EXPUNGE");
            }
            synchronized (mail) {
                String from = account.address();
                command(imap, "NOOP");
                imap.append("Sent", "\\Seen", mail.next(from, mail.sender()));
                imap.append("Drafts", "\\Draft", mail.next(from, mail.sender()));
            }
            messages += 2;
            imapCommands += 2;
            imap.idle(this::deliverOne);
            imapCommands++;
            // A client glancing at another folder read-only; an empty one has no 1:* to fetch (James answers BAD).
            if (command(imap, "EXAMINE Spam").stream().anyMatch(line -> line.matches("\\* [1-9][0-9]* EXISTS"))) {
                command(imap, "FETCH 1:* (UID FLAGS)");
            }
            command(imap, "CLOSE");
            imapCommands++;
        }
    }

    private void deliverOne() throws IOException {
        String from;
        byte[] message;
        synchronized (mail) {
            from = IDLE_SENDER;
            message = mail.next(from, account.address());
        }
        try (SmtpClient smtp = SmtpClient.connect(address(ports.mx()), "mx." + domainOf(from), null)) {
            smtp.send(from, List.of(account.address()), message);
        }
        messages++;
    }

    private List<String> command(ImapClient imap, String command) throws IOException {
        imapCommands++;
        return imap.command(command);
    }

    private static long[] uids(List<String> searchResponses) {
        return searchResponses.stream().filter(line -> line.startsWith("* SEARCH"))
            .flatMap(line -> Arrays.stream(line.substring("* SEARCH".length()).trim().split(" ")))
            .filter(token -> !token.isEmpty()).mapToLong(Long::parseLong).sorted().toArray();
    }

    private static InetSocketAddress address(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    private static String domainOf(String address) {
        return address.substring(address.indexOf('@') + 1);
    }
}
