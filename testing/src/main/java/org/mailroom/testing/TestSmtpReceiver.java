package org.mailroom.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A remote SMTP server for tests of outbound delivery: real sockets on loopback, a scripted answer per recipient
 * ({@link #answer}: e.g. 451 twice, then 250), and misbehaviours on demand ({@link Behaviour}): a garbage greeting,
 * an over-long reply line, silence after the message data. STARTTLS is offered when a server context is given.
 * Every accepted message is recorded with its envelope ({@link #received}).
 */
public final class TestSmtpReceiver implements AutoCloseable {

    /** How the server misbehaves, if at all. */
    public enum Behaviour {
        NORMAL,
        /** Greets with a line that is not an SMTP reply. */
        GARBAGE_GREETING,
        /** Greets with a 2,000,000-character line without a reply code (or line end). */
        OVERLONG_GREETING,
        /** Reads the message data and never answers it. */
        HANG_AFTER_DATA
    }

    /** A message the server accepted (250 after its data). */
    public record Received(String sender, List<String> recipients, String data) {
    }

    private final ServerSocket socket;
    private final SSLContext tls;
    private final Map<String, Deque<String>> answers = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile Behaviour behaviour = Behaviour.NORMAL;
    private volatile boolean eightBitMime = true;
    private volatile boolean closed;

    private TestSmtpReceiver(ServerSocket socket, SSLContext tls) {
        this.socket = socket;
        this.tls = tls;
        Thread acceptor = new Thread(this::accept, "test-smtp-" + socket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Listens on {@code address}:{@code port} (0 = a free port); {@code tls} may be null (no STARTTLS). */
    public static TestSmtpReceiver start(InetAddress address, int port, SSLContext tls) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(address, port));
        return new TestSmtpReceiver(socket, tls);
    }

    public int port() {
        return socket.getLocalPort();
    }

    public void setBehaviour(Behaviour behaviour) {
        this.behaviour = behaviour;
    }

    /** Whether EHLO offers 8BITMIME (it does unless told otherwise), like a remote that only takes 7-bit mail. */
    public void setEightBitMime(boolean offered) {
        this.eightBitMime = offered;
    }

    /**
     * Scripts the replies to {@code RCPT TO} for one address, used in order, one per attempt; the last one
     * stays. Addresses without a script get {@code 250 2.1.5 OK}.
     */
    public TestSmtpReceiver answer(String address, String... replies) {
        Deque<String> script = new ConcurrentLinkedDeque<>(List.of(replies));
        answers.put(address.toLowerCase(), script);
        return this;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    /** Every command line received so far (all connections). */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    public int connections() {
        return connections.get();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = socket.accept();
                connections.incrementAndGet();
                open.add(client);
                Thread session = new Thread(() -> serve(client), "test-smtp-session");
                session.setDaemon(true);
                session.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (Socket s = client) {
            s.setSoTimeout(30_000);
            converse(s);
        } catch (IOException | RuntimeException e) {
            // The client went away or the test closed the server.
        } finally {
            open.remove(client);
        }
    }

    private void converse(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        switch (behaviour) {
            case GARBAGE_GREETING -> {
                write(out, "HELLO THERE, I AM NOT AN SMTP SERVER");
                readLine(in);
                return;
            }
            case OVERLONG_GREETING -> {
                out.write("x".repeat(2_000_000).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                readLine(in);
                return;
            }
            default -> write(out, "220 receiver.test ESMTP test");
        }
        String sender = null;
        List<String> recipients = new ArrayList<>();
        boolean tlsActive = false;
        while (true) {
            String line = readLine(in);
            if (line == null) {
                return;
            }
            commands.add(line);
            String upper = line.toUpperCase();
            if (upper.startsWith("EHLO")) {
                write(out, "250-receiver.test\r\n250-SIZE 10000000\r\n" + (eightBitMime ? "250-8BITMIME\r\n" : "")
                    + (tls != null && !tlsActive ? "250-STARTTLS\r\n" : "") + "250 ENHANCEDSTATUSCODES");
            } else if (upper.startsWith("HELO")) {
                write(out, "250 receiver.test");
            } else if (upper.equals("STARTTLS") && tls != null && !tlsActive) {
                write(out, "220 2.0.0 go ahead");
                SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(s, null, s.getPort(), true);
                secure.setUseClientMode(false);
                secure.startHandshake();
                in = secure.getInputStream();
                out = secure.getOutputStream();
                tlsActive = true;
                sender = null;
                recipients.clear();
            } else if (upper.startsWith("MAIL FROM:")) {
                sender = address(line.substring(10));
                recipients.clear();
                write(out, "250 2.1.0 OK");
            } else if (upper.startsWith("RCPT TO:")) {
                String rcpt = address(line.substring(8));
                String reply = next(rcpt);
                if (reply.startsWith("2")) {
                    recipients.add(rcpt);
                }
                write(out, reply);
            } else if (upper.equals("DATA")) {
                if (recipients.isEmpty()) {
                    write(out, "554 5.5.1 no valid recipients");
                    continue;
                }
                write(out, "354 go ahead");
                String data = readData(in);
                if (behaviour == Behaviour.HANG_AFTER_DATA) {
                    readLine(in);
                    return;
                }
                received.add(new Received(sender, List.copyOf(recipients), data));
                write(out, "250 2.0.0 queued as " + received.size());
            } else if (upper.equals("RSET")) {
                sender = null;
                recipients.clear();
                write(out, "250 2.0.0 OK");
            } else if (upper.equals("NOOP")) {
                write(out, "250 2.0.0 OK");
            } else if (upper.equals("QUIT")) {
                write(out, "221 2.0.0 bye");
                return;
            } else {
                write(out, "502 5.5.2 command not recognised");
            }
        }
    }

    private String next(String rcpt) {
        Deque<String> script = answers.get(rcpt.toLowerCase());
        if (script == null || script.isEmpty()) {
            return "250 2.1.5 OK";
        }
        return script.size() > 1 ? script.pollFirst() : script.peekFirst();
    }

    private static String address(String path) {
        String p = path.trim();
        int end = p.indexOf('>');
        if (p.startsWith("<") && end > 0) {
            return p.substring(1, end);
        }
        int space = p.indexOf(' ');
        return space > 0 ? p.substring(0, space) : p;
    }

    private static String readData(InputStream in) throws IOException {
        StringBuilder data = new StringBuilder();
        while (true) {
            String line = readLine(in);
            if (line == null || line.equals(".")) {
                return data.toString();
            }
            data.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        return null;
    }

    private static void write(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (SocketException e) {
            // closing anyway
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
