package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.core.Username;
import org.apache.james.mailbox.model.MailboxConstants;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.store.quota.DefaultUserQuotaRootResolver;
import org.junit.jupiter.api.Test;

/** The quota key written by the mappers must be the one James's resolver (and so the quota checks) reads. */
class QuotaUsageTest {
    private final DefaultUserQuotaRootResolver james = new DefaultUserQuotaRootResolver(null, null);

    @Test
    void userMailboxRootMatchesJamessResolver() {
        MailboxPath path = MailboxPath.forUser(Username.of("alice@example.org"), "INBOX");
        assertThat(QuotaUsage.rootOf(MailboxConstants.USER_NAMESPACE, "alice@example.org"))
            .isEqualTo(james.getQuotaRoot(path).getValue());
    }

    @Test
    void mailboxWithoutUserMatchesJamessResolver() {
        MailboxPath path = new MailboxPath("#shared", null, "news");
        assertThat(QuotaUsage.rootOf("#shared", "")).isEqualTo(james.getQuotaRoot(path).getValue());
    }
}
