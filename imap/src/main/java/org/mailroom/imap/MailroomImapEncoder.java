package org.mailroom.imap;

import java.io.IOException;
import java.util.List;

import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imap.encode.ImapResponseComposer;
import org.apache.james.imap.message.response.FetchResponse;

/**
 * James's encoder with Mailroom's two FETCH changes: {@link FetchLines} (responses Mailroom encoded itself) are written
 * as they are, and a FETCH response with body sections gets its small literals written inline
 * ({@link WholeLiteralComposer}); every other response is James's.
 */
final class MailroomImapEncoder implements ImapEncoder {
    private final ImapEncoder james;

    MailroomImapEncoder(ImapEncoder james) {
        this.james = james;
    }

    @Override
    public void encode(ImapMessage message, ImapResponseComposer composer) throws IOException {
        if (message instanceof FetchLines lines) {
            lines.writeTo(composer);
        } else if (message instanceof FetchResponse fetch && hasBodySections(fetch)) {
            james.encode(message, new WholeLiteralComposer(composer));
        } else {
            james.encode(message, composer);
        }
    }

    private static boolean hasBodySections(FetchResponse fetch) {
        List<FetchResponse.BodyElement> elements = fetch.getElements();
        return elements != null && !elements.isEmpty();
    }
}
