package org.mailroom.sorter.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.Test;

/**
 * POI (Tika's Office parsers) logs through the Log4j API. Without a provider for it, the JVM printed "Log4j API
 * could not find a logging provider" at every start and POI's warnings were lost; the log4j-to-slf4j bridge hands
 * them to SLF4J, i.e. to Logback like the rest of the server.
 */
class PoiLoggingTest {

    @Test
    void theLog4jApiLogsThroughSlf4j() {
        assertThat(LogManager.getLogger("org.apache.poi").getClass().getName())
            .isEqualTo("org.apache.logging.slf4j.SLF4JLogger");
    }
}
