package org.mailroom.imap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.james.imap.api.message.BodyFetchElement;
import org.apache.james.imap.api.message.FetchData;
import org.apache.james.imap.api.message.FetchData.Item;
import org.apache.james.imap.api.message.SectionType;
import org.apache.james.imap.api.process.ImapProcessor.Responder;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.message.response.FetchResponse;
import org.apache.james.imap.processor.fetch.EnvelopeBuilder;
import org.apache.james.imap.processor.fetch.FetchResponseBuilder;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MessageRange;
import org.mailroom.storage.mailbox.MetadataRowSource;

/**
 * A FETCH of what James answers by parsing each message: ENVELOPE, BODY, BODYSTRUCTURE and the header sections of the
 * whole message ({@code BODY.PEEK[HEADER]}, {@code BODY.PEEK[HEADER.FIELDS (...)]}, {@code HEADER.FIELDS.NOT},
 * {@code RFC822.HEADER}), with any membership-row items beside them (imaptest's FETCH and FETCH2 send these in every
 * session). James read each message through its reactive chain, parsed its header (and for BODY/BODYSTRUCTURE the
 * whole message) with mime4j and built a message result and a response object per message, at every FETCH. Here the
 * membership rows are streamed as for {@link MetadataFetch}, each message's parse comes from {@link ParsedMessageCache}
 * (James's own parse and encoding, done once per message), and the line is written straight into response bytes:
 * the row items, the kept ENVELOPE/BODY/BODYSTRUCTURE bytes, the UID, then the header sections as James's builder
 * makes them from the kept header, in James's item order ({@code MetadataFetchTest}, {@code ParsedItemsFetchTest}).
 *
 * <p>Left to James: a section that sets {@code \Seen}, a part path or partial range, TEXT, MIME and whole-message
 * sections beside these items, BODY beside a section (James leaves BODY out then), and whatever {@link MetadataFetch}
 * leaves to James (CHANGEDSINCE, VANISHED, the first MODSEQ fetch).
 */
final class ParsedItemsFetch {
    private static final Set<Item> PARSED_ITEMS = EnumSet.of(Item.ENVELOPE, Item.BODY, Item.BODY_STRUCTURE);
    private static final Set<SectionType> HEADER_SECTIONS =
        EnumSet.of(SectionType.HEADER, SectionType.HEADER_FIELDS, SectionType.HEADER_NOT_FIELDS);
    private static final byte[] LITERAL_OPEN = " {".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LITERAL_CLOSE = "}\r\n".getBytes(StandardCharsets.US_ASCII);

    private final MetadataFetch items;
    private final boolean envelope;
    private final boolean body;
    private final boolean bodyStructure;
    /** The header sections alone, as the builder is asked for them; null if there are none. */
    private final FetchData sections;

    private ParsedItemsFetch(MetadataFetch items, FetchData fetch, FetchData sections) {
        this.items = items;
        this.envelope = fetch.contains(Item.ENVELOPE);
        this.body = fetch.contains(Item.BODY);
        this.bodyStructure = fetch.contains(Item.BODY_STRUCTURE);
        this.sections = sections;
    }

    /** The fetch, if it is one Mailroom answers with James's exact responses. */
    static Optional<ParsedItemsFetch> of(FetchData fetch, ImapSession session) {
        if (fetch.isSetSeen()) {
            return Optional.empty();
        }
        boolean parsed = false;
        FetchData.Builder rowItems = FetchData.builder();
        for (Item item : Item.values()) {
            if (fetch.contains(item)) {
                if (PARSED_ITEMS.contains(item)) {
                    parsed = true;
                } else {
                    rowItems.fetch(item);
                }
            }
        }
        FetchData.Builder sections = FetchData.builder();
        for (BodyFetchElement element : fetch.getBodyElements()) {
            if (!HEADER_SECTIONS.contains(element.getSectionType()) || element.getFirstOctet() != null
                || element.getPath() != null && element.getPath().length > 0 || !isAscii(element.getResponseName())) {
                return Optional.empty();
            }
            sections.add(element, true);
        }
        boolean anySection = !fetch.getBodyElements().isEmpty();
        if (!parsed && !anySection || fetch.contains(Item.BODY) && anySection) {
            return Optional.empty();
        }
        return MetadataFetch.rowItems(rowItems.build(), session, false)
            .map(items -> new ParsedItemsFetch(items, fetch, anySection ? sections.build() : null));
    }

