package org.mailroom.dist.warmup;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPMessage;
import org.eclipse.angus.mail.imap.IMAPStore;

import jakarta.mail.Address;
import jakarta.mail.FetchProfile;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.UIDFolder;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.search.BodyTerm;
import jakarta.mail.search.FlagTerm;
import jakarta.mail.search.FromStringTerm;
import jakarta.mail.search.HeaderTerm;
import jakarta.mail.search.OrTerm;
import jakarta.mail.search.SubjectTerm;

/**
 * What mail servers and mail clients do to a Mailroom, in rounds, against the warm-up's throwaway instance, driven
 * by a real client library (Angus Mail, the Jakarta Mail implementation the outbound queue already uses): a round
 * delivers mail over SMTP from a few concurrent sessions (plain and STARTTLS, several messages per connection, like
 * sending servers), then one IMAP session works with it the way a desktop client does (folder list, a fetch of
 * envelopes, flags, sizes and structure, bodies and their parts, searches, flag changes, copy, move, expunge,
 * appends to Sent and Drafts, IDLE until new mail arrives), and a synchronising client (a phone's or an offline
 * client's) resyncs its folders, refreshes its saved searches and downloads the newest messages whole. Rounds run
 * until the message budget is spent or time is up.
 */
public final class ClientWork {
    /** Concurrent SMTP sessions per round, and messages each sends over its connection. */
    private static final int SMTP_SESSIONS = 4;
    private static final int MESSAGES_PER_SESSION = 5;
    /** Messages an IMAP session reads in full, and how many of the newest it lists. */
    private static final int BODIES_READ = 5;
    private static final int HEADER_WINDOW = 50;
    private static final List<String> FOLDERS = List.of("Priority", "Spam", "Archive", "Sent", "Drafts");
    private static final List<String> SYNCHRONISED = List.of("INBOX", "Priority", "Archive", "Sent", "Drafts");
    /**
     * How often a synchronising session opens its folders and fetches every message's flags, UID and size, and how
     * many of INBOX's newest it then downloads whole. Mailroom answers both from dedicated paths (the membership rows
     * encoded straight into the response; one statement per whole message) that the desktop session above never
     * reaches: Angus fetches a list of envelopes and reads bodies in partial, \Seen-setting chunks. The resyncs make
     * the per-message code of a whole-folder FETCH hot enough for C2 over a few hundred messages, as a real folder's
     * first FETCH 1:* would otherwise compile it while it runs (bench/README.md, IMAP chapter, h-jit). All folders,
     * not INBOX alone: the sorter gives every delivered message a keyword, appended ones (Sent, Drafts, a mailbox
     * migrated by APPEND) have none, and code compiled while it saw only one of the two kinds is thrown away and
     * compiled again when the other comes (the keyword test in MetadataFetch.writeFlags did that, measured).
     * The downloads are of every synchronised folder's newest.
     */
    private static final int RESYNCS = 3;
    private static final int WHOLE_DOWNLOADS = 20;
    /**
     * A synchronising client's saved searches (virtual folders, smart mailboxes), run on the server in each folder
     * at each resync: a header only some messages have and the subject. Mailroom answers a query of header texts
     * alone by scanning each message's header bytes (HeaderFieldMatcher), a loop that no other command runs and
     * that a first header search of a large folder would otherwise compile, at C2 over a long on-stack
     * replacement, while it and the commands after it run (bench/README.md, IMAP chapter, h-jit of the seventeenth
     * session). The desktop session's searches (OR of two header terms, flags, body) take other paths.
     */
    private static final List<HeaderTerm> SAVED_SEARCHES = List.of(new HeaderTerm("List-Id", "news"),
        new HeaderTerm("Subject", "report"));
    /**
     * Messages the desktop session uploads into Archive in the first round, as a user moving a local folder to the
     * server does (one APPEND each), in batches of {@link #UPLOAD_BATCH}. Enough that a resync of Archive answers
     * with more than one 16 KB batch of FETCH lines from the first round on, as a real folder's FETCH 1:* does: code
     * compiled while every folder was smaller than that (the warm-up's INBOX grows past it only in its second half)
     * was thrown away at the first larger one, measured (FetchLines.Builder.full, bench/README.md, IMAP chapter, h-jit
     * of the seventeenth session). They also run the APPEND path a few hundred times before the real server's first
     * client does. Not counted in the message budget, which is for the rounds' mail.
     */
    private static final int UPLOADED = 400;
    private static final int UPLOAD_BATCH = 50;
    /** How long the IDLE waits for the delivery that wakes it before the client ends it itself. */
    private static final long IDLE_LIMIT_SECONDS = 10;

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

