package org.mailroom.smtp.outbound;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;

import javax.net.SocketFactory;

/**
 * Sockets that stop reading after {@code limit} bytes from the remote. Angus Mail reads a reply line of any length
 * into memory; a remote that streams an endless reply line would otherwise fill the heap before the read timeout
 * ever fires. A whole SMTP session's replies, TLS handshake included, fit easily in the limit.
 */
final class CappedSocketFactory extends SocketFactory {

    private final long limit;

    CappedSocketFactory(long limit) {
        this.limit = limit;
    }

    @Override
    public Socket createSocket() {
        return new CappedSocket(limit);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket socket = createSocket();
        socket.connect(new java.net.InetSocketAddress(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket socket = createSocket();
        socket.bind(new java.net.InetSocketAddress(localHost, localPort));
        socket.connect(new java.net.InetSocketAddress(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        Socket socket = createSocket();
        socket.connect(new java.net.InetSocketAddress(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
        Socket socket = createSocket();
        socket.bind(new java.net.InetSocketAddress(localAddress, localPort));
        socket.connect(new java.net.InetSocketAddress(address, port));
        return socket;
    }

    private static final class CappedSocket extends Socket {
        private final long limit;
        private InputStream capped;

        CappedSocket(long limit) {
            this.limit = limit;
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (capped == null) {
                capped = new CappedInputStream(super.getInputStream(), limit);
            }
            return capped;
        }
    }

    private static final class CappedInputStream extends FilterInputStream {
        private long remaining;

        CappedInputStream(InputStream in, long limit) {
            super(in);
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            check(1);
            int b = super.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            check(length);
            int n = super.read(buffer, offset, (int) Math.min(length, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        private void check(int wanted) throws IOException {
            if (remaining <= 0 && wanted > 0) {
                throw new IOException("the remote sent more than the reply limit (an over-long reply line?)");
            }
        }
    }
}
