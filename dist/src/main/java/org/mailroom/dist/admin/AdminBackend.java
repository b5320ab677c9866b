package org.mailroom.dist.admin;

import java.nio.file.Path;

import org.mailroom.smtp.outbound.dkim.DkimKeyDirectory;

/**
 * What the admin commands act on. There are two: the store opened by the command itself (the server is
 * stopped), and the parts of the running server (the command line was forwarded to it over its loopback admin
 * endpoint, see {@code org.mailroom.dist.control}). Commands never know which one they got.
 *
 * <p>A new command (queue, rules, ...) that needs another part adds one method here and implements it in both
 * places: {@code org.mailroom.dist.DirectAdminBackend} and {@code org.mailroom.dist.ServerAdminBackend}. Nothing
 * else is needed for it to work while the server runs.
 */
public interface AdminBackend {
    /** Domains, users and aliases; the caller closes it. */
    UserDirectory openDirectory();

    /** Mailboxes and quotas; the caller closes it. */
    MailStore openMailStore();

    /** The DKIM keys of the hosted domains (files in the data directory). */
    DkimKeyDirectory dkimKeys();

    /** The rule files and the sorter (rules, explain); the caller closes it. */
    SortingTools openSortingTools();

    /** The outbound queue (list, show, retry, bounce, delete); the caller closes it. */
    QueueDirectory openQueue();

    /** The data directory, for commands that keep files there. */
    Path dataDirectory();
}
