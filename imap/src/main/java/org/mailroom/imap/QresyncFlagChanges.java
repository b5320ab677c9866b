package org.mailroom.imap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import javax.mail.Flags;

import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.UidRange;
import org.apache.james.imap.api.message.response.ImapResponseMessage;
import org.apache.james.imap.api.message.response.StatusResponse;
import org.apache.james.imap.api.process.ImapProcessor.Responder;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.message.request.AbstractMailboxSelectionRequest;
import org.apache.james.imap.message.response.FetchResponse;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.ComposedMessageIdWithMetaData;
import org.apache.james.mailbox.model.MessageRange;

import reactor.core.publisher.Flux;

/**
 * The FETCH responses a QRESYNC SELECT/EXAMINE owes the client (RFC 7162 section 3.2.5.1): for every message in
 * the client's known UID range whose MODSEQ is above the client's last known one, {@code * n FETCH (UID u FLAGS
 * (..) MODSEQ (m))}. James 3.8.1 sends the VANISHED (EARLIER) part but never these; a client then kept stale flags
 * until it asked again with {@code CHANGEDSINCE}.
 *
 * <p>They go out just before the tagged OK of a successful resynchronisation (after VANISHED, as in the RFC's
 * example): {@link #around} wraps the SELECT's responder and adds them when that OK passes through.
 */
final class QresyncFlagChanges {

    private QresyncFlagChanges() {
    }

    /** {@code responder} itself when the request carries no QRESYNC parameters, else a responder that adds them. */
    static Responder around(AbstractMailboxSelectionRequest request, ImapSession session, MailboxManager mailboxManager,
                            Responder responder) {
        if (request.getLastKnownUidValidity().isUnknown() || request.getKnownModSeq() == null) {
            return responder;
        }
        return new Responder() {
            @Override
            public void respond(ImapResponseMessage message) {
                if (isSuccessfulResync(message, request)) {
                    changedSince(request, session, mailboxManager).forEach(responder::respond);
                }
                responder.respond(message);
            }

            @Override
            public void flush() {
                responder.flush();
            }
        };
    }

    private static boolean isSuccessfulResync(ImapResponseMessage message, AbstractMailboxSelectionRequest request) {
        return message instanceof StatusResponse status
            && status.getServerResponseType() == StatusResponse.Type.OK
            && request.getTag().equals(status.getTag())
            // a UIDVALIDITY mismatch answers OK too, but then the client's flags are worthless anyway
            && !HumanReadableText.QRESYNC_UIDVALIDITY_MISMATCH.equals(status.getTextKey());
    }

    private static List<FetchResponse> changedSince(AbstractMailboxSelectionRequest request, ImapSession session,
                                                    MailboxManager mailboxManager) {
        SelectedMailbox selected = session.getSelected();
        MailboxSession mailboxSession = session.getMailboxSession();
        if (selected == null || mailboxSession == null) {
            return List.of();
        }
        long knownModSeq = request.getKnownModSeq();
        try {
            MessageManager mailbox = mailboxManager.getMailbox(selected.getMailboxId(), mailboxSession);
            List<ComposedMessageIdWithMetaData> changed = Flux.fromIterable(ranges(request.getUidSet()))
                .concatMap(range -> Flux.from(mailbox.listMessagesMetadata(range, mailboxSession)))
                .filter(message -> message.getModSeq().asLong() > knownModSeq)
                .collectList()
                .block();
            List<FetchResponse> responses = new ArrayList<>();
            changed.stream()
                .sorted(Comparator.comparing(message -> message.getComposedMessageId().getUid()))
                .forEach(message -> {
                    MessageUid uid = message.getComposedMessageId().getUid();
                    // a message the session does not know yet has no sequence number: EXISTS/FETCH will tell
                    selected.msn(uid).ifPresent(msn -> {
                        Flags flags = new Flags(message.getFlags());
                        if (selected.isRecent(uid)) {
                            flags.add(Flags.Flag.RECENT);
                        }
                        responses.add(new FetchResponse(msn, flags, uid, null, message.getModSeq(), null, null, null,
                            null, null, null, null, null));
                    });
                });
            return responses;
        } catch (MailboxException e) {
            throw new IllegalStateException("QRESYNC: cannot list changed flags of " + selected.getMailboxId(), e);
        }
    }

    private static List<MessageRange> ranges(UidRange[] uidSet) {
        if (uidSet == null || uidSet.length == 0) {
            return List.of(MessageRange.all());
        }
        List<MessageRange> ranges = new ArrayList<>();
        for (UidRange range : uidSet) {
            ranges.add(range.toMessageRange());
        }
        return ranges;
    }
}
