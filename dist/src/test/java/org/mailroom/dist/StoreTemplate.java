package org.mailroom.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;

/**
 * An empty store (a Derby database with every migration applied, then shut down cleanly), made once per test JVM
 * and copied into a test's data directory: creating the database and migrating it costs seconds on a 2-core
 * machine, copying it a fraction of one, and the server or command opening the copy sees exactly what its own
 * first start would have made. Tests about creating a store (StartCommandTest, storage's DatabaseTest) start
 * from nothing instead.
 */
public final class StoreTemplate {
    private static Path template;

    private StoreTemplate() {
    }

    /** Copies the empty store into {@code dataDir} (created if missing) and returns it. */
    public static Path copyTo(Path dataDir) throws IOException {
        Path source = template();
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = dataDir.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else if (!file.getFileName().toString().equals("derby.log")) {
                    Files.copy(file, target);
                }
            }
        }
        return dataDir;
    }

    private static synchronized Path template() throws IOException {
        if (template == null) {
            Path root = Files.createTempDirectory("mailroom-store-template");
            Database.open(DatabaseSettings.embedded(root)).close();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(root)));
            template = root;
        }
        return template;
    }

    private static void delete(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
