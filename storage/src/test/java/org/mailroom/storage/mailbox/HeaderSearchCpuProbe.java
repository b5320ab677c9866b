package org.mailroom.storage.mailbox;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.store.extractor.DefaultTextExtractor;
import org.apache.james.mailbox.store.search.SimpleMessageSearchIndex;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.testing.TestDatabases;

/**
 * Not a test (surefire runs *Test classes only): the process CPU per {@code SEARCH SUBJECT} over 200 messages of a
 * real Derby store, with the header cache (after the first search) and without (a cache of no room: every header
 * read through Derby on every search, as before it), alternately in one JVM, for bench/README.md (h-search). Run:
 * {@code mvn -B -o -pl storage -am -Dsurefire.failIfNoSpecifiedTests=false -Dtest=HeaderSearchCpuProbe test}, lines
 * "PROBE" in the test's output.
 */
class HeaderSearchCpuProbe {
    @Test
    void probe() throws Exception {
        MailboxStore store = SingleUserStores.store(TestDatabases.derby());
        MailboxSession session = store.mailboxManager().createSystemSession(Username.of("alice@example.org"));
        MailboxPath path = MailboxPath.inbox(session);
        store.mailboxManager().createMailbox(path, session);
        MessageManager inbox = store.mailboxManager().getMailbox(path, session);
        Mailbox mailbox = inbox.getMailboxEntity();
        long headerBytes = 0;
        for (int n = 0; n < 200; n++) {
            String header = "Return-Path: <load@example.test>\r\nReceived: from client.example.test (localhost [127.0.0.1])\r\n"
                + "\tby mailroom.example.test with ESMTP id " + n + "\r\n\tfor <user1@example.test>; Mon, 30 Nov 2026 14:00:00 +0000\r\n"
                + "From: load@example.test\r\nTo: user1@example.test\r\nSubject: load test " + n + "\r\n"
                + "Message-ID: <" + n + "@example.test>\r\nDate: Mon, 30 Nov 2026 14:00:00 +0000\r\n";
            headerBytes += header.length() + 2;
            inbox.appendMessage(MessageManager.AppendCommand.builder().withFlags(new Flags())
                .build((header + "\r\nbody of the load test message\r\n").getBytes(StandardCharsets.US_ASCII)), session);
        }
        SimpleMessageSearchIndex scanning = new SimpleMessageSearchIndex(store.mapperFactory(), store.mapperFactory(),
            new DefaultTextExtractor(), null);
        HeaderPrefilterSearchIndex uncached = new HeaderPrefilterSearchIndex(scanning, store.mapperFactory(),
            new DefaultTextExtractor(), null, new HeaderBytesCache(0));
        HeaderPrefilterSearchIndex cached = new HeaderPrefilterSearchIndex(scanning, store.mapperFactory(),
            new DefaultTextExtractor(), null, new HeaderBytesCache(HeaderBytesCache.DEFAULT_MAX_BYTES));
        SearchQuery query = SearchQuery.of(SearchQuery.subject("load"));
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int round = 0; round < 4; round++) {
            for (HeaderPrefilterSearchIndex index : new HeaderPrefilterSearchIndex[] {uncached, cached}) {
                int n = round == 0 ? 3000 : 1000;
                long cpu = os.getProcessCpuTime();
                for (int i = 0; i < n; i++) {
                    index.search(session, mailbox, query).collectList().block();
                }
                double ms = (os.getProcessCpuTime() - cpu) / 1e6 / n;
                System.out.printf("PROBE round %d %s %.3f ms CPU per search (headers %d bytes, load %.1f)%n", round,
                    index == cached ? "cached" : "uncached", ms, headerBytes, os.getSystemLoadAverage());
            }
        }
    }
}