    /**
     * Answers the FETCH for the rows of {@code ranges} in batches of about {@code batchBytes}; returns the number of
     * messages answered.
     */
    int answer(MetadataRowSource rows, List<MessageRange> ranges, SelectedMailbox selected, MailboxSession session,
               ParsedMessageCache cache, Responder responder, int batchBytes) throws MailboxException {
        MessageManager mailbox = (MessageManager) rows;
        long uidValidity = mailbox.getMailboxEntity().getUidValidity().asLong();
        boolean structures = body || bodyStructure;
        FetchResponseBuilder builder = sections == null ? null : new FetchResponseBuilder(new EnvelopeBuilder());
        FetchLines.Builder lines = new FetchLines.Builder(batchBytes, batchBytes);
        int count = 0;
        for (MessageRange range : ranges) {
            SessionRows found = new SessionRows();
            SessionUidWalk view = SessionUidWalk.of(selected, range, items.flags());
            rows.visitMetadataRows(range, (uid, modSeq, size, internalDate, systemFlags, keywords) -> {
                int msn = view.msn(uid);
                if (msn != 0) {
                    // in this session's view (a message added since its last EXISTS is skipped, as by James)
                    found.add(msn, uid, modSeq, size, internalDate, systemFlags, keywords,
                        items.flags() && view.isRecent(uid));
                }
            });
            Map<Long, ParsedMessage> parsed = cache.parsed(mailbox, uidValidity, found.uids, found.count, structures,
                selected, session);
            for (int i = 0; i < found.count; i++) {
                ParsedMessage message = parsed.get(found.uids[i]);
                if (message == null) {
                    continue; // expunged since the rows were read: James's read would not find it either
                }
                List<FetchResponse.BodyElement> elements = sections == null ? List.of()
                    : builder.build(sections, new HeaderSectionResult(found.uids[i], found.sizes[i], found.modSeqs[i], message), mailbox,
                        selected, session).block().getElements();
                encode(lines, found, i, message, elements);
                count++;
                if (lines.batchReady()) {
                    responder.respond(lines.takeBatch());
                }
            }
        }
        if (!lines.isEmpty()) {
            responder.respond(lines.take());
        }
        return count;
    }

    /** One message's line in James's item order: row items, ENVELOPE, BODY, BODYSTRUCTURE, UID, sections. */
    private void encode(FetchLines.Builder out, SessionRows rows, int i, ParsedMessage message,
                        List<FetchResponse.BodyElement> elements) throws MailboxException {
        boolean any = items.writeItemsBeforeUid(out, rows.msns[i], rows.modSeqs[i], rows.sizes[i],
            rows.internalDates[i], rows.systemFlags[i], rows.keywords[i], rows.recent[i]);
        if (envelope) {
            any = item(out, message.envelope(), any);
        }
        if (body) {
            any = item(out, message.body(), any);
        }
        if (bodyStructure) {
            any = item(out, message.bodyStructure(), any);
        }
        any = items.writeUid(out, rows.uids[i], any) || any;
        for (FetchResponse.BodyElement element : elements) {
            if (any) {
                out.write((byte) ' ');
            }
            any = true;
            byte[] bytes;
            try (InputStream in = element.getInputStream()) {
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new MailboxException("Unable to write a header section", e);
            }
            out.writeAscii(element.getName()).write(LITERAL_OPEN).writeNumber(bytes.length).write(LITERAL_CLOSE)
                .write(bytes);
        }
        out.write((byte) ')');
    }

    private static boolean item(FetchLines.Builder out, byte[] bytes, boolean itemBefore) {
        if (itemBefore) {
            out.write((byte) ' ');
        }
        out.write(bytes);
        return true;
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 127) {
                return false;
            }
        }
        return true;
    }

    /** The rows of one range that are in the session's view, in UID order, kept while their parses are fetched. */
    private static final class SessionRows {
        int count;
        int[] msns = new int[16];
        long[] uids = new long[16];
        long[] modSeqs = new long[16];
        long[] sizes = new long[16];
        long[] internalDates = new long[16];
        int[] systemFlags = new int[16];
        String[] keywords = new String[16];
        boolean[] recent = new boolean[16];

        void add(int msn, long uid, long modSeq, long size, long internalDate, int flags, String words,
                 boolean isRecent) {
            if (count == uids.length) {
                int grown = count * 2;
                msns = Arrays.copyOf(msns, grown);
                uids = Arrays.copyOf(uids, grown);
                modSeqs = Arrays.copyOf(modSeqs, grown);
                sizes = Arrays.copyOf(sizes, grown);
                internalDates = Arrays.copyOf(internalDates, grown);
                systemFlags = Arrays.copyOf(systemFlags, grown);
                keywords = Arrays.copyOf(keywords, grown);
                recent = Arrays.copyOf(recent, grown);
            }
            msns[count] = msn;
            uids[count] = uid;
            modSeqs[count] = modSeq;
            sizes[count] = size;
            internalDates[count] = internalDate;
            systemFlags[count] = flags;
            keywords[count] = words;
            recent[count] = isRecent;
            count++;
        }
    }
}
