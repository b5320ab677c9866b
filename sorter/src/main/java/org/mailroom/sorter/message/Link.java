package org.mailroom.sorter.message;

import java.util.Objects;

/**
 * A hyperlink in an HTML body.
 *
 * @param href the target as written in the {@code href} attribute
 * @param text the visible text of the link
 */
public record Link(String href, String text) {

    public Link {
        Objects.requireNonNull(href, "href");
        Objects.requireNonNull(text, "text");
    }
}
