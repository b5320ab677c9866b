package org.mailroom.dist.admin;

import org.mailroom.sorter.Decision;
import org.mailroom.sorter.rules.RuleFiles;

/**
 * What the {@code rules} and {@code explain} commands work with: the rule files, the server's sorter (same rules,
 * signals and attachment inspection as delivery), and stored messages read through the mailbox API.
 */
public interface SortingTools extends AutoCloseable {

    RuleFiles rules();

    /** Sorts raw message bytes for {@code user} as delivery would (without SMTP session facts). */
    Decision sort(String user, byte[] message);

    /** The stored message {@code uid} of {@code user}'s {@code folder}; throws IllegalArgumentException if none. */
    byte[] storedMessage(String user, String folder, long uid);

    @Override
    void close();
}
