package org.mailroom.imap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

import org.apache.james.imap.api.message.FetchData;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imap.encode.ImapResponseWriter;
import org.apache.james.imap.encode.base.ImapResponseComposerImpl;
import org.apache.james.imap.encode.main.DefaultImapEncoderFactory;
import org.apache.james.imap.message.Literal;
import org.apache.james.imap.message.response.FetchResponse;
import org.apache.james.imap.processor.fetch.EnvelopeBuilder;
import org.apache.james.imap.processor.fetch.FetchResponseBuilder;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageSequenceNumber;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.Header;
import org.apache.james.mailbox.model.Headers;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.mailbox.model.MessageResultIterator;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Messages as James's FETCH parsed them ({@link ParsedMessage}), by mailbox, UIDVALIDITY and UID, so that ENVELOPE,
 * BODY, BODYSTRUCTURE and header sections are answered without parsing the message again. A message missing here is
 * read and parsed by James's own code, once: its {@code MessageResult} from the mailbox (James's {@code FetchGroup}
 * for those items), James's {@code FetchResponseBuilder} for the items and James's encoder for their bytes, so what
 * is kept is what James would answer.
 *
 * <p>Why a kept entry is never wrong: a message's content never changes under its mailbox id, UIDVALIDITY and UID
 * (a UID is never given twice within one UIDVALIDITY, a mailbox id is never reused, and Mailroom never rewrites a
 * stored message); which UIDs a FETCH answers comes from the membership rows, never from here. Memory is bounded by
 * weight ({@link ParsedMessage#weight}), least recently used entries first out.
 */
final class ParsedMessageCache {
    /** The default bound: 32 MB, some 15,000 messages with their structures. */
    static final long DEFAULT_MAX_BYTES = 32L << 20;
    private static final MessageSequenceNumber ANY_MSN = MessageSequenceNumber.of(1);
    private static final byte[] ITEM_PREFIX = "* 1 FETCH (".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ITEM_SUFFIX = ")\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final FetchData HEADER_ITEMS = FetchData.builder().fetch(FetchData.Item.ENVELOPE).build();
    private static final FetchData ALL_ITEMS = FetchData.builder()
        .fetch(FetchData.Item.ENVELOPE, FetchData.Item.BODY, FetchData.Item.BODY_STRUCTURE).build();
    /** James's groups for ENVELOPE or header sections, and for BODY/BODYSTRUCTURE (its {@code FetchDataConverter}). */
    private static final FetchGroup HEADER_GROUP = FetchGroup.HEADERS;
    private static final FetchGroup STRUCTURE_GROUP = FetchGroup.HEADERS.with(FetchGroup.Profile.MIME_DESCRIPTOR);

    private record Key(MailboxId mailbox, long uidValidity, long uid) {
    }

    private final Cache<Key, ParsedMessage> messages;
    private final ImapEncoder encoder = new DefaultImapEncoderFactory().buildImapEncoder();

    /** One cache per mailbox store: the STARTTLS and implicit-TLS listeners of a store share it (and its bound). */
    private static final Map<MailboxManager, ParsedMessageCache> PER_STORE = new WeakHashMap<>();

    /** The cache of the store behind {@code mailboxManager}, bounded by {@link #DEFAULT_MAX_BYTES}. */
    static ParsedMessageCache of(MailboxManager mailboxManager) {
        synchronized (PER_STORE) {
            return PER_STORE.computeIfAbsent(mailboxManager, manager -> new ParsedMessageCache(DEFAULT_MAX_BYTES));
        }
    }

    ParsedMessageCache(long maxBytes) {
        this.messages = Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher((Key key, ParsedMessage message) -> message.weight())
            .build();
    }

    /**
     * The parsed messages of {@code uids} (ascending, all in the session's view), with BODY and BODYSTRUCTURE if
     * {@code structures}; a message expunged meanwhile is missing from the answer, as from James's read.
     */
    Map<Long, ParsedMessage> parsed(MessageManager mailbox, long uidValidity, long[] uids, int count,
                                    boolean structures, SelectedMailbox selected, MailboxSession session)
        throws MailboxException {
        Map<Long, ParsedMessage> found = new HashMap<>(count * 2);
        List<Long> missing = new ArrayList<>();
        MailboxId id = mailbox.getId();
        for (int i = 0; i < count; i++) {
            ParsedMessage message = messages.getIfPresent(new Key(id, uidValidity, uids[i]));
            if (message != null && (message.structures() || !structures)) {
                found.put(uids[i], message);
            } else {
                missing.add(uids[i]);
            }
        }
        if (!missing.isEmpty()) {
            parse(mailbox, uidValidity, missing, structures, selected, session, found);
        }
        return found;
    }

    /** Reads and parses the missing messages by James's code, one read per run of consecutive UIDs. */
    private void parse(MessageManager mailbox, long uidValidity, List<Long> missing, boolean structures,
                       SelectedMailbox selected, MailboxSession session, Map<Long, ParsedMessage> found)
        throws MailboxException {
        FetchResponseBuilder builder = new FetchResponseBuilder(new EnvelopeBuilder());
        int start = 0;
        while (start < missing.size()) {
            int end = start;
            while (end + 1 < missing.size() && missing.get(end + 1) == missing.get(end) + 1) {
                end++;
            }
            MessageRange range = MessageRange.range(MessageUid.of(missing.get(start)), MessageUid.of(missing.get(end)));
            MessageResultIterator results = mailbox.getMessages(range, structures ? STRUCTURE_GROUP : HEADER_GROUP,
                session);
            while (results.hasNext()) {
                MessageResult result = results.next();
                if (selected.msn(result.getUid()).foldSilent(() -> 0, MessageSequenceNumber::asInt) == 0) {
                    continue; // added since the session's last EXISTS: not asked for
                }
                ParsedMessage message = parse(builder, result, structures, mailbox, selected, session);
                messages.put(new Key(mailbox.getId(), uidValidity, result.getUid().asLong()), message);
                found.put(result.getUid().asLong(), message);
            }
            start = end + 1;
        }
    }

    private ParsedMessage parse(FetchResponseBuilder builder, MessageResult result, boolean structures,
                                MessageManager mailbox, SelectedMailbox selected, MailboxSession session)
        throws MailboxException {
        FetchResponse items = builder.build(structures ? ALL_ITEMS : HEADER_ITEMS, result, mailbox, selected, session)
            .block();
        Headers headers = result.getHeaders();
        List<Header> fields = new ArrayList<>();
        headers.headers().forEachRemaining(fields::add);
        byte[] rawHeader;
        try (InputStream in = headers.getInputStream()) {
            rawHeader = in.readAllBytes();
        } catch (IOException e) {
            throw new MailboxException("Unable to read the header of message " + result.getUid(), e);
        }
        return new ParsedMessage(List.copyOf(fields), rawHeader,
            item(new FetchResponse(ANY_MSN, null, null, null, null, null, null, items.getEnvelope(), null, null,
                null, null, null)),
            structures ? item(new FetchResponse(ANY_MSN, null, null, null, null, null, null, null, items.getBody(),
                null, null, null, null)) : null,
            structures ? item(new FetchResponse(ANY_MSN, null, null, null, null, null, null, null, null,
                items.getBodyStructure(), null, null, null)) : null);
    }

    /** The bytes James's encoder writes for the one item of {@code response}, without the line around it. */
    private byte[] item(FetchResponse response) throws MailboxException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        ImapResponseWriter writer = new ImapResponseWriter() {
            @Override
            public void write(Literal literal) throws IOException {
                try (InputStream in = literal.getInputStream()) {
                    in.transferTo(out);
                }
            }

            @Override
            public void write(byte[] bytes) {
                out.writeBytes(bytes);
            }
        };
        try {
            ImapResponseComposerImpl composer = new ImapResponseComposerImpl(writer);
            encoder.encode(response, composer);
            composer.flush();
        } catch (IOException e) {
            throw new MailboxException("Unable to encode a FETCH item", e);
        }
        byte[] line = out.toByteArray();
        if (!startsWith(line, ITEM_PREFIX) || !endsWith(line, ITEM_SUFFIX)) {
            throw new MailboxException("Unexpected encoding of a FETCH item: "
                + new String(line, StandardCharsets.ISO_8859_1));
        }
        return Arrays.copyOfRange(line, ITEM_PREFIX.length, line.length - ITEM_SUFFIX.length);
    }

    private static boolean startsWith(byte[] line, byte[] prefix) {
        return line.length >= prefix.length && Arrays.equals(line, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static boolean endsWith(byte[] line, byte[] suffix) {
        return line.length >= suffix.length
            && Arrays.equals(line, line.length - suffix.length, line.length, suffix, 0, suffix.length);
    }

    /** Messages kept now (tests). */
    long size() {
        messages.cleanUp();
        return messages.estimatedSize();
    }
}
