package org.mailroom.dist.warmup;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

/**
 * A mail client's side of IMAP4rev1 (RFC 3501), for the warm-up: tagged commands, literals in both directions, IDLE.
 * Responses are only checked for their tagged OK; the untagged ones are returned as text (literals inlined).
 */
final class ImapClient implements AutoCloseable {
    private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)\\}$");

    private final LineConnection connection;
    private int nextTag = 1;

    private ImapClient(LineConnection connection) {
        this.connection = connection;
    }

    /** Connects to the STARTTLS port, upgrades the connection, and asks for the capabilities again as clients do. */
    static ImapClient startTls(InetSocketAddress address, SSLContext tls) throws IOException {
        ImapClient client = new ImapClient(LineConnection.plain(address));
        try {
            client.connection.readLine();
            client.command("CAPABILITY");
            client.command("STARTTLS");
            client.connection.startTls(tls);
            client.command("CAPABILITY");
            return client;
        } catch (IOException | RuntimeException e) {
            client.connection.close();
            throw e;
        }
    }

    /** Connects to the implicit-TLS port. */
    static ImapClient implicitTls(InetSocketAddress address, SSLContext tls) throws IOException {
        ImapClient client = new ImapClient(LineConnection.tls(address, tls));
        try {
            client.connection.readLine();
            client.command("CAPABILITY");
            return client;
        } catch (IOException | RuntimeException e) {
            client.connection.close();
            throw e;
        }
    }

    /** Runs one command; returns its untagged responses, fails unless it ends in OK. */
    List<String> command(String command) throws IOException {
        String tag = tag();
        connection.writeLine(tag + " " + command);
        return responsesUntil(tag, command);
    }

    /** Runs one command that may be refused (NO); returns whether it was done. */
    boolean attempt(String command) throws IOException {
        String tag = tag();
        connection.writeLine(tag + " " + command);
        try {
            responsesUntil(tag, command);
            return true;
        } catch (RefusedException e) {
            return false;
        }
    }

    /** APPEND with a synchronising literal: waits for the server's continuation before sending the message. */
    List<String> append(String mailbox, String flags, byte[] message) throws IOException {
        String tag = tag();
        connection.writeLine(tag + " APPEND " + mailbox + " (" + flags + ") {" + message.length + "}");
        String line = connection.readLine();
        if (!line.startsWith("+")) {
            throw new IOException("IMAP APPEND: expected a continuation, got " + line);
        }
        connection.write(message);
        connection.writeLine("");
        return responsesUntil(tag, "APPEND");
    }

    /**
     * Enters IDLE, runs {@code meanwhile} (which should make the mailbox change), waits for the server to report a
     * new message count, and leaves IDLE.
     */
    void idle(IoAction meanwhile) throws IOException {
        String tag = tag();
        connection.writeLine(tag + " IDLE");
        String line = connection.readLine();
        if (!line.startsWith("+")) {
            throw new IOException("IMAP IDLE: expected a continuation, got " + line);
        }
        meanwhile.run();
        while (!line.endsWith("EXISTS")) {
            line = connection.readLine();
        }
        connection.writeLine("DONE");
        responsesUntil(tag, "IDLE");
    }

    private String tag() {
        return "w" + nextTag++;
    }

    private List<String> responsesUntil(String tag, String command) throws IOException {
        List<String> untagged = new ArrayList<>();
        while (true) {
            String response = response();
            if (response.startsWith(tag + " ")) {
                if (response.startsWith(tag + " NO")) {
                    throw new RefusedException("IMAP " + command + ": " + response);
                }
                if (!response.startsWith(tag + " OK")) {
                    throw new IOException("IMAP " + command + ": " + response);
                }
                return untagged;
            }
            untagged.add(response);
        }
    }

    /** One response line with any literals it announces read and inlined. */
    private String response() throws IOException {
        StringBuilder response = new StringBuilder(connection.readLine());
        Matcher literal = LITERAL.matcher(response);
        while (literal.find()) {
            response.append("\r\n").append(new String(connection.readBytes(Integer.parseInt(literal.group(1))),
                StandardCharsets.UTF_8)).append(connection.readLine());
            literal = LITERAL.matcher(response);
        }
        return response.toString();
    }

    @Override
    public void close() throws IOException {
        try {
            command("LOGOUT");
        } finally {
            connection.close();
        }
    }

    /** The server answered NO: a well-formed refusal, after which the session goes on. */
    static final class RefusedException extends IOException {
        RefusedException(String message) {
            super(message);
        }
    }

    /** Work done while the client idles. */
    @FunctionalInterface
    interface IoAction {
        void run() throws IOException;
    }
}