    /** What was done: messages delivered (SMTP and APPEND), IMAP sessions, rounds, and where. */
    public record Done(int messages, int imapSessions, int rounds, Ports ports) {
    }

    private final Ports ports;
    private final Account account;
    private final SSLContext tls;
    private final SyntheticMail mail = new SyntheticMail(20261130L);
    private int messages;
    private int imapSessions;
    private int rounds;

    public ClientWork(Ports ports, Account account, SSLContext tls) {
        this.ports = ports;
        this.account = account;
        this.tls = tls;
    }

    /**
     * Runs rounds until {@code messageBudget} messages are delivered or {@link System#nanoTime()} has passed
     * {@code deadlineNanos} (checked between rounds; a round takes a second or two once compiled).
     */
    public Done run(int messageBudget, long deadlineNanos) throws MessagingException, IOException, InterruptedException {
        ExecutorService senders = Executors.newFixedThreadPool(SMTP_SESSIONS, runnable -> {
            Thread thread = new Thread(runnable, "mailroom-warm-up-sender");
            thread.setDaemon(true);
            return thread;
        });
        try {
            while (messages < messageBudget && System.nanoTime() - deadlineNanos < 0) {
                deliver(senders, rounds);
                read(senders, rounds);
                synchronise(rounds);
                rounds++;
            }
        } finally {
            senders.shutdownNow();
        }
        return new Done(messages, imapSessions, rounds, ports);
    }

    /**
     * Once, after the rounds and the warm-up's other steps: a folder of thousands of messages gathered by a desktop
     * session and worked with by a synchronising one ({@link LargeFolderWork}); what was done in all. Last, because
     * it runs, as the first commands of a real server on a large mailbox do, the per-row code of the database's reads
     * thousands of times: code that a step before it had thrown away (a branch or a type its compiled form had not
     * seen) is compiled again here, before the listeners open, instead of during those first commands (bench/README.md,
     * IMAP chapter, h-first of the twenty-first session). Copies, not counted in the message budget.
     */
    public Done largeFolder() throws MessagingException, IOException {
        try (IMAPStore desktop = connect(imapSession(rounds, new Properties()));
             IMAPStore synchronising = connect(imapSession(rounds + 1, wholeMessages()))) {
            LargeFolderWork.run(desktop, synchronising);
        }
        return new Done(messages, imapSessions, rounds, ports);
    }

    private void deliver(ExecutorService senders, int round) throws MessagingException, InterruptedException {
        List<Future<?>> sessions = new ArrayList<>();
        for (int s = 0; s < SMTP_SESSIONS; s++) {
            boolean startTls = (round + s) % 2 == 1;
            List<byte[]> batch = new ArrayList<>();
            synchronized (mail) {
                String from = mail.sender();
                for (int m = 0; m < MESSAGES_PER_SESSION; m++) {
                    batch.add(mail.next(from, account.address()));
                }
            }
            sessions.add(senders.submit(() -> {
                send(batch, startTls);
                return null;
            }));
        }
        for (Future<?> session : sessions) {
            try {
                session.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof MessagingException failed ? failed
                    : new MessagingException("warm-up delivery failed", (Exception) e.getCause());
            }
        }
        messages += SMTP_SESSIONS * MESSAGES_PER_SESSION;
    }

