package org.mailroom.sorter.message;

import java.util.Objects;

/**
 * One top-level header field.
 *
 * @param name  the field name as written
 * @param value the unfolded value with RFC 2047 encoded words decoded
 */
public record HeaderField(String name, String value) {

    public HeaderField {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
