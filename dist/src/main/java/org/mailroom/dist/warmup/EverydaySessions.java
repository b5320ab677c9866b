package org.mailroom.dist.warmup;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.net.ssl.SSLContext;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.protocol.BODY;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.search.FlagTerm;
import jakarta.mail.search.SubjectTerm;

/**
 * Several mail clients at once, each with a folder open, sending the commands an open folder gets all day, many times
 * over: flag resyncs of a range ({@code FETCH m:n (UID FLAGS RFC822.SIZE)}), whole messages ({@code FETCH n
 * (BODY.PEEK[])}), flag changes ({@code STORE}), searches of a view (unseen, flagged, a subject), a message filed
 * ({@code APPEND}), one deleted and expunged, polls ({@code NOOP}). Angus Mail drives them, as in {@link ClientWork}.
 *
 * <p>Why, after {@link ClientWork}'s rounds: those call each per-command path tens of times, which leaves it compiled
 * by C1 (warm) but short of C2's thresholds (thousands of calls), so a new server's first minutes of real load spent
 * a quarter of its CPU in the C2 compiler compiling exactly these paths (bench/README.md, IMAP chapter, h-c2 of the
 * eighteenth session and h-mix of the nineteenth). Concurrent sessions on their own folders, as real users have,
 * also run the paths where commands of several connections meet (the storage's group commit, the event loops'
 * hand-offs). The folders, messages and flags are the warm-up's own synthetic ones.
 */
public final class EverydaySessions {
    /** Concurrent client sessions, each on its own folder; half STARTTLS, half implicit TLS. */
    public static final int SESSIONS = 4;
    /** Messages each session's folder holds (uploaded first, one APPEND each); APPENDs and EXPUNGEs keep it there. */
    private static final int FOLDER_MESSAGES = 60;
    private static final List<String> FOLDER_NAMES = List.of("Work", "Family", "Receipts", "Travel");
    /** Messages a flag resync covers, as a client refreshing what its window shows. */
    private static final int RESYNC_WINDOW = 40;
    private static final List<Flags> USER_FLAGS = List.of(new Flags(Flags.Flag.SEEN), new Flags(Flags.Flag.FLAGGED),
        new Flags(Flags.Flag.ANSWERED), new Flags("$Label1"));

    /** One pass of a session's commands, in the proportions an open folder sees them (mostly reads). */
    private enum Command { RESYNC, READ, FLAG, UNFLAG, SEARCH_UNSEEN, SEARCH_FLAGGED, SEARCH_SUBJECT, FILE, DELETE, POLL }

    private static final Command[] PASS = {
        Command.RESYNC, Command.READ, Command.FLAG, Command.FILE, Command.RESYNC, Command.POLL, Command.READ,
        Command.UNFLAG, Command.SEARCH_UNSEEN, Command.RESYNC, Command.DELETE, Command.READ, Command.FLAG,
        Command.FILE, Command.RESYNC, Command.SEARCH_FLAGGED, Command.READ, Command.DELETE, Command.RESYNC,
        Command.SEARCH_SUBJECT, Command.UNFLAG, Command.POLL};

    /** How many commands the sessions sent in all, and in how many seconds (connections and uploads included). */
    public record Done(int commands, double seconds) {
    }

    private final ClientWork.Ports ports;
    private final ClientWork.Account account;
    private final SSLContext tls;

    public EverydaySessions(ClientWork.Ports ports, ClientWork.Account account, SSLContext tls) {
        this.ports = ports;
        this.account = account;
        this.tls = tls;
    }

