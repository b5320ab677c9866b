package org.mailroom.imap;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.apache.james.imap.api.process.MailboxType;

/**
 * The names of every user's default folders. Priority and Spam are configurable (the sorter files into them);
 * Sent, Drafts, Trash and Archive keep the names most clients look for. INBOX is always {@code INBOX}.
 *
 * @param priority the folder the sorter files important mail into (no special-use attribute), default "Priority"
 * @param spam     the junk folder, advertised as {@code \Junk}, default "Spam"
 */
public record FolderNames(String priority, String spam) {
    public static final String INBOX = "INBOX";
    public static final String SENT = "Sent";
    public static final String DRAFTS = "Drafts";
    public static final String TRASH = "Trash";
    public static final String ARCHIVE = "Archive";

    public FolderNames {
        requireTopLevelName(priority, "priority");
        requireTopLevelName(spam, "spam");
        if (priority.equals(spam)) {
            throw new IllegalArgumentException("priority and spam folders must differ: " + priority);
        }
        for (String fixed : new String[] {SENT, DRAFTS, TRASH, ARCHIVE}) {
            if (fixed.equals(priority) || fixed.equals(spam)) {
                throw new IllegalArgumentException("folder name already used by " + fixed);
            }
        }
    }

    public static FolderNames defaults() {
        return new FolderNames("Priority", "Spam");
    }

    /** Every default folder in creation order, with its RFC 6154 type ({@link MailboxType#OTHER} for none). */
    public Map<String, MailboxType> all() {
        Map<String, MailboxType> folders = new LinkedHashMap<>();
        folders.put(INBOX, MailboxType.INBOX);
        folders.put(priority, MailboxType.OTHER);
        folders.put(spam, MailboxType.SPAM);
        folders.put(SENT, MailboxType.SENT);
        folders.put(DRAFTS, MailboxType.DRAFTS);
        folders.put(TRASH, MailboxType.TRASH);
        folders.put(ARCHIVE, MailboxType.ARCHIVE);
        return folders;
    }

    private static void requireTopLevelName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isBlank() || name.contains(".") || name.contains("/") || name.equalsIgnoreCase(INBOX)) {
            throw new IllegalArgumentException("invalid " + what + " folder name: '" + name + "'");
        }
    }
}
