package org.mailroom.storage.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Derby's page cache holds more than its default 1,000 pages ({@code derby.storage.pageCacheSize}, unless the JVM sets
 * it): a table of some 1,500 pages, read whole twice, is read from its file at most once. Page reads are counted from
 * the JVM's flight recorder ({@code jdk.FileRead} of the database's {@code seg0} files by the reading thread), on real
 * files.
 */
class PageCacheTest {
    private static final int ROWS = 150_000;

    @Test
    void aTableLargerThanDerbysDefaultCacheIsReadFromItsFileOnce(@TempDir Path dir) throws Exception {
        DatabaseSettings settings = DatabaseSettings.embedded(dir);
        try (Database db = Database.open(settings)) {
            for (int from = 0; from < ROWS; from += 25_000) {
                int start = from;
                db.transaction(c -> {
                    try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO mr_importance_weight (feature_key, weight, squared_gradient) VALUES (?, ?, 0)")) {
                        for (int key = start; key < start + 25_000; key++) {
                            insert.setLong(1, key);
                            insert.setDouble(2, key);
                            insert.addBatch();
                        }
                        insert.executeBatch();
                    }
                    return null;
                });
            }
            long pages = db.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT numallocatedpages FROM"
                    + " TABLE(SYSCS_DIAG.SPACE_TABLE('MR_IMPORTANCE_WEIGHT')) s WHERE isindex = 0");
                     ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
            assertThat(pages).as("more pages than Derby's default cache holds").isGreaterThan(1_000);

            assertThat(sumOfWeights(db)).isEqualTo(sum());
            try (Recording recording = new Recording()) {
                recording.enable("jdk.FileRead").withThreshold(java.time.Duration.ZERO).withoutStackTrace();
                recording.start();
                assertThat(sumOfWeights(db)).isEqualTo(sum());
                recording.stop();
                Path file = Files.createTempFile(dir, "reads", ".jfr");
                recording.dump(file);
                // this read's own (the test's thread, this database's files): other databases' and threads' reads
                // may share the recording
                String thread = Thread.currentThread().getName();
                String seg0 = settings.embeddedDatabasePath().resolve("seg0").toString();
                long pageReads = 0;
                for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
                    String path = event.getString("path");
                    if (path != null && path.startsWith(seg0) && event.getThread() != null
                        && thread.equals(event.getThread().getJavaName())) {
                        pageReads++;
                    }
                }
                assertThat(pageReads).as("pages read from the file by the second read of the table").isZero();
            }
        }
    }

    private static double sum() {
        return (double) ROWS * (ROWS - 1) / 2;
    }

    private static double sumOfWeights(Database db) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT SUM(weight) FROM mr_importance_weight");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getDouble(1);
            }
        });
    }

    @Test
    void theCacheIsAnEighthOfASmallHeapAndNeverBelowDerbysDefault() {
        long mb = 1024L * 1024;
        assertThat(Database.pageCachePages(1024 * mb)).isEqualTo(Database.PAGE_CACHE_PAGES);
        assertThat(Database.pageCachePages(6 * 1024 * mb)).isEqualTo(Database.PAGE_CACHE_PAGES);
        assertThat(Database.pageCachePages(512 * mb)).isEqualTo(2_048);
        assertThat(Database.pageCachePages(256 * mb)).isEqualTo(1_024);
        assertThat(Database.pageCachePages(64 * mb)).isEqualTo(Database.DERBY_DEFAULT_PAGE_CACHE_PAGES);
    }
}
