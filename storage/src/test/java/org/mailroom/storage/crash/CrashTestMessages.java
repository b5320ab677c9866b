package org.mailroom.storage.crash;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Builds the messages the crash-test child appends: a unique Message-ID and a pseudo-random body of a given size. */
final class CrashTestMessages {
    static final String MESSAGE_ID_DOMAIN = "crash.mailroom.test";
    static final int MIN_SIZE = 1024;
    static final int MAX_SIZE = 200 * 1024;

    private CrashTestMessages() {
    }

    static String messageId(String run, long n) {
        return "<" + run + "." + n + "@" + MESSAGE_ID_DOMAIN + ">";
    }

    /** A whole RFC 5322 message of exactly {@code size} bytes (CRLF line ends, 76-character body lines). */
    static byte[] message(String messageId, int size, Random random) {
        String header = "From: crash@" + MESSAGE_ID_DOMAIN + "\r\n"
            + "To: alice@example.org\r\n"
            + "Subject: crash test " + messageId + "\r\n"
            + "Message-ID: " + messageId + "\r\n"
            + "Date: Thu, 1 Jan 2026 00:00:00 +0000\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=us-ascii\r\n"
            + "\r\n";
        byte[] head = header.getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[Math.max(size, head.length + 2)];
        System.arraycopy(head, 0, bytes, 0, head.length);
        int column = 0;
        int i = head.length;
        while (i < bytes.length) {
            if (i == bytes.length - 2) {
                // Every line, the last included, ends in CRLF.
                bytes[i++] = '\r';
                bytes[i++] = '\n';
            } else if (column >= 76 && i < bytes.length - 3) {
                bytes[i++] = '\r';
                bytes[i++] = '\n';
                column = 0;
            } else {
                bytes[i++] = (byte) ('a' + random.nextInt(26));
                column++;
            }
        }
        return bytes;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