    /** One sending server's connection to the MX listener, several messages over it; the envelope is the From. */
    private void send(List<byte[]> batch, boolean startTls) throws MessagingException {
        Properties smtp = new Properties();
        smtp.put("mail.smtp.host", "127.0.0.1");
        smtp.put("mail.smtp.port", Integer.toString(ports.mx()));
        smtp.put("mail.smtp.localhost", "mx.example.net");
        if (startTls) {
            smtp.put("mail.smtp.starttls.enable", "true");
            smtp.put("mail.smtp.starttls.required", "true");
            trustOnlyTheThrowaway(smtp, "smtp");
        }
        Session session = Session.getInstance(smtp);
        Address[] recipient = {new InternetAddress(account.address())};
        try (Transport transport = session.getTransport("smtp")) {
            transport.connect();
            for (byte[] message : batch) {
                transport.sendMessage(parse(session, message), recipient);
            }
        }
    }

    private void read(ExecutorService senders, int round) throws MessagingException, IOException, InterruptedException {
        Session session = imapSession(round, new Properties());
        try (IMAPStore store = connect(session)) {
            work(store, session, senders, round);
        }
    }

    /**
     * A synchronising client (mbsync, a phone's mail app, a desktop client's offline folders): it opens each folder
     * but Spam, takes every message's flags, UID and size ({@code FETCH 1:n (FLAGS UID RFC822.SIZE)}), refreshes its
     * saved searches there ({@code SEARCH ALL HEADER ...}) and, at the first resync, downloads the folder's newest whole
     * without marking them seen ({@code BODY.PEEK[]}, one message per command, no partial fetches), on the other TLS
     * mode than this round's desktop session.
     */
    private void synchronise(int round) throws MessagingException, IOException {
        try (IMAPStore store = connect(imapSession(round + 1, wholeMessages()))) {
            for (int i = 0; i < RESYNCS; i++) {
                for (String name : SYNCHRONISED) {
                    try (IMAPFolder folder = (IMAPFolder) store.getFolder(name)) {
                        if (!folder.exists()) {
                            continue;
                        }
                        folder.open(Folder.READ_WRITE);
                        Message[] all = folder.getMessages();
                        folder.fetch(all, profile(FetchProfile.Item.FLAGS, UIDFolder.FetchProfileItem.UID,
                            FetchProfile.Item.SIZE));
                        for (HeaderTerm saved : SAVED_SEARCHES) {
                            folder.search(saved);
                        }
                        if (i == 0) {
                            download(all);
                        }
                    }
                }
            }
        }
    }

    /** A synchronising client's options: whole messages in one FETCH each, without marking them seen. */
    private static Properties wholeMessages() {
        Properties options = new Properties();
        options.put("partialfetch", "false");
        options.put("peek", "true");
        return options;
    }

    /** The newest messages whole; each must be as long as the size the resync reported (a failed warm-up says so). */
    private static void download(Message[] all) throws MessagingException, IOException {
        for (int i = Math.max(0, all.length - WHOLE_DOWNLOADS); i < all.length; i++) {
            IMAPMessage message = (IMAPMessage) all[i];
            // getMimeStream is the whole message as stored (BODY.PEEK[]); getRawInputStream would be its body only
            long read;
            try (InputStream whole = message.getMimeStream()) {
                read = whole.transferTo(OutputStream.nullOutputStream());
            }
            if (read != message.getSize()) {
                throw new MessagingException("warm-up: message " + message.getMessageNumber() + " downloaded with "
                    + read + " of its " + message.getSize() + " bytes");
            }
        }
    }

    /**
     * An IMAP client session of Angus Mail, STARTTLS on the IMAP port in even rounds and implicit TLS on the IMAPS
     * port in odd ones (clients of both kinds), with {@code options} (Angus's {@code mail.imap.*} property names
     * without that prefix) on top of its defaults.
     */
    private Session imapSession(int round, Properties options) {
        boolean startTls = round % 2 == 0;
        String protocol = startTls ? "imap" : "imaps";
        Properties imap = new Properties();
        imap.put("mail." + protocol + ".host", "127.0.0.1");
        imap.put("mail." + protocol + ".port", Integer.toString(startTls ? ports.imapStartTls() : ports.imapImplicitTls()));
        if (startTls) {
            imap.put("mail.imap.starttls.enable", "true");
            imap.put("mail.imap.starttls.required", "true");
        }
        options.forEach((key, value) -> imap.put("mail." + protocol + "." + key, value));
        trustOnlyTheThrowaway(imap, protocol);
        imap.put("mail.store.protocol", protocol);
        return Session.getInstance(imap);
    }

