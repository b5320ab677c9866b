package org.mailroom.sorter.rules;

import java.util.Objects;

import org.mailroom.sorter.Category;

/**
 * The "then" part of a rule. {@code priority}, {@code inbox}, {@code spam} and {@code fileinto} decide where the
 * message goes (the first rule that decides ends the evaluation); {@code keyword} only adds a keyword;
 * {@code stop} ends the evaluation, leaving the place to the learned scores when no rule decided.
 */
public sealed interface Action permits Action.Place, Action.FileInto, Action.Keyword, Action.Stop {

    /** {@code priority}, {@code inbox} or {@code spam}. */
    record Place(Category category) implements Action {
        public Place {
            Objects.requireNonNull(category, "category");
        }
    }

    /** {@code fileinto "Folder"}: a named folder (created when missing); the category stays Inbox unless given. */
    record FileInto(String folder) implements Action {
        public FileInto {
            Objects.requireNonNull(folder, "folder");
        }
    }

    /** {@code keyword $X}: an IMAP keyword set on the stored message. */
    record Keyword(String keyword) implements Action {
        public Keyword {
            Objects.requireNonNull(keyword, "keyword");
        }
    }

    /** {@code stop}: no later rule is looked at. */
    record Stop() implements Action {
    }

    /** Whether the action fixes where the message goes. */
    default boolean decides() {
        return this instanceof Place || this instanceof FileInto;
    }
}
