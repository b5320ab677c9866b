package org.mailroom.dist.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DataSizeTest {
    @Test
    void readsUnitsAsPowersOf1024() {
        assertThat(DataSize.parse("25MB").bytes()).isEqualTo(25L * 1024 * 1024);
        assertThat(DataSize.parse("512 kb").bytes()).isEqualTo(512L * 1024);
        assertThat(DataSize.parse("1GiB").bytes()).isEqualTo(1024L * 1024 * 1024);
        assertThat(DataSize.parse("1000").bytes()).isEqualTo(1000);
        assertThat(DataSize.parse("7B").bytes()).isEqualTo(7);
    }

    @Test
    void printsAsItWouldBeWritten() {
        assertThat(DataSize.parse("25MB")).hasToString("25MB");
        assertThat(DataSize.parse("1536KB")).hasToString("1536KB");
        assertThat(DataSize.parse("1000")).hasToString("1000B");
    }

    @Test
    void refusesNonsenseZeroAndHugeSizes() {
        assertThatThrownBy(() -> DataSize.parse("25 parsecs")).hasMessageContaining("unparsable size");
        assertThatThrownBy(() -> DataSize.parse("-5MB")).hasMessageContaining("unparsable size");
        assertThatThrownBy(() -> DataSize.parse("0")).hasMessageContaining("between 1 byte and 2GB");
        assertThatThrownBy(() -> DataSize.parse("3GB")).hasMessageContaining("larger than 2GB");
    }
}
