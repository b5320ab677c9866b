package org.mailroom.storage.crash;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Random;
import java.util.Set;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.store.FakeAuthenticator;
import org.apache.james.mailbox.store.FakeAuthorizator;
import org.mailroom.storage.mailbox.MailboxStore;
import org.mailroom.storage.metrics.MicrometerMetricFactory;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Mono;

/**
 * The child JVM of {@link CrashSafetyIT}. {@code append DATA_DIR RUN SEED} appends messages to the INBOX of
 * {@link #USER} until killed: it opens the store, prints {@code READY}, waits for {@code GO} on its standard
 * input, then prints {@code PENDING n message-id sha256} before each append and
 * {@code OK uid message-id sha256} once {@code appendMessage} has returned. {@code hold DATA_DIR} opens the
 * database, prints {@code READY} and keeps it open until its standard input closes.
 */
public final class CrashAppender {
    static final Username USER = Username.of("alice@example.org");

    private CrashAppender() {
    }

    public static void main(String[] args) throws Exception {
        // Protocol lines go to the real stdout, one write per line; anything else (logging) is kept off it.
        PrintStream protocol = new PrintStream(
            new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)), false, StandardCharsets.US_ASCII);
        System.setOut(System.err);
        Path dataDir = Path.of(args[1]);
        switch (args[0]) {
            case "append" -> append(protocol, dataDir, args[2], Long.parseLong(args[3]));
            case "hold" -> hold(protocol, dataDir);
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    static MailboxStore store(Database db) {
        return new MailboxStore(db, new FakeAuthenticator(), FakeAuthorizator.defaultReject(),
            new MicrometerMetricFactory(new SimpleMeterRegistry()), Clock.systemUTC(), MailboxStore.Settings.defaults(), Set.of());
    }

    private static void append(PrintStream out, Path dataDir, String run, long seed) throws Exception {
        Database db = Database.open(DatabaseSettings.embedded(dataDir));
        MailboxManager manager = store(db).mailboxManager();
        MailboxSession session = manager.createSystemSession(USER);
        MailboxPath inbox = MailboxPath.inbox(session);
        if (!Boolean.TRUE.equals(Mono.from(manager.mailboxExists(inbox, session)).block())) {
            manager.createMailbox(inbox, session);
        }
        MessageManager mailbox = manager.getMailbox(inbox, session);
        Random random = new Random(seed);
        warmUp(manager, session);
        // Started ahead of its turn, the child waits warm for the parent's go, so the kill timing is the parent's.
        out.println("READY");
        out.flush();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        if (!"GO".equals(commands.readLine())) {
            db.close();
            return;
        }
        for (long n = 1; ; n++) {
            String messageId = CrashTestMessages.messageId(run, n);
            int size = CrashTestMessages.MIN_SIZE + random.nextInt(CrashTestMessages.MAX_SIZE - CrashTestMessages.MIN_SIZE + 1);
            byte[] message = CrashTestMessages.message(messageId, size, random);
            String sha = CrashTestMessages.sha256(message);
            out.println("PENDING " + n + " " + messageId + " " + sha);
            out.flush();
            MessageManager.AppendResult result = mailbox.appendMessage(MessageManager.AppendCommand.builder().build(message), session);
            out.println("OK " + result.getId().getUid().asLong() + " " + messageId + " " + sha);
            out.flush();
        }
    }

    /**
     * One append into a scratch mailbox that is then deleted, so the append path is loaded and compiled before
     * the timed run and the store is left as it was.
     */
    private static void warmUp(MailboxManager manager, MailboxSession session) throws Exception {
        MailboxPath scratch = MailboxPath.forUser(USER, "warm-up");
        manager.createMailbox(scratch, session);
        byte[] message = CrashTestMessages.message("<warm-up@" + CrashTestMessages.MESSAGE_ID_DOMAIN + ">", 4096, new Random(0));
        manager.getMailbox(scratch, session).appendMessage(MessageManager.AppendCommand.builder().build(message), session);
        manager.deleteMailbox(scratch, session);
    }

    private static void hold(PrintStream out, Path dataDir) throws Exception {
        try (Database db = Database.open(DatabaseSettings.embedded(dataDir))) {
            out.println("READY");
            out.flush();
            while (System.in.read() >= 0) {
                // Hold the database until the parent closes our stdin (or kills us).
            }
        }
    }
}
