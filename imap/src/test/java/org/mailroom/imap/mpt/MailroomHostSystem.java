package org.mailroom.imap.mpt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.mailroom.tls.ServerTls;
import org.apache.james.core.Username;
import org.apache.james.core.quota.QuotaCountLimit;
import org.apache.james.core.quota.QuotaSizeLimit;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.model.MailboxACL;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mpt.api.Continuation;
import org.apache.james.mpt.api.ImapFeatures;
import org.apache.james.mpt.api.ImapFeatures.Feature;
import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.api.Session;
import org.mailroom.imap.ImapLimits;
import org.mailroom.imap.LoginThrottle;
import org.mailroom.imap.MailroomImapServer;
import org.mailroom.storage.mailbox.MailboxStore;
import org.mailroom.storage.metrics.MicrometerMetricFactory;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;
import org.mailroom.storage.user.DomainRepository;
import org.mailroom.storage.user.MailroomAuthenticator;
import org.mailroom.storage.user.PasswordHasher;
import org.mailroom.storage.user.UserRepository;
import org.mailroom.testing.TestCertificate;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * James's MPT {@link ImapHostSystem} over a live Mailroom IMAP server reached through a socket.
 *
 * <p>One server and Derby store serve the whole test JVM; {@link #reset()} deletes every mailbox, subscription and
 * quota limit between scripts (users are kept: hashing a password costs a fifth of a second). Mailroom logs users
 * in by their full address while the scripts use bare names ({@code imapuser}), so a session adds
 * {@value #DOMAIN} to the user of LOGIN and AUTHENTICATE PLAIN and strips it again from what the server answers.
 * The session answers the server's {@code +} continuations, which James's {@code ExternalSession} cannot.
 */
public final class MailroomHostSystem implements ImapHostSystem {
    static final String DOMAIN = "mpt.example.test";
    static final String GREETING = "* OK IMAP4rev1 Server ready";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    /** Set MPT_TRACE=1 to print every line each session sends and receives. */
    private static final boolean TRACE = System.getenv("MPT_TRACE") != null;

    private static MailroomHostSystem shared;

    private final ImapFeatures features = ImapFeatures.of(Feature.NAMESPACE_SUPPORT, Feature.MOVE_SUPPORT,
        Feature.USER_FLAGS_SUPPORT, Feature.QUOTA_SUPPORT, Feature.ANNOTATION_SUPPORT, Feature.MOD_SEQ_SEARCH);
    private final Database database;
    private final UserRepository users;
    private final MailboxStore store;
    private final MailroomImapServer server;
    private final Set<String> knownUsers = ConcurrentHashMap.newKeySet();

    private MailroomHostSystem(Path directory) throws Exception {
        database = Database.open(DatabaseSettings.embedded(directory.resolve("data")));
        DomainRepository domains = new DomainRepository(database);
        users = new UserRepository(database, domains, PasswordHasher.weakForTestsOnly(1_000));
        domains.add(DOMAIN);
        MailroomAuthenticator authenticator = new MailroomAuthenticator(users);
        MicrometerMetricFactory metrics = new MicrometerMetricFactory(new SimpleMeterRegistry());
        store = new MailboxStore(database, authenticator, authenticator, metrics, Clock.systemUTC(),
            MailboxStore.Settings.defaults(), Set.of());
        TestCertificate certificate = TestCertificate.generate(directory);
        // The scripts log in in clear and some fail logins on purpose: no throttle, so no script waits on one.
        server = MailroomImapServer.start(store, ServerTls.forKeyManager(certificate.keyManager()), metrics,
            MailroomImapServer.Settings.startTls(InetAddress.getLoopbackAddress(), 0, "mail." + DOMAIN)
                .withPlaintextLoginAllowed(true)
                // the scripts assume a fresh account holds INBOX only (LIST, RENAME, SELECT expectations)
                .withDefaultFoldersCreated(false)
                .withLimits(ImapLimits.defaults().withConnectionsPerIp(0)
                    .withThrottle(LoginThrottle.Policy.disabled())));
    }

    /** The JVM's host system with its state reset: what each suite's {@code createImapHostSystem} returns. */
    public static synchronized MailroomHostSystem fresh() {
        try {
            if (shared == null) {
                Path directory = Files.createTempDirectory("mailroom-mpt");
                MailroomHostSystem system = new MailroomHostSystem(directory);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> system.close(directory)));
                shared = system;
            }
            shared.reset();
            return shared;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the Mailroom IMAP server for MPT", e);
        }
    }

    static String address(String user) {
        return user.contains("@") ? user : user + "@" + DOMAIN;
    }

    static Username mailroomUser(Username user) {
        return Username.of(address(user.asString()));
    }

    /** Deletes every mailbox of every owner and namespace (children first), subscription and quota limit. */
    void reset() throws Exception {
        MailboxManager manager = store.mailboxManager();
        MailboxSession admin = manager.createSystemSession(Username.of("mpt-reset@" + DOMAIN));
        List<Mailbox> mailboxes = store.mapperFactory().createMailboxMapper(admin).list().collectList().block();
        manager.endProcessingRequest(admin);
        mailboxes.sort(Comparator.comparing((Mailbox m) -> m.getName().length()).reversed());
        for (Mailbox mailbox : mailboxes) {
            MailboxSession session = manager.createSystemSession(mailbox.getUser());
            manager.deleteMailbox(mailbox.getMailboxId(), session);
            manager.endProcessingRequest(session);
        }
        for (String user : users.list()) {
            MailboxSession session = manager.createSystemSession(Username.of(user));
            for (MailboxPath subscription : store.subscriptionManager().subscriptions(session)) {
                store.subscriptionManager().unsubscribe(session, subscription);
            }
            manager.endProcessingRequest(session);
        }
        store.maxQuotaManager().removeGlobalMaxMessage();
        store.maxQuotaManager().removeGlobalMaxStorage();
    }

    @Override
    public boolean addUser(Username user, String password) {
        String address = address(user.asString());
        knownUsers.add(user.asString());
        if (!users.exists(address)) {
            users.add(address, password.toCharArray());
        } else if (!users.verify(address, password)) {
            users.changePassword(address, password.toCharArray());
        }
        return true;
    }

    @Override
    public void createMailbox(MailboxPath mailboxPath) throws Exception {
        MailboxManager manager = store.mailboxManager();
        MailboxPath path = new MailboxPath(mailboxPath.getNamespace(), mailroomUser(mailboxPath.getUser()),
            mailboxPath.getName());
        MailboxSession session = manager.createSystemSession(path.getUser());
        manager.createMailbox(path, session);
        manager.endProcessingRequest(session);
    }

    @Override
    public void setQuotaLimits(QuotaCountLimit maxMessageQuota, QuotaSizeLimit maxStorageQuota) throws Exception {
        store.maxQuotaManager().setGlobalMaxMessage(maxMessageQuota);
        store.maxQuotaManager().setGlobalMaxStorage(maxStorageQuota);
    }

    @Override
    public void grantRights(MailboxPath mailboxPath, Username userName, MailboxACL.Rfc4314Rights rights)
        throws Exception {
        MailboxManager manager = store.mailboxManager();
        MailboxPath path = new MailboxPath(mailboxPath.getNamespace(), mailroomUser(mailboxPath.getUser()),
            mailboxPath.getName());
        MailboxSession session = manager.createSystemSession(path.getUser());
        manager.setRights(path, MailboxACL.EMPTY.apply(MailboxACL.command()
            .forUser(mailroomUser(userName)).rights(rights).asAddition()), session);
        manager.endProcessingRequest(session);
    }

    @Override
    public boolean supports(Feature... wanted) {
        return features.supports(wanted);
    }

    @Override
    public void beforeTest() throws Exception {
        reset();
    }

    @Override
    public void afterTest() {
    }

    @Override
    public Session newSession(Continuation continuation) {
        return new SocketSession(continuation);
    }

    private void close(Path directory) {
        server.close();
        database.close();
        try (var walk = Files.walk(directory)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One client connection speaking the script's lines, with the user-name translation described above. */
    private final class SocketSession implements Session {
        private static final Pattern LOGIN = Pattern.compile("^(\\S+ LOGIN )(\"?)([^\\s\"@]+)(\"?)( .*)$",
            Pattern.CASE_INSENSITIVE);
        private static final Pattern INLINE_PLAIN = Pattern.compile("^(\\S+ AUTHENTICATE \"?PLAIN\"? )(\\S+)$",
            Pattern.CASE_INSENSITIVE);
        private static final Pattern LITERAL_PLUS = Pattern.compile("^(.*)\\{(\\d+)\\+}$");
        // SETACL/DELETEACL name a user by a bare name too; James refuses rights for another domain's user
        private static final Pattern ACL_IDENTIFIER = Pattern.compile("^(\\S+ (?:SETACL|DELETEACL) \\S+ -?)([^\\s@\"]+)(.*)$",
            Pattern.CASE_INSENSITIVE);

        private final Continuation continuation;
        private Socket socket;
        private InputStream in;
        private OutputStream out;
        private boolean first;
        private String heldLiteralLine;
        private boolean closed;

        SocketSession(Continuation continuation) {
            this.continuation = continuation;
        }

        @Override
        public void start() throws Exception {
            socket = new Socket(server.address().getAddress(), server.port());
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            in = socket.getInputStream();
            out = socket.getOutputStream();
            first = true;
            closed = false;
        }

        @Override
        public void restart() throws Exception {
            // REINIT: a new connection whose greeting the script does not expect (James's own host sends none)
            stop();
            start();
            rawLine();
            first = false;
        }

        @Override
        public void stop() throws Exception {
            if (socket != null) {
                socket.close();
            }
        }

        @Override
        public String readLine() throws Exception {
            String line = rawLine();
            if (first) {
                first = false;
                return line.startsWith("* OK") ? GREETING : line;
            }
            if (line.startsWith("+")) {
                try {
                    continuation.doContinue();
                } catch (RuntimeException notExpected) {
                    // a "+" the script matches as an ordinary line (IDLE, AUTHENTICATE challenges)
                }
            }
            for (String user : knownUsers) {
                line = line.replace(address(user), user);
            }
            return line;
        }

        private String rawLine() throws IOException {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            while (true) {
                int b = in.read();
                if (b == -1) {
                    // As James's ExternalSession: a closed connection reads as empty lines (after LOGOUT, say).
                    closed = true;
                    break;
                }
                if (b == '\n') {
                    break;
                }
                buffer.write(b);
            }
            // Only the CR of the line's CRLF goes: a partial FETCH may end a line inside a literal with a lone CR.
            byte[] bytes = buffer.toByteArray();
            int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
            String line = new String(bytes, 0, length, StandardCharsets.UTF_8);
            if (TRACE) {
                System.out.println("S: " + line);
            }
            return line;
        }

        @Override
        public void writeLine(String line) throws Exception {
            if (heldLiteralLine != null) {
                String held = heldLiteralLine;
                heldLiteralLine = null;
                String plain = translatedPlain(line);
                if (plain != null) {
                    Matcher m = LITERAL_PLUS.matcher(held);
                    m.matches();
                    send(m.group(1) + "{" + plain.length() + "+}");
                    send(plain);
                    return;
                }
                send(held);
            }
            for (String user : knownUsers) {
                line = line.replaceAll("(#private&)" + Pattern.quote(user) + "(?![@\\w.-])", "$1" + address(user));
            }
            Matcher acl = ACL_IDENTIFIER.matcher(line);
            if (acl.matches()) {
                line = acl.group(1) + address(acl.group(2)) + acl.group(3);
            }
            Matcher login = LOGIN.matcher(line);
            Matcher inline = INLINE_PLAIN.matcher(line);
            if (inline.matches() && translatedPlain(inline.group(2)) != null) {
                line = inline.group(1) + translatedPlain(inline.group(2));
            } else if (login.matches()) {
                line = login.group(1) + login.group(2) + address(login.group(3)) + login.group(4) + login.group(5);
            } else if (LITERAL_PLUS.matcher(line).matches() && line.toUpperCase().contains("AUTHENTICATE")) {
                heldLiteralLine = line;
                return;
            } else {
                String plain = translatedPlain(line);
                if (plain != null) {
                    line = plain;
                }
            }
            send(line);
        }

        /** A SASL PLAIN response for a bare user name, re-encoded for its address; null for any other line. */
        private String translatedPlain(String line) {
            if (line.isEmpty() || !line.matches("[A-Za-z0-9+/]+=*")) {
                return null;
            }
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(line), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
            String[] parts = decoded.split("\0", -1);
            String rewritten;
            if (parts.length == 2 && knownUsers.contains(parts[0])) {
                // "user\0password": James reads a response without the authorization part too
                rewritten = address(parts[0]) + "\0" + parts[1];
            } else if (parts.length == 3 && knownUsers.contains(parts[1])) {
                String authz = parts[0].isEmpty() ? "" : address(parts[0]);
                rewritten = authz + "\0" + address(parts[1]) + "\0" + parts[2];
            } else {
                return null;
            }
            return Base64.getEncoder().encodeToString(rewritten.getBytes(StandardCharsets.UTF_8));
        }

        private void send(String line) throws IOException {
            if (closed) {
                return;
            }
            if (TRACE) {
                System.out.println("C: " + line);
            }
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void await() throws Exception {
            Thread.sleep(300);
        }
    }
}
