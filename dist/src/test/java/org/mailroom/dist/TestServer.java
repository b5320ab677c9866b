package org.mailroom.dist;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.mailroom.dist.config.ConfigLoader;

/** A whole Mailroom started in-process on free ports over a data directory, for the end-to-end tests. */
public final class TestServer {
    private TestServer() {
    }

    /**
     * A configuration file in {@code dir} putting every listener on a free port and the data in {@code dir/data},
     * which starts as a copy of an empty store ({@link StoreTemplate}).
     */
    public static Path config(Path dir) throws IOException {
        StoreTemplate.copyTo(dir.resolve("data"));
        return Files.writeString(dir.resolve("server.yaml"), "server:\n  hostname: mail.example.org\n"
            + "storage:\n  data-dir: " + dir.resolve("data") + "\n"
            + "imap:\n  port: 0\n  tls-port: 0\n"
            + "smtp:\n  port: 0\n"
            + "submission:\n  port: 0\n  tls-port: 0\n"
            + "http:\n  port: 0\n");
    }

    public static RunningMailroom launch(Path config) {
        return new Mailroom(new ConfigLoader().load(config), config, new PrintWriter(new StringWriter())).launch();
    }
}
