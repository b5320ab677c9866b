package org.mailroom.sorter.rules;

import org.mailroom.sorter.IncomingMail;

/**
 * {@code size > 5M}: compares the raw message size in bytes.
 *
 * @param comparison one of {@code >}, {@code >=}, {@code <}, {@code <=}
 * @param bytes      the size written in the rule (K, M, G suffixes are powers of 1024)
 */
public record SizeTest(String comparison, long bytes) implements Condition {

    @Override
    public boolean matches(IncomingMail mail) {
        long size = mail.content().size();
        return switch (comparison) {
            case ">" -> size > bytes;
            case ">=" -> size >= bytes;
            case "<" -> size < bytes;
            case "<=" -> size <= bytes;
            default -> throw new IllegalStateException("unknown comparison " + comparison);
        };
    }
}
