package org.mailroom.sorter;

/** What a score is evidence for: the sorter weighs spam first, then importance. */
public enum Dimension {
    /** Positive is evidence of spam, negative of ham. */
    SPAM,
    /** Positive is evidence the user will act on the message, negative that it is bulk or ignorable. */
    IMPORTANCE
}
