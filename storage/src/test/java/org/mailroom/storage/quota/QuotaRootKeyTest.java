package org.mailroom.storage.quota;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.core.Username;
import org.apache.james.mailbox.model.MailboxConstants;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.store.quota.DefaultUserQuotaRootResolver;
import org.junit.jupiter.api.Test;

/** The quota key summed from the mailbox rows must be the one James's resolver (and so the quota checks) asks for. */
class QuotaRootKeyTest {
    private final DefaultUserQuotaRootResolver james = new DefaultUserQuotaRootResolver(null, null);

    @Test
    void userMailboxRootMatchesJamessResolver() {
        MailboxPath path = MailboxPath.forUser(Username.of("alice@example.org"), "INBOX");
        String root = james.getQuotaRoot(path).getValue();

        assertThat(QuotaRootKey.of(MailboxConstants.USER_NAMESPACE, "alice@example.org")).isEqualTo(root);
        assertThat(QuotaRootKey.parse(root)).isEqualTo(new QuotaRootKey(MailboxConstants.USER_NAMESPACE, "alice@example.org"));
    }

    @Test
    void mailboxWithoutUserMatchesJamessResolver() {
        MailboxPath path = new MailboxPath("#shared", null, "news");
        String root = james.getQuotaRoot(path).getValue();

        assertThat(QuotaRootKey.of("#shared", "")).isEqualTo(root);
        assertThat(QuotaRootKey.parse(root)).isEqualTo(new QuotaRootKey("#shared", ""));
    }

    @Test
    void anAmpersandInTheUserStaysInTheOwner() {
        assertThat(QuotaRootKey.parse("#private&tom&jerry@example.org"))
            .isEqualTo(new QuotaRootKey("#private", "tom&jerry@example.org"));
    }
}
