package org.mailroom.storage.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {
    private final PasswordHasher hasher = new PasswordHasher(210_000);

    @Test
    void hashRoundTrips() {
        String encoded = hasher.hash("correct horse".toCharArray());

        assertThat(encoded).startsWith("pbkdf2-sha256$210000$");
        assertThat(hasher.matches("correct horse", encoded)).isTrue();
    }

    @Test
    void wrongPasswordDoesNotMatch() {
        String encoded = hasher.hash("correct horse".toCharArray());

        assertThat(hasher.matches("correct hors", encoded)).isFalse();
        assertThat(hasher.matches("Correct horse", encoded)).isFalse();
        assertThat(hasher.matches("", encoded)).isFalse();
        assertThat(hasher.matches(null, encoded)).isFalse();
    }

    @Test
    void samePasswordHashesDifferentlyBecauseOfTheSalt() {
        String first = hasher.hash("correct horse".toCharArray());
        String second = hasher.hash("correct horse".toCharArray());

        assertThat(first).isNotEqualTo(second);
        assertThat(salt(first)).isNotEqualTo(salt(second));
        assertThat(Base64.getDecoder().decode(salt(first))).hasSize(16);
        assertThat(Base64.getDecoder().decode(first.split("\\$")[3])).hasSize(32);
    }

    @Test
    void tamperedHashDoesNotMatch() {
        String encoded = hasher.hash("correct horse".toCharArray());
        String[] parts = encoded.split("\\$");
        byte[] hash = Base64.getDecoder().decode(parts[3]);
        hash[0] ^= 1;
        String flippedBit = parts[0] + "$" + parts[1] + "$" + parts[2] + "$" + Base64.getEncoder().encodeToString(hash);
        String otherCount = parts[0] + "$210001$" + parts[2] + "$" + parts[3];

        assertThat(hasher.matches("correct horse", flippedBit)).isFalse();
        assertThat(hasher.matches("correct horse", otherCount)).isFalse();
    }

    @Test
    void malformedHashesAreFalseNotExceptions() {
        String good = hasher.hash("correct horse".toCharArray());
        String[] parts = good.split("\\$");
        for (String malformed : new String[] {
            null, "", "correct horse", "$$$", "pbkdf2-sha256$", "pbkdf2-sha1$210000$" + parts[2] + "$" + parts[3],
            "pbkdf2-sha256$abc$" + parts[2] + "$" + parts[3], "pbkdf2-sha256$-5$" + parts[2] + "$" + parts[3],
            "pbkdf2-sha256$0$" + parts[2] + "$" + parts[3], "pbkdf2-sha256$999999999999$" + parts[2] + "$" + parts[3],
            "pbkdf2-sha256$2000000000$" + parts[2] + "$" + parts[3],
            "pbkdf2-sha256$210000$!!notbase64$" + parts[3], "pbkdf2-sha256$210000$" + parts[2] + "$",
            "pbkdf2-sha256$210000$$" + parts[3], "pbkdf2-sha256$210000$" + parts[2] + "$AAAA",
            good + "$extra"}) {
            assertThat(hasher.matches("correct horse", malformed)).as(String.valueOf(malformed)).isFalse();
        }
    }

    @Test
    void iterationFloorIsEnforced() {
        assertThatThrownBy(() -> new PasswordHasher(209_999))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("210000");
        assertThat(new PasswordHasher(210_000)).isNotNull();
    }

    @Test
    void hashesMadeWithAnotherIterationCountStillVerify() {
        String older = hasher.hash("correct horse".toCharArray());
        PasswordHasher stronger = new PasswordHasher(220_000);

        assertThat(stronger.matches("correct horse", older)).isTrue();
        assertThat(stronger.isWeakerThanCurrent(older)).isTrue();
        assertThat(hasher.isWeakerThanCurrent(older)).isFalse();
    }

    @Test
    void defaultsUseThreeHundredTenThousandIterations() {
        assertThat(PasswordHasher.defaults().dummyHash()).startsWith("pbkdf2-sha256$310000$");
    }

    @Test
    void dummyHashMatchesNothing() {
        assertThat(hasher.matches("anything at all", hasher.dummyHash())).isFalse();
    }

    private static String salt(String encoded) {
        return encoded.split("\\$")[2];
    }
}
