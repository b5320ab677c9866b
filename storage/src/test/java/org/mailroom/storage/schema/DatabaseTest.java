package org.mailroom.storage.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {
    @TempDir
    Path dataDir;

    @Test
    void createsSchemaAndKeepsDataAcrossReopen() {
        try (Database db = Database.open(DatabaseSettings.embedded(dataDir))) {
            db.transactionVoid(c -> c.createStatement().executeUpdate("INSERT INTO mr_domain (name) VALUES ('example.org')"));
        }
        try (Database db = Database.open(DatabaseSettings.embedded(dataDir))) {
            String name = db.read(c -> {
                ResultSet rs = c.createStatement().executeQuery("SELECT name FROM mr_domain");
                rs.next();
                return rs.getString(1);
            });
            assertThat(name).isEqualTo("example.org");
        }
        assertThat(dataDir.resolve("db/service.properties")).exists();
    }

    @Test
    void folderThatIsNotADatabaseIsReportedWithItsPath() throws Exception {
        Files.createDirectories(dataDir.resolve("db"));
        Files.writeString(dataDir.resolve("db/garbage"), "not derby");
        assertThatThrownBy(() -> Database.open(DatabaseSettings.embedded(dataDir)))
            .isInstanceOf(StorageStartupException.class)
            .hasMessageContaining(dataDir.resolve("db").toString())
            .hasMessageContaining("corrupt");
    }

    @Test
    void dataDirectoryThatIsAFileIsReported() throws Exception {
        Path file = dataDir.resolve("plain-file");
        Files.writeString(file, "x");
        assertThatThrownBy(() -> Database.open(DatabaseSettings.embedded(file)))
            .isInstanceOf(StorageStartupException.class)
            .hasMessageContaining(file.toString());
    }
}