    /**
     * Runs {@link #SESSIONS} sessions until together they have sent {@code commandBudget} commands or the deadline
     * ({@link System#nanoTime()}) has passed, checked between commands; a failed command fails the warm-up.
     */
    public Done run(int commandBudget, long deadlineNanos) throws MessagingException, InterruptedException {
        long started = System.nanoTime();
        ExecutorService clients = Executors.newFixedThreadPool(SESSIONS, runnable -> {
            Thread thread = new Thread(runnable, "warm-up-everyday");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<Integer>> sessions = new ArrayList<>();
            for (int s = 0; s < SESSIONS; s++) {
                int session = s;
                sessions.add(clients.submit(() -> session(session, commandBudget / SESSIONS, deadlineNanos)));
            }
            int commands = 0;
            for (Future<Integer> session : sessions) {
                try {
                    commands += session.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof MessagingException failed ? failed
                        : new MessagingException("warm-up everyday session failed", (Exception) e.getCause());
                }
            }
            return new Done(commands, (System.nanoTime() - started) / 1e9);
        } finally {
            clients.shutdownNow();
        }
    }

    private int session(int index, int budget, long deadlineNanos) throws MessagingException {
        SyntheticMail mail = new SyntheticMail(20261201L + index);
        Random random = new Random(index);
        Session session = imapSession(index % 2 == 0);
        int sent = 0;
        try (IMAPStore store = (IMAPStore) session.getStore()) {
            store.connect(account.address(), account.password());
            IMAPFolder folder = (IMAPFolder) store.getFolder(FOLDER_NAMES.get(index % FOLDER_NAMES.size()));
            if (!folder.exists()) {
                folder.create(Folder.HOLDS_MESSAGES);
            }
            Message[] upload = new Message[FOLDER_MESSAGES];
            for (int i = 0; i < upload.length; i++) {
                upload[i] = message(session, mail, account.address());
            }
            folder.appendMessages(upload);
            folder.open(Folder.READ_WRITE);
            try {
                while (sent < budget && System.nanoTime() < deadlineNanos) {
                    for (Command command : PASS) {
                        sent += send(command, folder, session, mail, random);
                    }
                }
            } finally {
                folder.close(false);
            }
        }
        return sent;
    }

    /** Sends {@code command} in the open folder; how many IMAP commands that took. */
    private int send(Command command, IMAPFolder folder, Session session, SyntheticMail mail, Random random)
        throws MessagingException {
        int count = folder.getMessageCount();
        int any = 1 + random.nextInt(count);
        switch (command) {
            case RESYNC -> {
                int low = 1 + random.nextInt(Math.max(1, count - RESYNC_WINDOW));
                folder.doCommand(protocol -> protocol.fetch(low, Math.min(count, low + RESYNC_WINDOW),
                    "UID FLAGS RFC822.SIZE"));
            }
            case READ -> {
                BODY body = (BODY) folder.doCommand(protocol -> protocol.peekBody(any, ""));
                if (body == null || body.getByteArray().getCount() == 0) {
                    throw new MessagingException("warm-up: message " + any + " came back empty");
                }
            }
            case FLAG, UNFLAG -> folder.setFlags(any, any, USER_FLAGS.get(random.nextInt(USER_FLAGS.size())),
                command == Command.FLAG);
            case SEARCH_UNSEEN -> folder.search(new FlagTerm(new Flags(Flags.Flag.SEEN), false));
            case SEARCH_FLAGGED -> folder.search(new FlagTerm(new Flags(Flags.Flag.FLAGGED), true));
            case SEARCH_SUBJECT -> folder.search(new SubjectTerm("report"));
            case FILE -> folder.appendMessages(new Message[] {message(session, mail, account.address())});
            case DELETE -> {
                // the newest, which FILE put there: the folder keeps its size
                folder.setFlags(count, count, new Flags(Flags.Flag.DELETED), true);
                folder.expunge();
                return 2;
            }
            case POLL -> folder.doCommand(protocol -> {
                protocol.noop();
                return null;
            });
        }
        return 1;
    }

    private static MimeMessage message(Session session, SyntheticMail mail, String to) throws MessagingException {
        return new MimeMessage(session, new ByteArrayInputStream(mail.next(mail.sender(), to)));
    }

    /** An Angus IMAP session on STARTTLS or implicit TLS, trusting only the throwaway's certificate. */
    private Session imapSession(boolean startTls) {
        String protocol = startTls ? "imap" : "imaps";
        Properties imap = new Properties();
        imap.put("mail." + protocol + ".host", "127.0.0.1");
        imap.put("mail." + protocol + ".port",
            Integer.toString(startTls ? ports.imapStartTls() : ports.imapImplicitTls()));
        if (startTls) {
            imap.put("mail.imap.starttls.enable", "true");
            imap.put("mail.imap.starttls.required", "true");
        }
        imap.put("mail." + protocol + ".ssl.socketFactory", tls.getSocketFactory());
        imap.put("mail." + protocol + ".ssl.checkserveridentity", "true");
        imap.put("mail.store.protocol", protocol);
        return Session.getInstance(imap);
    }
}
