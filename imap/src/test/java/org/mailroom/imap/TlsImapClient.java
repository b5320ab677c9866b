package org.mailroom.imap;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A raw IMAP client over implicit TLS that reads responses with their literals inlined: for asserting exactly what
 * the server sends (body sections, VANISHED, IDLE updates) where a high-level client hides it.
 */
final class TlsImapClient implements AutoCloseable {

    private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)}$");

    private final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String greeting;
    private int tag;

    TlsImapClient(SSLSocketFactory factory, int port) throws IOException {
        socket = (SSLSocket) factory.createSocket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        socket.startHandshake();
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        greeting = readLine();
    }

    String greeting() {
        return greeting;
    }

    void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** One CRLF-terminated line without the CRLF, or null at end of stream. */
    String readRawLine() throws IOException {
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

    /** One response line with any literals it announces read and inlined (bytes as UTF-8 text). */
    String readLine() throws IOException {
        String line = readRawLine();
        if (line == null) {
            return null;
        }
        StringBuilder response = new StringBuilder(line);
        Matcher literal = LITERAL.matcher(line);
        while (literal.find()) {
            int size = Integer.parseInt(literal.group(1));
            byte[] data = in.readNBytes(size);
            response.append("\r\n").append(new String(data, StandardCharsets.UTF_8));
            String rest = readRawLine();
            if (rest == null) {
                break;
            }
            response.append(rest);
            literal = LITERAL.matcher(rest);
        }
        return response.toString();
    }

    void send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    String nextTag() {
        return "c" + (++tag);
    }

    /** Sends a tagged command; returns every response up to and including the tagged completion (last element). */
    List<String> command(String command) throws IOException {
        String t = nextTag();
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

    /** Asserts nothing: returns the lines; the caller checks {@link #last(List)}. */
    List<String> login(String user, String password) throws IOException {
        return command("LOGIN \"" + user + "\" \"" + password + "\"");
    }

    /** APPEND with a synchronizing literal; {@code options} is e.g. {@code (\Seen) "01-Feb-2020 10:00:00 +0000"}. */
    List<String> append(String mailbox, String options, String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        String t = nextTag();
        send(t + " APPEND " + mailbox + (options == null ? "" : " " + options) + " {" + bytes.length + "}\r\n");
        String continuation = readLine();
        if (continuation == null || !continuation.startsWith("+")) {
            throw new IOException("no continuation for APPEND: " + continuation);
        }
        out.write(bytes);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return readUntilTagged(t);
    }

    static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
