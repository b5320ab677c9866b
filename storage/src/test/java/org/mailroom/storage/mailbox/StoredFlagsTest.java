package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Collectors;

import javax.mail.Flags;

import org.junit.jupiter.api.Test;

class StoredFlagsTest {

    /** The encoding as it was first written (a sorted stream joined by spaces): the stored form must not change. */
    private static String specification(Flags flags) {
        String[] keywords = flags.getUserFlags();
        return keywords.length == 0 ? null : Arrays.stream(keywords).sorted().collect(Collectors.joining(" "));
    }

    @Test
    void keywordsAreStoredAsTheSortedSpaceSeparatedListTheyAlwaysWere() {
        Random random = new Random(20261130);
        String[] names = {"$Junk", "$NotJunk", "$Important", "$Label1", "$label1", "Work", "a", "B", "$Forwarded", "z9"};
        for (int round = 0; round < 20_000; round++) {
            Flags flags = new Flags();
            if (random.nextBoolean()) {
                flags.add(Flags.Flag.SEEN);
            }
            int count = random.nextInt(5);
            for (int i = 0; i < count; i++) {
                flags.add(names[random.nextInt(names.length)]);
            }

            String encoded = StoredFlags.encodeKeywords(flags);

            assertThat(encoded).isEqualTo(specification(flags));
            Flags read = new Flags();
            StoredFlags.addKeywords(read, encoded);
            assertThat(read.getUserFlags()).containsExactlyInAnyOrder(flags.getUserFlags());
        }
    }

    @Test
    void encodingLeavesTheFlagsAsTheyWere() {
        Flags flags = new Flags();
        flags.add("zeta");
        flags.add("alpha");

        assertThat(StoredFlags.encodeKeywords(flags)).isEqualTo("alpha zeta");
        assertThat(flags.getUserFlags()).containsExactlyInAnyOrder("zeta", "alpha");
        assertThat(StoredFlags.encodeKeywords(new Flags(Flags.Flag.SEEN))).isNull();
    }
}
