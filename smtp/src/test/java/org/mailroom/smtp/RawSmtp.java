package org.mailroom.smtp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/** A bare SMTP client over a socket, for what real clients never send: pipelined batches, smuggling payloads. */
final class RawSmtp implements AutoCloseable {

    private Socket socket;
    private BufferedReader in;
    private OutputStream out;

    RawSmtp(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        attach(socket);
    }

    static RawSmtp connect(int port) throws IOException {
        return new RawSmtp(new Socket(SmtpTestServers.LOOPBACK, port));
    }

    private void attach(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        this.out = socket.getOutputStream();
    }

    /** Reads one (possibly multi-line) reply; its lines joined by newlines. Null when the server closed. */
    String reply() throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                return lines.isEmpty() ? null : String.join("\n", lines);
            }
            lines.add(line);
        } while (line.length() > 3 && line.charAt(3) == '-');
        return String.join("\n", lines);
    }

    /** Sends raw bytes exactly as given. */
    void send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Sends one command line and returns the reply. */
    String command(String line) throws IOException {
        send(line + "\r\n");
        return reply();
    }

    void startTls(SSLSocketFactory factory) throws IOException {
        String reply = command("STARTTLS");
        if (!reply.startsWith("220")) {
            throw new IOException("STARTTLS refused: " + reply);
        }
        SSLSocket tls = (SSLSocket) factory.createSocket(socket, "localhost", socket.getPort(), true);
        tls.startHandshake();
        attach(tls);
    }

    static String plain(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the server has closed the connection (reads end of stream or a reset). */
    boolean closedByServer() {
        try {
            return in.readLine() == null;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
