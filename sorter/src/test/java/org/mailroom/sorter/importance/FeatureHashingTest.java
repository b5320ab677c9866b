package org.mailroom.sorter.importance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The weight keys are stored: hashing names faster must give every name the very key it had. */
class FeatureHashingTest {

    /** FNV-1a over the UTF-8 bytes, as the keys were always computed. */
    private static long fnvOfUtf8(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    @Test
    void everyNameHashesAsItsUtf8Bytes() {
        List<String> names = List.of("", "subject:hello", "from:alice@example.org", "pop-rate:0.25", "word:caf\u00e9",
            "word:\u0130stanbul", "greeting:\u00fcber", "word:\u4f60\u597d", "emoji:\ud83d\ude00",
            "broken:\ud83d", "ascii then \u00e9 then ascii", "\u007f\u0080");
        for (String name : names) {
            assertThat(FeatureHashing.fnv(name)).as(name).isEqualTo(fnvOfUtf8(name));
        }
        assertThat(FeatureHashing.global("subject:hello")).isNotEqualTo(FeatureHashing.global("subject:hellp"));
    }
}
