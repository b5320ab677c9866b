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
 * @param detectedType the type found from the content itself (Apache Tika), empty until the sorter's attachment
 *                     inspection ran or when it could not tell
 * @param problem      why text extraction failed or was cut short (zip bomb, time limit, broken file), if it did
 */
public record Attachment(Optional<String> fileName, String declaredType, long size, byte[] content, int depth,
                         Optional<String> detectedType, Optional<String> problem) {

    public Attachment {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(declaredType, "declaredType");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(detectedType, "detectedType");
        Objects.requireNonNull(problem, "problem");
    }

    /** An attachment as the MIME parser sees it, before inspection. */
    public Attachment(Optional<String> fileName, String declaredType, long size, byte[] content, int depth) {
        this(fileName, declaredType, size, content, depth, Optional.empty(), Optional.empty());
    }

    /** This attachment with what inspecting its content found. */
    public Attachment inspected(Optional<String> detected, Optional<String> extractionProblem) {
        return new Attachment(fileName, declaredType, size, content, depth, detected, extractionProblem);
    }

    /** The detected type when known, otherwise the declared one. */
    public String effectiveType() {
        return detectedType.orElse(declaredType);
    }

    /** Whether {@link #content} holds the whole part. */
    public boolean complete() {
        return content.length == size;
    }
}
