package org.mailroom.sorter;

/** The three places an incoming message can land; each maps to a folder of the recipient's account. */
public enum Category {
    /** Mail the user is likely to act on: the "Priority" folder, keyword {@code $Important}. */
    PRIORITY,
    /** Normal mail: INBOX. */
    INBOX,
    /** Junk: the "Spam" folder, keyword {@code $Junk}. */
    SPAM
}