    private IMAPStore connect(Session session) throws MessagingException {
        IMAPStore store = (IMAPStore) session.getStore();
        store.connect(account.address(), account.password());
        imapSessions++;
        return store;
    }

    private void work(IMAPStore store, Session session, ExecutorService senders, int round)
        throws MessagingException, IOException, InterruptedException {
        store.getDefaultFolder().list("*");
        store.getDefaultFolder().listSubscribed("*");
        if (round == 0) {
            // The folders clients expect; the sorter's own may exist already.
            for (String name : FOLDERS) {
                Folder folder = store.getFolder(name);
                if (!folder.exists()) {
                    folder.create(Folder.HOLDS_MESSAGES);
                }
                folder.setSubscribed(true);
            }
            upload((IMAPFolder) store.getFolder("Archive"));
        }
        for (String name : FOLDERS) {
            // STATUS of a closed folder, as clients poll the ones not open.
            Folder folder = store.getFolder(name);
            folder.getMessageCount();
            folder.getUnreadMessageCount();
        }
        try (IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX")) {
            inbox.open(Folder.READ_WRITE);
            Message[] newest = newest(inbox);
            readBodies(newest);
            search(inbox);
            change(inbox, newest, (IMAPFolder) store.getFolder("Archive"));
            append(store);
            idle(inbox, senders);
        }
        // A client glancing at another folder read-only (EXAMINE).
        try (IMAPFolder spam = (IMAPFolder) store.getFolder("Spam")) {
            spam.open(Folder.READ_ONLY);
            if (spam.getMessageCount() > 0) {
                spam.fetch(spam.getMessages(), profile(FetchProfile.Item.FLAGS, UIDFolder.FetchProfileItem.UID));
            }
        }
    }

    /** The newest messages' list entries in one FETCH: envelope, flags, size, structure, UID. */
    private static Message[] newest(IMAPFolder inbox) throws MessagingException {
        int count = inbox.getMessageCount();
        if (count == 0) {
            return new Message[0];
        }
        Message[] newest = inbox.getMessages(Math.max(1, count - HEADER_WINDOW + 1), count);
        inbox.fetch(newest, profile(FetchProfile.Item.ENVELOPE, FetchProfile.Item.FLAGS, FetchProfile.Item.SIZE,
            FetchProfile.Item.CONTENT_INFO, UIDFolder.FetchProfileItem.UID));
        return newest;
    }

    /** The newest few opened: the whole message once (as a client caches it), then each part as a viewer does. */
    private static void readBodies(Message[] newest) throws MessagingException, IOException {
        for (int i = 0; i < Math.min(BODIES_READ, newest.length); i++) {
            Message message = newest[newest.length - 1 - i];
            try (InputStream whole = ((MimeMessage) message).getRawInputStream()) {
                whole.transferTo(OutputStream.nullOutputStream());
            }
            readParts(message);
            message.setFlag(Flags.Flag.SEEN, true);
        }
    }

