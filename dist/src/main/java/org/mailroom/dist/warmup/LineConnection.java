package org.mailroom.dist.warmup;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A client's side of a CRLF line protocol (SMTP, IMAP) over a loopback socket, plain or TLS, that can switch to
 * TLS in place (STARTTLS). Only for talking to the warm-up's own throwaway server.
 */
final class LineConnection implements AutoCloseable {
    private static final int READ_TIMEOUT_MILLIS = 30_000;

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private LineConnection(Socket socket) throws IOException {
        use(socket);
    }

    static LineConnection plain(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(address, READ_TIMEOUT_MILLIS);
            return new LineConnection(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    static LineConnection tls(InetSocketAddress address, SSLContext tls) throws IOException {
        LineConnection connection = plain(address);
        connection.startTls(tls);
        return connection;
    }

    /** Wraps the open socket in TLS (after the server agreed to STARTTLS) and completes the handshake. */
    void startTls(SSLContext tls) throws IOException {
        InetSocketAddress peer = (InetSocketAddress) socket.getRemoteSocketAddress();
        SSLSocket secured = (SSLSocket) tls.getSocketFactory().createSocket(socket, peer.getHostString(),
            peer.getPort(), true);
        secured.setUseClientMode(true);
        secured.startHandshake();
        use(secured);
    }

    private void use(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    void writeLine(String line) throws IOException {
        write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next line without its CRLF; fails at the end of the stream. */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the server closed the connection");
            }
            if (b == '\n' && previous == '\r') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            previous = b;
        }
    }

    /** Exactly {@code length} bytes (an IMAP literal). */
    byte[] readBytes(int length) throws IOException {
        return in.readNBytes(length);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
