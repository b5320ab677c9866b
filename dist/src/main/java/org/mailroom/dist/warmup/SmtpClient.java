package org.mailroom.dist.warmup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.net.ssl.SSLContext;

/** What a sending mail server does over SMTP (RFC 5321), for the warm-up: EHLO, STARTTLS, transactions, QUIT. */
final class SmtpClient implements AutoCloseable {
    private final LineConnection connection;

    private SmtpClient(LineConnection connection) {
        this.connection = connection;
    }

    /** Connects, reads the greeting and says EHLO; with {@code tls} set, upgrades with STARTTLS and says EHLO again. */
    static SmtpClient connect(InetSocketAddress address, String heloName, SSLContext tls) throws IOException {
        SmtpClient client = new SmtpClient(LineConnection.plain(address));
        try {
            client.expect(220);
            client.command("EHLO " + heloName, 250);
            if (tls != null) {
                client.command("STARTTLS", 220);
                client.connection.startTls(tls);
                client.command("EHLO " + heloName, 250);
            }
            return client;
        } catch (IOException | RuntimeException e) {
            client.connection.close();
            throw e;
        }
    }

    /** One transaction; the message must have CRLF line ends. Fails unless the server answers 250 to the data. */
    void send(String from, List<String> recipients, byte[] message) throws IOException {
        command("MAIL FROM:<" + from + "> SIZE=" + message.length, 250);
        for (String recipient : recipients) {
            command("RCPT TO:<" + recipient + ">", 250);
        }
        command("DATA", 354);
        connection.write(dotStuffed(message));
        expect(250);
    }

    private static byte[] dotStuffed(byte[] message) {
        ByteArrayOutputStream data = new ByteArrayOutputStream(message.length + 64);
        boolean lineStart = true;
        for (byte b : message) {
            if (lineStart && b == '.') {
                data.write('.');
            }
            data.write(b);
            lineStart = b == '\n';
        }
        data.writeBytes((lineStart ? ".\r\n" : "\r\n.\r\n").getBytes(StandardCharsets.US_ASCII));
        return data.toByteArray();
    }

    private void command(String line, int expected) throws IOException {
        connection.writeLine(line);
        expect(expected);
    }

    private void expect(int code) throws IOException {
        String line;
        do {
            line = connection.readLine();
        } while (line.length() > 3 && line.charAt(3) == '-');
        if (!line.startsWith(Integer.toString(code))) {
            throw new IOException("SMTP: expected " + code + ", got " + line);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            connection.writeLine("QUIT");
            expect(221);
        } finally {
            connection.close();
        }
    }
}
