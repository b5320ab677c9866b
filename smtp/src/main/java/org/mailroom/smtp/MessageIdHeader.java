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
    public static final int HEADER_LIMIT = 64 * 1024;
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

    /**
     * The Message-ID of the message starting at {@code message[0]}, or {@link #NONE}. Read over the bytes in place
     * (ISO-8859-1, lines ending in LF or CRLF, the header block ending at the first CRLFCRLF, else the first LFLF):
     * it ran once per message on the SMTP worker as a String of the whole head split into lines by a regular
     * expression.
     */
    public static String of(byte[] message) {
        int end = headerEnd(message);
        for (int line = 0; line < end; line = nextLine(message, line, end)) {
            if (startsWithAsciiIgnoringCase(message, line, end, MESSAGE_ID)) {
                int from = line + MESSAGE_ID.length;
                StringBuilder value = new StringBuilder(latin1(message, from, lineEnd(message, from, end)));
                // Folded: the lines that follow and start with a space or a tab.
                for (int next = nextLine(message, line, end);
                     next < end && (message[next] == ' ' || message[next] == '\t');
                     next = nextLine(message, next, end)) {
                    value.append(' ').append(latin1(message, next, lineEnd(message, next, end)).trim());
                }
                return safe(value.toString().trim());
            }
        }
        return NONE;
    }

    /**
     * Whether the header block of the message starting at {@code message[0]} has a field of this name (compared
     * case-insensitively; read as {@link #of(byte[])} reads it).
     */
    public static boolean hasField(byte[] message, String name) {
        byte[] prefix = (name.toLowerCase(Locale.ROOT) + ":").getBytes(StandardCharsets.US_ASCII);
        int end = headerEnd(message);
        for (int line = 0; line < end; line = nextLine(message, line, end)) {
            if (startsWithAsciiIgnoringCase(message, line, end, prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Where the header block ends: its first CRLFCRLF, else its first LFLF, else the end (at most HEADER_LIMIT). */
    private static int headerEnd(byte[] message) {
        int end = Math.min(message.length, HEADER_LIMIT);
        int blank = indexOf(message, end, CRLF_CRLF);
        if (blank < 0) {
            blank = indexOf(message, end, LF_LF);
        }
        return blank >= 0 ? blank : end;
    }

    private static final byte[] MESSAGE_ID = "message-id:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF_CRLF = {'\r', '\n', '\r', '\n'};
    private static final byte[] LF_LF = {'\n', '\n'};

    /** Where {@code wanted} first starts in {@code bytes[0, end)}, or -1. */
    private static int indexOf(byte[] bytes, int end, byte[] wanted) {
        outer:
        for (int at = 0; at + wanted.length <= end; at++) {
            for (int j = 0; j < wanted.length; j++) {
                if (bytes[at + j] != wanted[j]) {
                    continue outer;
                }
            }
            return at;
        }
        return -1;
    }

    /** Where the line starting at {@code start} ends: its LF, or its CR of a CRLF, or {@code end}. */
    private static int lineEnd(byte[] bytes, int start, int end) {
        for (int at = start; at < end; at++) {
            if (bytes[at] == '\n') {
                return at > start && bytes[at - 1] == '\r' ? at - 1 : at;
            }
        }
        return end;
    }

    /** Where the line after the one starting at {@code start} starts ({@code end} past the last line). */
    private static int nextLine(byte[] bytes, int start, int end) {
        for (int at = start; at < end; at++) {
            if (bytes[at] == '\n') {
                return at + 1;
            }
        }
        return end;
    }

    /** Whether {@code bytes[at, end)} starts with the lower-case ASCII {@code prefix}, compared case-insensitively. */
    private static boolean startsWithAsciiIgnoringCase(byte[] bytes, int at, int end, byte[] prefix) {
        if (end - at < prefix.length) {
            return false;
        }
        for (int j = 0; j < prefix.length; j++) {
            byte b = bytes[at + j];
            if ((b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b) != prefix[j]) {
                return false;
            }
        }
        return true;
    }

    private static String latin1(byte[] bytes, int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
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
