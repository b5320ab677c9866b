package org.mailroom.storage.mailbox;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.mail.Flags;

/**
 * The keywords this process has read on each mailbox row's list of keywords ever used ({@code mr_mailbox.keywords},
 * what PERMANENTFLAGS and the applicable flags are built from), so that a new membership or flag update whose
 * keywords are all known here skips the SELECT of that list ({@link MessageRows#rememberKeywords}). Every SMTP
 * delivery carries one of the sorter's keywords ({@code $Junk}/{@code $NotJunk}), so that SELECT ran once per
 * delivered message, for a list that almost never changes.
 *
 * <p>Why a cached keyword can be trusted without a read, whatever other sessions or servers do: the list only grows
 * (nothing in Mailroom removes a keyword from it) and a mailbox id is an identity value, never reused, so a keyword
 * once read on the committed row stays on it; this cache can lag behind the row, never contradict it. Only values
 * read from the row are remembered, never what the caller's transaction is about to write (it may still roll back):
 * a keyword this process adds is learnt at the next read, one append later. Keywords compare as {@link Flags} does,
 * ignoring case.
 */
final class KnownKeywords {
    /**
     * Mailboxes remembered (a few small strings each). Past that everything is forgotten at once, which costs each
     * mailbox one SELECT at its next keyword: a plain map, as {@link LastAllocations} (cheaper per hit than Caffeine).
     */
    private static final int MAX_MAILBOXES = 100_000;

    private final Map<Long, Set<String>> byMailbox = new ConcurrentHashMap<>();

    /** Whether every one of {@code keywords} was read on the mailbox's row before. */
    boolean containsAll(long mailboxId, String[] keywords) {
        Set<String> known = byMailbox.get(mailboxId);
        if (known == null) {
            return false;
        }
        for (String keyword : keywords) {
            if (!known.contains(normalized(keyword))) {
                return false;
            }
        }
        return true;
    }

    /** Remembers the keywords just read on the mailbox's committed row (its whole list). */
    void read(long mailboxId, Flags onRow) {
        String[] keywords = onRow.getUserFlags();
        String[] normalized = new String[keywords.length];
        for (int i = 0; i < keywords.length; i++) {
            normalized[i] = normalized(keywords[i]);
        }
        if (byMailbox.size() >= MAX_MAILBOXES && !byMailbox.containsKey(mailboxId)) {
            byMailbox.clear();
        }
        // The row's list only grows, so the list read now holds everything an earlier read found.
        byMailbox.put(mailboxId, Set.copyOf(List.of(normalized)));
    }

    /** javax.mail's own comparison of user flags. */
    private static String normalized(String keyword) {
        return keyword.toLowerCase(Locale.ENGLISH);
    }
}
