package org.mailroom.imap;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A line-level IMAP client on a plain socket, for checking exactly what the server says before TLS. */
final class RawImapConnection implements AutoCloseable {

    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;
    private final String greeting;

    RawImapConnection(String host, int port) throws IOException {
        socket = new Socket(host, port);
        socket.setSoTimeout(10_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        out = socket.getOutputStream();
        greeting = in.readLine();
    }

    String greeting() {
        return greeting;
    }

    /** Sends {@code tag command} and returns every line up to and including the tagged completion. */
    List<String> command(String tag, String command) throws IOException {
        out.write((tag + " " + command + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        List<String> lines = new ArrayList<>();
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed after " + lines);
            }
            lines.add(line);
        } while (!line.startsWith(tag + " "));
        return lines;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
