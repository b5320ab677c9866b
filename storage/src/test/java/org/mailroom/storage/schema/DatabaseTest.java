package org.mailroom.storage.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;

import org.apache.derby.drda.NetworkServerControl;
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
    void databaseWithDamagedFilesIsReportedWithItsPath() throws Exception {
        Database.open(DatabaseSettings.embedded(dataDir)).close();
        // Overwrite every data file with garbage: what a disk failure or a bad restore leaves behind.
        try (var files = Files.walk(dataDir.resolve("db/seg0"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.write(file, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            }
        }
        assertThatThrownBy(() -> Database.open(DatabaseSettings.embedded(dataDir)).close())
            .isInstanceOf(StorageStartupException.class)
            .hasMessageContaining(dataDir.resolve("db").toString());
    }

    @Test
    void dataDirectoryThatCannotBeCreatedIsReported() throws Exception {
        Path file = dataDir.resolve("plain-file");
        Files.writeString(file, "x");
        Path below = file.resolve("data");
        assertThatThrownBy(() -> Database.open(DatabaseSettings.embedded(below)))
            .isInstanceOf(StorageStartupException.class)
            .hasMessageContaining(below.toString());
    }

    @Test
    void jdbcUrlSwitchesToTheDerbyNetworkServer() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        NetworkServerControl server = new NetworkServerControl(InetAddress.getLoopbackAddress(), port);
        server.start(null);
        try {
            awaitPing(server);
            String url = "jdbc:derby://127.0.0.1:" + port + "/" + dataDir.resolve("networked") + ";create=true";
            try (Database db = Database.open(DatabaseSettings.jdbc(dataDir, url, "app", "app"))) {
                assertThat(db.dialect()).isEqualTo(Dialect.DERBY);
                db.transactionVoid(c -> c.createStatement().executeUpdate("INSERT INTO mr_domain (name) VALUES ('net.example')"));
                int domains = db.read(c -> {
                    ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM mr_domain");
                    rs.next();
                    return rs.getInt(1);
                });
                assertThat(domains).isEqualTo(1);
            }
            assertThat(dataDir.resolve("networked/service.properties")).exists();
        } finally {
            server.shutdown();
        }
    }

    private static void awaitPing(NetworkServerControl server) throws Exception {
        for (int i = 0; i < 100; i++) {
            try {
                server.ping();
                return;
            } catch (Exception notYet) {
                Thread.sleep(100);
            }
        }
        server.ping();
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
