package org.mailroom.imap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/** A small raw IMAP client (plain socket on a loopback listener that allows LOGIN in clear), with COMPRESS. */
final class ImapClient implements AutoCloseable {

    private final Socket socket;
    private InputStream in;
    private OutputStream out;
    private final String greeting;
    private int tag;

    ImapClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        greeting = readLine();
    }

    String greeting() {
        return greeting;
    }

    /** Reads one CRLF-terminated line (without it), or null at end of stream. */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }

    void send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Sends a tagged command and returns the lines up to and including the tagged completion (last element). */
    List<String> command(String command) throws IOException {
        String t = "t" + (++tag);
        send(t + " " + command + "\r\n");
        return readUntilTagged(t);
    }

    List<String> readUntilTagged(String t) throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        do {
            line = readLine();
            if (line == null) {
                throw new IOException("connection closed after " + lines);
            }
            lines.add(line);
        } while (!line.startsWith(t + " "));
        return lines;
    }

    String nextTag() {
        return "t" + (++tag);
    }

    static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }

    List<String> login(String user, String password) throws IOException {
        return command("LOGIN \"" + user + "\" \"" + password + "\"");
    }

    /** APPENDs a small message with a synchronizing literal. */
    List<String> append(String mailbox, String flags, String subject) throws IOException {
        String message = "From: bob@example.org\r\nTo: alice@example.test\r\nSubject: " + subject
            + "\r\n\r\nBody of " + subject + "\r\n";
        int length = message.getBytes(StandardCharsets.UTF_8).length;
        String t = nextTag();
        send(t + " APPEND " + mailbox + (flags == null ? "" : " (" + flags + ")") + " {" + length + "}\r\n");
        String continuation = readLine();
        if (continuation == null || !continuation.startsWith("+")) {
            List<String> lines = new ArrayList<>();
            lines.add(continuation);
            return lines;
        }
        send(message + "\r\n");
        return readUntilTagged(t);
    }

    /** Switches both directions to raw DEFLATE (RFC 4978) after a successful COMPRESS DEFLATE. */
    void startCompression() throws IOException {
        in = new InflaterInputStream(socket.getInputStream(), new Inflater(true));
        out = new DeflaterOutputStream(socket.getOutputStream(), new Deflater(Deflater.DEFAULT_COMPRESSION, true), true);
    }

    boolean isClosedByServer() {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
