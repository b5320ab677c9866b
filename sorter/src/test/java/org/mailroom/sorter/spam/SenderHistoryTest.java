package org.mailroom.sorter.spam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailroom.sorter.spam.TestMails.mail;

import org.junit.jupiter.api.Test;
import org.mailroom.sorter.message.MailContent;

class SenderHistoryTest {
    private final InMemoryTokenStore store = new InMemoryTokenStore();
    private final SpamFilter filter = new SpamFilter(store);

    private static MailContent from(String sender, String id) {
        return mail(id, sender, "Hello " + id, "Some words " + id);
    }

    private long[] history(String user, MailContent content, String key) {
        return SenderHistory.features(store, user, true, content, key);
    }

    private static long[] seen(int address, int domain) {
        return new long[] {SenderHistory.ADDRESS[address], SenderHistory.DOMAIN[domain]};
    }

    @Test
    void aSenderIsNewUntilTrainedThenHamSpamOrBoth() {
        MailContent first = from("bob@lists.example.org", "1");
        assertThat(history(TokenStore.GLOBAL, first, null)).containsExactly(seen(0, 0));

        filter.learn(TokenStore.GLOBAL, "1", first, false);
        assertThat(history(TokenStore.GLOBAL, from("bob@lists.example.org", "2"), null))
            .containsExactly(seen(1, 1));
        // Another address at the same organisation: the address is new, its domain is known as ham.
        assertThat(history(TokenStore.GLOBAL, from("carol@example.org", "3"), null)).containsExactly(seen(0, 1));

        filter.learn(TokenStore.GLOBAL, "4", from("bob@lists.example.org", "4"), true);
        assertThat(history(TokenStore.GLOBAL, from("bob@lists.example.org", "5"), null))
            .containsExactly(seen(3, 3));
        assertThat(history(TokenStore.GLOBAL, from("mallory@spam.example", "6"), null)).containsExactly(seen(0, 0));
    }

    @Test
    void aTrainedMessageIsLeftOutOfItsOwnHistory() {
        MailContent message = from("bob@example.org", "1");
        filter.learn(TokenStore.GLOBAL, "1", message, true);

        // Seen again under its own key (a reinforcing pass, a correction) the message does not vouch for itself.
        assertThat(history(TokenStore.GLOBAL, message, "1")).containsExactly(seen(0, 0));
        assertThat(history(TokenStore.GLOBAL, message, null)).containsExactly(seen(2, 2));
    }

    @Test
    void aUsersPrivateTrainingCountsOnlyForThatUserWhenNotShared() {
        SpamFilter privateFilter = new SpamFilter(store, new SpamModelSettings(16.0, 2.5, 4.0, false, 0.1, 2.0, 0.15));
        privateFilter.learn("alice@example.test", "1", from("bob@example.org", "1"), false);

        assertThat(SenderHistory.features(store, "alice@example.test", false, from("bob@example.org", "2"), null))
            .containsExactly(seen(1, 1));
        assertThat(SenderHistory.features(store, "dave@example.test", false, from("bob@example.org", "2"), null))
            .containsExactly(seen(0, 0));
    }

    @Test
    void aMessageWithoutFromHasNoHistory() {
        assertThat(history(TokenStore.GLOBAL, TestMails.parse("Subject: hi\n\nbody\n"), null)).isEmpty();
    }

    @Test
    void correctingAndForgettingStayExactWithTheHistoryFeatures() {
        MailContent message = from("bob@example.org", "1");
        filter.learn("alice@example.test", "1", message, false);
        filter.learn("alice@example.test", "1", message, true);
        filter.forget("alice@example.test", "1");

        long[] tokens = {FeatureHash.of("from", "bob@example.org"), SenderHistory.ADDRESS[0],
            SenderHistory.ADDRESS[1], SenderHistory.DOMAIN[0]};
        for (String scope : new String[] {TokenStore.GLOBAL, "alice@example.test"}) {
            TokenStore.TokenStats stats = store.read(scope, tokens);
            for (int i = 0; i < tokens.length; i++) {
                assertThat(stats.weights()[i]).isCloseTo(0.0, org.assertj.core.api.Assertions.within(1e-12));
                assertThat(stats.spam()[i] + stats.ham()[i]).isZero();
            }
        }
    }
}
