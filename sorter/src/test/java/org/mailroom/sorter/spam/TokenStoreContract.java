package org.mailroom.sorter.spam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * What every {@link TokenStore} must do; the in-memory and JDBC stores both run it (storage depends on the sorter's
 * test jar for this).
 */
public abstract class TokenStoreContract {

    protected abstract TokenStore store();

    private static TokenStore.TrainingChange change(long[] tokens, double delta, boolean spam, boolean keep) {
        return new TokenStore.TrainingChange(tokens, delta, spam ? 1 : 0, spam ? 0 : 1,
            keep ? Optional.of(new TokenStore.TrainingRecord(spam, tokens, delta)) : Optional.empty());
    }

    @Test
    void unknownTokensAndScopesReadAsZero() {
        TokenStore.TokenStats stats = store().read("nobody@example.test", new long[] {1, 2, 3});
        assertThat(stats.weights()).containsExactly(0, 0, 0);
        assertThat(stats.spam()).containsExactly(0, 0, 0);
        assertThat(store().totals("nobody@example.test")).isEqualTo(TokenStore.Totals.EMPTY);
        assertThat(store().record("nobody@example.test", "<x@y>")).isEmpty();
    }

    @Test
    void applyAddsWeightsCountsTotalsAndKeepsTheRecord() {
        long[] tokens = {Long.MIN_VALUE, -1, 0, 42, Long.MAX_VALUE};
        store().apply("alice@example.test", "<1@x>", change(tokens, 0.25, true, true));
        store().apply("alice@example.test", "<2@x>", change(new long[] {42, 7}, -0.5, false, true));

        TokenStore.TokenStats stats = store().read("alice@example.test", new long[] {42, 7, -1, 99});
        assertThat(stats.weights()[0]).isCloseTo(-0.25, within(1e-12));
        assertThat(stats.weights()[1]).isCloseTo(-0.5, within(1e-12));
        assertThat(stats.weights()[2]).isCloseTo(0.25, within(1e-12));
        assertThat(stats.weights()[3]).isZero();
        assertThat(stats.spam()).containsExactly(1, 0, 1, 0);
        assertThat(stats.ham()).containsExactly(1, 1, 0, 0);
        TokenStore.Totals totals = store().totals("alice@example.test");
        assertThat(totals.spamMessages()).isEqualTo(1);
        assertThat(totals.hamMessages()).isEqualTo(1);
        assertThat(totals.bias()).isCloseTo(-0.25, within(1e-12));
        TokenStore.TrainingRecord record = store().record("alice@example.test", "<1@x>").orElseThrow();
        assertThat(record.spam()).isTrue();
        assertThat(record.tokens()).containsExactly(tokens);
        assertThat(record.weightDelta()).isCloseTo(0.25, within(1e-12));
    }

    @Test
    void scopesAreSeparate() {
        store().apply(TokenStore.GLOBAL, "<1@x>", change(new long[] {5}, 1.0, true, true));
        store().apply("bob@example.test", "<1@x>", change(new long[] {5}, -2.0, false, true));

        assertThat(store().read(TokenStore.GLOBAL, new long[] {5}).weights()[0]).isCloseTo(1.0, within(1e-12));
        assertThat(store().read("bob@example.test", new long[] {5}).weights()[0]).isCloseTo(-2.0, within(1e-12));
        assertThat(store().record(TokenStore.GLOBAL, "<1@x>").orElseThrow().spam()).isTrue();
        assertThat(store().record("bob@example.test", "<1@x>").orElseThrow().spam()).isFalse();
    }

    @Test
    void anEmptyRecordForgetsTheMessage() {
        long[] tokens = {11, 12};
        store().apply("carol@example.test", "<1@x>", change(tokens, 0.5, true, true));
        store().apply("carol@example.test", "<1@x>", new TokenStore.TrainingChange(tokens, -0.5, -1, 0,
            Optional.empty()));

        assertThat(store().record("carol@example.test", "<1@x>")).isEmpty();
        assertThat(store().read("carol@example.test", tokens).weights()[0]).isCloseTo(0, within(1e-12));
        assertThat(store().totals("carol@example.test").spamMessages()).isZero();
    }

    @Test
    void manyTokensAtOnce() {
        long[] tokens = new long[1200];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = i * 0x9e3779b97f4a7c15L;
        }
        store().apply("dave@example.test", "<big@x>", change(tokens, 0.125, false, true));
        store().apply("dave@example.test", "<big2@x>", change(tokens, 0.125, false, true));

        TokenStore.TokenStats stats = store().read("dave@example.test", tokens);
        for (int i = 0; i < tokens.length; i++) {
            assertThat(stats.weights()[i]).isCloseTo(0.25, within(1e-12));
            assertThat(stats.ham()[i]).isEqualTo(2);
        }
        assertThat(store().record("dave@example.test", "<big@x>").orElseThrow().tokens()).hasSize(1200);
    }

    @Test
    void longMessageKeysAreKeptApart() {
        String base = "<" + "k".repeat(800);
        store().apply("erin@example.test", base + "1@x>", change(new long[] {1}, 1, true, true));
        store().apply("erin@example.test", base + "2@x>", change(new long[] {1}, 1, false, true));

        assertThat(store().record("erin@example.test", base + "1@x>").orElseThrow().spam()).isTrue();
        assertThat(store().record("erin@example.test", base + "2@x>").orElseThrow().spam()).isFalse();
    }
}
