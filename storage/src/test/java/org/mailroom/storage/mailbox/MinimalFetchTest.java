package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageManager.AppendCommand;
import org.apache.james.mailbox.exception.MessageRangeException;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

import reactor.core.publisher.Flux;

/**
 * A minimal fetch (FETCH of flags, sizes, dates) reads membership rows alone: it must give exactly what James's
 * path over whole messages gives, for appended, copied and flagged messages, and still hand out content on demand.
 */
class MinimalFetchTest {
    private static final Username USER = Username.of("alice@example.org");

    protected Database database() {
        return TestDatabases.derby();
    }

    @Test
    void minimalResultsMatchWholeMessageResults() throws Exception {
        MailroomMailboxManager manager = manager();
        MailboxSession session = manager.createSystemSession(USER);
        MailboxPath inbox = MailboxPath.inbox(USER);
        MailboxPath archive = MailboxPath.forUser(USER, "Archive");
        manager.createMailbox(inbox, session);
        manager.createMailbox(archive, session);
        MessageManager source = manager.getMailbox(inbox, session);
        source.appendMessage(AppendCommand.builder().withInternalDate(new Date(1_600_000_000_000L))
            .withFlags(new Flags(Flags.Flag.SEEN)).build(message("first", "a short body")), session);
        Flags keyword = new Flags(Flags.Flag.FLAGGED);
        keyword.add("$Important");
        source.appendMessage(AppendCommand.builder().withInternalDate(new Date(1_700_000_000_123L))
            .withFlags(keyword).build(message("second", "a longer body ".repeat(40))), session);
        source.appendMessage(AppendCommand.builder().build(message("third", "x")), session);
        manager.copyMessages(MessageRange.range(org.apache.james.mailbox.MessageUid.of(2),
            org.apache.james.mailbox.MessageUid.of(3)), inbox, archive, session);
        MessageManager copy = manager.getMailbox(archive, session);

        for (MessageManager mailbox : List.of(source, copy)) {
            List<MessageResult> minimal = Flux.from(mailbox.getMessagesReactive(MessageRange.all(), FetchGroup.MINIMAL, session))
                .collectList().block();
            List<MessageResult> whole = Flux.from(mailbox.getMessagesReactive(MessageRange.all(), FetchGroup.HEADERS, session))
                .collectList().block();
            assertThat(minimal).hasSameSizeAs(whole).isNotEmpty();
            assertThat(minimal).allMatch(MetadataMessageResult.class::isInstance);
            for (int i = 0; i < whole.size(); i++) {
                MessageResult fast = minimal.get(i);
                MessageResult full = whole.get(i);
                assertThat(fast.getUid()).isEqualTo(full.getUid());
                assertThat(fast.getModSeq()).isEqualTo(full.getModSeq());
                assertThat(fast.getFlags()).isEqualTo(full.getFlags());
                assertThat(fast.getSize()).isEqualTo(full.getSize());
                assertThat(fast.getInternalDate()).isEqualTo(full.getInternalDate());
                assertThat(fast.getSaveDate()).isEqualTo(full.getSaveDate());
                assertThat(fast.getMessageId()).isEqualTo(full.getMessageId());
                assertThat(fast.getThreadId()).isEqualTo(full.getThreadId());
                assertThat(fast.getMailboxId()).isEqualTo(full.getMailboxId());
                assertThat(fast.messageMetaData()).isEqualTo(full.messageMetaData());
                // content is still there for whoever asks a minimal result for it
                assertThat(new String(fast.getFullContent().getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo(new String(full.getFullContent().getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            }
        }
        List<MessageResult> sized = Flux.from(source.getMessagesReactive(MessageRange.all(), FetchGroup.MINIMAL, session))
            .collectList().block();
        assertThat(sized).extracting(MessageResult::getSize).containsExactly(
            (long) message("first", "a short body").length, (long) message("second", "a longer body ".repeat(40)).length,
            (long) message("third", "x").length);
        assertThat(sized.get(0).getInternalDate()).isEqualTo(new Date(1_600_000_000_000L));
        assertThat(sized.get(1).getFlags().contains("$Important")).isTrue();
    }

    @Test
    void metadataRowsAreWhatMinimalResultsSay() throws Exception {
        MailroomMailboxManager manager = manager();
        MailboxSession session = manager.createSystemSession(USER);
        MailboxPath inbox = MailboxPath.inbox(USER);
        manager.createMailbox(inbox, session);
        MessageManager mailbox = manager.getMailbox(inbox, session);
        Flags all = new Flags(Flags.Flag.SEEN);
        all.add(Flags.Flag.ANSWERED);
        all.add(Flags.Flag.DELETED);
        all.add(Flags.Flag.DRAFT);
        all.add(Flags.Flag.FLAGGED);
        all.add("$Junk");
        all.add("$Important");
        mailbox.appendMessage(AppendCommand.builder().withInternalDate(new Date(1_700_000_000_123L)).withFlags(all)
            .build(message("first", "a body")), session);
        mailbox.appendMessage(AppendCommand.builder().recent().build(message("second", "another body")), session);
        mailbox.appendMessage(AppendCommand.builder().build(message("third", "x")), session);

        List<String> rows = new java.util.ArrayList<>();
        ((MetadataRowSource) mailbox).visitMetadataRows(MessageRange.range(org.apache.james.mailbox.MessageUid.of(1),
            org.apache.james.mailbox.MessageUid.of(2)), (uid, modSeq, size, date, flags, keywords) ->
            rows.add(uid + " " + modSeq + " " + size + " " + date + " " + flags + " " + keywords));

        List<MessageResult> expected = Flux.from(mailbox.getMessagesReactive(MessageRange.range(
            org.apache.james.mailbox.MessageUid.of(1), org.apache.james.mailbox.MessageUid.of(2)), FetchGroup.MINIMAL, session))
            .collectList().block();
        assertThat(rows).containsExactly(
            "1 " + expected.get(0).getModSeq().asLong() + " " + message("first", "a body").length + " 1700000000123 "
                + (MetadataRowVisitor.ANSWERED | MetadataRowVisitor.DELETED | MetadataRowVisitor.DRAFT
                | MetadataRowVisitor.FLAGGED | MetadataRowVisitor.RECENT | MetadataRowVisitor.SEEN) + " $Important $Junk",
            "2 " + expected.get(1).getModSeq().asLong() + " " + message("second", "another body").length + " "
                + expected.get(1).getInternalDate().getTime() + " " + MetadataRowVisitor.RECENT + " null");
    }

    @Test
    void contentRowsAreTheMetadataRowsWithTheWholeMessage() throws Exception {
        MailroomMailboxManager manager = manager();
        MailboxSession session = manager.createSystemSession(USER);
        MailboxPath inbox = MailboxPath.inbox(USER);
        manager.createMailbox(inbox, session);
        MessageManager mailbox = manager.getMailbox(inbox, session);
        Flags keywords = new Flags(Flags.Flag.FLAGGED);
        keywords.add("$Junk");
        mailbox.appendMessage(AppendCommand.builder().withFlags(keywords).build(message("first", "a body")), session);
        mailbox.appendMessage(AppendCommand.builder().build(message("second", "another body ".repeat(2000))), session);
        mailbox.appendMessage(AppendCommand.builder().build("Subject: no body\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), session);
        mailbox.setFlags(new Flags(Flags.Flag.DELETED), MessageManager.FlagsUpdateMode.ADD,
            MessageRange.one(org.apache.james.mailbox.MessageUid.of(2)), session);
        mailbox.expunge(MessageRange.one(org.apache.james.mailbox.MessageUid.of(2)), session);
        mailbox.appendMessage(AppendCommand.builder().build(message("fourth", "x")), session);

        List<String> metadata = new java.util.ArrayList<>();
        ((MetadataRowSource) mailbox).visitMetadataRows(MessageRange.all(), (uid, modSeq, size, date, flags, words) ->
            metadata.add(uid + " " + modSeq + " " + size + " " + date + " " + flags + " " + words));
        List<String> content = new java.util.ArrayList<>();
        List<byte[]> whole = new java.util.ArrayList<>();
        ((MetadataRowSource) mailbox).visitContentRows(MessageRange.range(org.apache.james.mailbox.MessageUid.of(1),
            org.apache.james.mailbox.MessageUid.of(10)), (uid, modSeq, size, date, flags, words, header, body) -> {
                content.add(uid + " " + modSeq + " " + size + " " + date + " " + flags + " " + words);
                byte[] bytes = java.util.Arrays.copyOf(header, header.length + body.length);
                System.arraycopy(body, 0, bytes, header.length, body.length);
                assertThat(bytes.length).isEqualTo(size);
                whole.add(bytes);
            });
        assertThat(content).isEqualTo(metadata).hasSize(3);
        assertThat(whole).containsExactly(message("first", "a body"),
            "Subject: no body\r\n\r\n".getBytes(StandardCharsets.US_ASCII), message("fourth", "x"));
    }

    @Test
    void contentOfAMessageExpungedMeanwhileIsAMissingMessageNotAnEmptyOne() throws Exception {
        MailroomMailboxManager manager = manager();
        MailboxSession session = manager.createSystemSession(USER);
        MailboxPath inbox = MailboxPath.inbox(USER);
        manager.createMailbox(inbox, session);
        MessageManager mailbox = manager.getMailbox(inbox, session);
        mailbox.appendMessage(AppendCommand.builder().withFlags(new Flags(Flags.Flag.DELETED)).build(message("gone", "b")), session);
        MessageResult minimal = Flux.from(mailbox.getMessagesReactive(MessageRange.all(), FetchGroup.MINIMAL, session))
            .blockFirst();

        mailbox.expunge(MessageRange.all(), session);

        assertThatThrownBy(minimal::getFullContent).isInstanceOf(MessageRangeException.class);
    }

    /**
     * A whole-message read holds its membership row while its \Recent subquery waits for the mailbox row; a STORE
     * that locked the mailbox row and then wants the membership row closes a deadlock, and the database fails one
     * of the two. When the read is the one failed before it handed a row over, it is read again: the client gets its
     * message, not a NO (seen with imaptest's shared mailboxes, bench/README.md, "h-mix", seventeenth session).
     */
    @Test
    void contentReadEndedByALockConflictIsReadAgain() throws Exception {
        Database database = database();
        MailroomMailboxManager manager = SingleUserStores.manager(database, USER);
        MailboxSession session = manager.createSystemSession(USER);
        MailboxPath inbox = MailboxPath.inbox(USER);
        manager.createMailbox(inbox, session);
        MessageManager mailbox = manager.getMailbox(inbox, session);
        mailbox.appendMessage(AppendCommand.builder().build(message("contended", "a body")), session);

        try (java.sql.Connection store = database.dataSource().getConnection()) {
            store.setAutoCommit(false);
            // the STORE's first step: the mailbox row, exclusively
            try (java.sql.Statement update = store.createStatement()) {
                update.executeUpdate("UPDATE mr_mailbox SET first_recent_uid = first_recent_uid");
            }
            java.util.concurrent.CompletableFuture<List<byte[]>> read = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                List<byte[]> whole = new java.util.ArrayList<>();
                try {
                    ((MetadataRowSource) mailbox).visitContentRows(MessageRange.all(),
                        (uid, modSeq, size, date, flags, words, header, body) -> {
                            byte[] bytes = java.util.Arrays.copyOf(header, header.length + body.length);
                            System.arraycopy(body, 0, bytes, header.length, body.length);
                            whole.add(bytes);
                        });
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
                return whole;
            });
            Thread.sleep(500);   // the read is now waiting for the mailbox row (Derby; PostgreSQL reads do not wait)
            // the STORE's second step: the membership row, which the waiting read holds on Derby
            try (java.sql.Statement update = store.createStatement()) {
                update.executeUpdate("UPDATE mr_mailbox_message SET modseq = modseq");
                store.commit();
            } catch (java.sql.SQLException e) {
                // the database chose the STORE to fail instead: it would be retried by its own transaction loop
                assertThat(e.getSQLState()).startsWith("40");
                store.rollback();
            }
            assertThat(read.get(60, java.util.concurrent.TimeUnit.SECONDS))
                .containsExactly(message("contended", "a body"));
        }
    }

    private MailroomMailboxManager manager() {
        return SingleUserStores.manager(database(), USER);
    }

    private static byte[] message(String subject, String body) {
        return ("From: bob@example.org\r\nTo: alice@example.org\r\nSubject: " + subject + "\r\n\r\n" + body + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    }
}