    private static void readParts(Part part) throws MessagingException, IOException {
        if (part.getContent() instanceof Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                readParts(multipart.getBodyPart(i));
            }
        } else {
            try (InputStream content = part.getInputStream()) {
                content.transferTo(OutputStream.nullOutputStream());
            }
        }
    }

    /** The searches of a client's search box and its views (unread, flagged). */
    private static void search(IMAPFolder inbox) throws MessagingException {
        inbox.search(new FlagTerm(new Flags(Flags.Flag.SEEN), false));
        inbox.search(new FlagTerm(new Flags(Flags.Flag.FLAGGED), true));
        inbox.search(new OrTerm(new SubjectTerm("report"), new FromStringTerm("anna")));
        inbox.search(new BodyTerm("invoice"));
    }

    /** Flag, unflag, copy, move and expunge, as a user tidying the inbox does. */
    private static void change(IMAPFolder inbox, Message[] newest, IMAPFolder archive) throws MessagingException {
        if (newest.length < 6) {
            return;
        }
        inbox.setFlags(new Message[] {newest[0]}, new Flags(Flags.Flag.FLAGGED), true);
        inbox.setFlags(new Message[] {newest[1]}, new Flags(Flags.Flag.SEEN), false);
        inbox.copyMessages(new Message[] {newest[1]}, archive);
        inbox.moveMessages(new Message[] {newest[2], newest[3]}, archive);
        // Not into Spam: that trains the spam filter, and in the throwaway's new database Derby's plan for the
        // filter's token look-up (made while the table was empty) scans the growing table with the message's whole
        // IN list, half of a measured warm-up's CPU for nothing the real database shares.
        inbox.setFlags(new Message[] {newest[4], newest[5]}, new Flags(Flags.Flag.DELETED), true);
        inbox.expunge();
    }

    /** {@link #UPLOADED} older messages of the user's, read, moved onto the server into {@code archive}. */
    private void upload(IMAPFolder archive) throws MessagingException {
        Session session = Session.getInstance(new Properties());
        for (int done = 0; done < UPLOADED; done += UPLOAD_BATCH) {
            Message[] batch = new Message[Math.min(UPLOAD_BATCH, UPLOADED - done)];
            synchronized (mail) {
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = parse(session, mail.next(mail.sender(), account.address()));
                    batch[i].setFlag(Flags.Flag.SEEN, true);
                }
            }
            archive.appendMessages(batch);
        }
    }

    /** A sent message kept in Sent and a draft saved, as a client does after sending and while composing. */
    private void append(IMAPStore store) throws MessagingException, IOException {
        Session session = Session.getInstance(new Properties());
        MimeMessage sent;
        MimeMessage draft;
        synchronized (mail) {
            sent = parse(session, mail.next(account.address(), mail.sender()));
            draft = parse(session, mail.next(account.address(), mail.sender()));
        }
        sent.setFlag(Flags.Flag.SEEN, true);
        draft.setFlag(Flags.Flag.DRAFT, true);
        store.getFolder("Sent").appendMessages(new Message[] {sent});
        store.getFolder("Drafts").appendMessages(new Message[] {draft});
        messages += 2;
    }

    /**
     * IDLE until the server announces a message delivered meanwhile over SMTP. Should the delivery land before the
     * IDLE starts (the server then has nothing new to announce in it), the delivering thread ends the IDLE itself
     * after {@link #IDLE_LIMIT_SECONDS}: any other use of the folder makes Angus send DONE.
     */
    private void idle(IMAPFolder inbox, ExecutorService senders) throws MessagingException, InterruptedException {
        CountDownLatch woken = new CountDownLatch(1);
        byte[] message;
        synchronized (mail) {
            message = mail.next(IDLE_SENDER, account.address());
        }
        Future<?> delivery = senders.submit(() -> {
            send(List.of(message), false);
            if (!woken.await(IDLE_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                inbox.getMessageCount();
            }
            return null;
        });
        inbox.idle(true);
        woken.countDown();
        try {
            delivery.get();
        } catch (ExecutionException e) {
            throw new MessagingException("warm-up delivery during IDLE failed", (Exception) e.getCause());
        }
        messages++;
    }

    /** TLS that trusts only the throwaway's own certificate (issued to localhost and 127.0.0.1). */
    private void trustOnlyTheThrowaway(Properties properties, String protocol) {
        properties.put("mail." + protocol + ".ssl.socketFactory", tls.getSocketFactory());
        properties.put("mail." + protocol + ".ssl.checkserveridentity", "true");
    }

    private static MimeMessage parse(Session session, byte[] message) throws MessagingException {
        return new MimeMessage(session, new ByteArrayInputStream(message));
    }

    private static FetchProfile profile(FetchProfile.Item... items) {
        FetchProfile profile = new FetchProfile();
        Arrays.stream(items).forEach(profile::add);
        return profile;
    }
}
