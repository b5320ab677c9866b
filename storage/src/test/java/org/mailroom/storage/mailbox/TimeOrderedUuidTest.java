package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class TimeOrderedUuidTest {
    @Test
    void hasTheVersion7LayoutWithTheMillisecondsFirst() {
        long millis = 0x0190_1234_5678L;
        UUID id = TimeOrderedUuid.at(millis, new SecureRandom());
        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(millis);
        assertThat(id.toString()).startsWith("01901234-5678-7");
    }

    @Test
    void textSortsByCreationTimeAcrossMilliseconds() {
        SecureRandom random = new SecureRandom();
        String earlier = TimeOrderedUuid.at(1_700_000_000_000L, random).toString();
        String later = TimeOrderedUuid.at(1_700_000_000_001L, random).toString();
        String muchLater = TimeOrderedUuid.at(2_700_000_000_000L, random).toString();
        assertThat(earlier).isLessThan(later);
        assertThat(later).isLessThan(muchLater);
    }

    @Test
    void idsMadeInOneMillisecondDifferAndParseBackAsMessageIds() {
        SecureRandom random = new SecureRandom();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            ids.add(TimeOrderedUuid.at(1_700_000_000_000L, random).toString());
        }
        assertThat(ids).hasSize(100_000);
        String one = ids.iterator().next();
        assertThat(StoredMessageId.of(one).serialize()).isEqualTo(one);
    }

    @Test
    void generatedMessageIdsAreTimeOrderedAndFresh() throws InterruptedException {
        StoredMessageId.Factory factory = new StoredMessageId.Factory();
        StoredMessageId first = StoredMessageId.of(factory.generate());
        Thread.sleep(2);
        StoredMessageId second = StoredMessageId.of(factory.generate());
        assertThat(UUID.fromString(first.value()).version()).isEqualTo(7);
        assertThat(first.value()).isLessThan(second.value());
        assertThat(first.claimFirstWrite()).isTrue();
        assertThat(first.claimFirstWrite()).isFalse();
    }
}
