package org.mailroom.smtp.delivery;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.model.Content;
import org.apache.james.mailbox.model.MailboxConstants;
import org.mailroom.smtp.outbound.LocalInbox;

/**
 * Puts a message Mailroom wrote itself (a delivery report to a local sender) into the INBOX of every user its
 * address reaches, without the sorter: a report about the user's own mail is not something to classify.
 */
public final class InboxDelivery implements LocalInbox {

    private final LocalRecipients recipients;
    private final MailboxAppender appender;

    public InboxDelivery(MailboxManager mailboxManager, LocalRecipients recipients, Clock clock) {
        this.recipients = Objects.requireNonNull(recipients, "recipients");
        this.appender = new MailboxAppender(mailboxManager, clock);
    }

    /** False when the address is not local or reaches nobody; all or nothing across the users it reaches. */
    @Override
    public boolean deliver(String address, byte[] message) throws Exception {
        int at = address.lastIndexOf('@');
        if (at <= 0) {
            return false;
        }
        String localPart = address.substring(0, at);
        String domain = LocalRecipients.normalisedDomain(address.substring(at + 1));
        if (!recipients.isLocalDomain(domain) && !recipients.isServerPostmaster(localPart, domain)) {
            return false;
        }
        Set<String> users = recipients.resolve(localPart, domain);
        if (users.isEmpty()) {
            return false;
        }
        Content content = new Content() {
            @Override
            public InputStream getInputStream() {
                return new ByteArrayInputStream(message);
            }

            @Override
            public long size() {
                return message.length;
            }
        };
        List<MailboxAppender.Appended> done = new ArrayList<>();
        try {
            for (String user : users) {
                done.add(appender.append(user, MailboxConstants.INBOX, content));
            }
        } catch (Exception failure) {
            for (MailboxAppender.Appended copy : done) {
                try {
                    appender.undo(copy);
                } catch (Exception e) {
                    failure.addSuppressed(e);
                }
            }
            throw failure;
        } finally {
            for (MailboxAppender.Appended copy : done) {
                appender.end(copy);
            }
        }
        return true;
    }
}
