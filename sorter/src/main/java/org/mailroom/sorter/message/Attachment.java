package org.mailroom.sorter.message;

import java.util.Objects;
import java.util.Optional;

/**
 * A non-text part of the message (or a text part with a file name).
 *
 * @param fileName     the declared file name (Content-Disposition filename or Content-Type name), if any
 * @param declaredType the declared MIME type, lower-cased ({@code application/octet-stream} when absent)
 * @param size         the decoded size in bytes (counted to the end even when {@code content} is truncated)
 * @param content      the first bytes of the decoded content, at most the parser's per-part limit
 * @param depth        the MIME nesting depth of the part (1 for a part of the top-level multipart)
 */
public record Attachment(Optional<String> fileName, String declaredType, long size, byte[] content, int depth) {

    public Attachment {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(declaredType, "declaredType");
        Objects.requireNonNull(content, "content");
    }

    /** Whether {@link #content} holds the whole part. */
    public boolean complete() {
        return content.length == size;
    }
}
