package org.mailroom.sorter;

import org.mailroom.sorter.message.MailContent;

/**
 * A step that completes a parsed message before rules and signals see it (attachment types and text by Apache
 * Tika). Must not throw for any input and must finish within its own time limit.
 */
@FunctionalInterface
public interface ContentInspection {

    MailContent inspect(MailContent content);

    static ContentInspection none() {
        return content -> content;
    }
}
