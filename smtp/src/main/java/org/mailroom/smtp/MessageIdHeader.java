package org.mailroom.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The Message-ID header of a message, for log lines: read from the header block only (at most {@link #HEADER_LIMIT}
 * bytes), unfolded, and made safe to log (no control characters, bounded length) because a sender chooses it.
 */
public final class MessageIdHeader {
    /** Enough for any real header block; a Message-ID beyond it is reported as missing. */
    static final int HEADER_LIMIT = 64 * 1024;
    private static final int MAX_LOGGED = 200;
    /** What a log line shows when there is none. */
    public static final String NONE = "-";

    private MessageIdHeader() {
    }

    /** The Message-ID of the message in {@code in}, or {@link #NONE}; never throws for a bad message. */
    public static String of(InputStream in) {
        try {
            return of(in.readNBytes(HEADER_LIMIT));
        } catch (IOException e) {
            return NONE;
        }
    }

    /** The Message-ID of the message starting at {@code message[0]}, or {@link #NONE}. */
    public static String of(byte[] message) {
        int end = Math.min(message.length, HEADER_LIMIT);
        String headers = new String(message, 0, end, StandardCharsets.ISO_8859_1);
        int blank = headers.indexOf("\r\n\r\n");
        if (blank < 0) {
            blank = headers.indexOf("\n\n");
        }
        if (blank >= 0) {
            headers = headers.substring(0, blank);
        }
        String[] lines = headers.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].toLowerCase(Locale.ROOT).startsWith("message-id:")) {
                StringBuilder value = new StringBuilder(lines[i].substring("message-id:".length()));
                while (i + 1 < lines.length && !lines[i + 1].isEmpty()
                    && (lines[i + 1].charAt(0) == ' ' || lines[i + 1].charAt(0) == '\t')) {
                    value.append(' ').append(lines[++i].trim());
                }
                return safe(value.toString().trim());
            }
        }
        return NONE;
    }

    /** Printable ASCII only, spaces removed, cut at {@link #MAX_LOGGED}: one log line stays one line. */
    public static String safe(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && out.length() < MAX_LOGGED; i++) {
            char c = value.charAt(i);
            if (c > 0x20 && c < 0x7f) {
                out.append(c);
            } else if (c != ' ' && c != '\t') {
                out.append('?');
            }
        }
        return out.length() == 0 ? NONE : out.toString();
    }

    /** Free text (a remote server's reply) on one line: control characters become '?', cut at 300 characters. */
    public static String safeText(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && out.length() < 300; i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c < 0x7f && c != '"' ? c : c == '"' ? '\'' : '?');
        }
        return out.toString();
    }
}
