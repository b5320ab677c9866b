package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;
import org.mailroom.storage.testing.StatementPlans;

/**
 * A new installation's statement plans as its tables grow ({@link FreshDatabasePlansProbe}): the plan of every
 * statement the real paths compiled, after 1, 100 and 1,000 messages, written to
 * {@code target/fresh-database-plans.txt} with the CPU per message of each stage; once the tables have grown, no
 * statement may scan a table of more than 1,000 rows.
 */
class FreshDatabasePlansTest {
    private static final int[] SIZES = {1, 100, 1_000};
    private static final long LARGE_TABLE_ROWS = 1_000;

    @Test
    void onceTheTablesHaveGrownNoStatementScansALargeTable(@TempDir Path dir) throws Exception {
        Path report = Path.of("target", "fresh-database-plans.txt");
        Files.createDirectories(report.getParent());
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (Database db = Database.open(DatabaseSettings.embedded(dir));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(report), true)) {
            FreshDatabasePlansProbe probe = new FreshDatabasePlansProbe(db);
            int previous = 0;
            for (int size : SIZES) {
                long cpu = threads.getCurrentThreadCpuTime();
                probe.growTo(size);
                double msPerMessage = (threads.getCurrentThreadCpuTime() - cpu) / 1e6 / (size - previous);
                previous = size;
                out.printf(Locale.ROOT, "=== after %d messages (%.1f ms CPU per message in this stage): %s%n", size,
                    msPerMessage, probe.rowCounts(FreshDatabasePlansProbe.hotTables()));
                for (StatementPlans.Plan plan : probe.plans().values()) {
                    out.println(size + " | " + String.join(", ", plan.accesses()) + " | " + shortened(plan.sql()));
                }
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(scansOfLargeTables(probe)).as("statements scanning a table of over "
                    + LARGE_TABLE_ROWS + " rows").isEmpty());
        }
    }

    private static List<String> scansOfLargeTables(FreshDatabasePlansProbe probe) {
        Map<String, StatementPlans.Plan> plans = probe.plans();
        return plans.values().stream()
            .flatMap(plan -> plan.accesses().stream()
                .filter(access -> access.startsWith("TABLE SCAN "))
                .map(access -> access.substring("TABLE SCAN ".length()))
                .filter(table -> probe.rowCounts(List.of(table)).get(table) > LARGE_TABLE_ROWS)
                .map(table -> table + " <- " + shortened(plan.sql())))
            .toList();
    }

    /** The statement with its long parameter lists folded. */
    private static String shortened(String sql) {
        return sql.replaceAll("\\?(, ?\\?){3,}", "?...").replaceAll("\\s+", " ");
    }
}
