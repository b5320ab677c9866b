package org.mailroom.dist.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.dist.CliRun;
import org.mailroom.dist.ExitCode;
import org.mailroom.dist.RunningMailroom;
import org.mailroom.dist.TestServer;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;

/**
 * Admin commands while the server holds the embedded store (sent to it over the loopback endpoint), and after it
 * stopped (the store opened directly): the same commands, the same output, both paths real.
 */
class AdminWhileRunningTest {
    @TempDir
    Path dir;

    @Test
    void commandsRunInsideTheRunningServerThenDirectlyOnceItStopped() throws Exception {
        Path config = TestServer.config(dir);
        Path data = dir.resolve("data");
        try (RunningMailroom running = TestServer.launch(config)) {
            Path endpointFile = data.resolve("admin-endpoint");
            assertThat(Files.getPosixFilePermissions(endpointFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

            CliRun added = run(config, "", "admin", "domain", "add", "example.org");
            assertThat(added.exitCode()).as(added.err()).isZero();
            assertThat(added.out()).isEqualTo("Added domain example.org\n");
            // The server sees it at once: autoconfig now answers for the new domain.
            assertThat(autoconfigStatus(running, "alice@example.org")).isEqualTo(200);

            CliRun user = run(config, "a long password\n", "admin", "user", "add", "alice@example.org", "--password-stdin");
            assertThat(user.exitCode()).as(user.err()).isZero();
            assertThat(run(config, "", "admin", "alias", "add", "postmaster@example.org", "alice@example.org").exitCode())
                .isZero();
            assertThat(run(config, "", "admin", "user", "list").out()).isEqualTo("alice@example.org\n");
            assertThat(run(config, "", "admin", "alias", "list").out())
                .isEqualTo("postmaster@example.org -> alice@example.org\n");

            // Refusals come back as one line with their exit code, as locally.
            CliRun again = run(config, "", "admin", "domain", "add", "example.org");
            assertThat(again.exitCode()).isEqualTo(ExitCode.REFUSED);
            assertThat(again.errLines()).hasSize(1);
            CliRun wrongLine = run(config, "", "admin", "domain", "add");
            assertThat(wrongLine.exitCode()).isEqualTo(ExitCode.USAGE);
            assertThat(run(config, "", "admin", "domain", "--help").out()).contains("Usage:");
        }

        assertThat(data.resolve("admin-endpoint")).doesNotExist();
        // Stopped: the same commands open the store themselves and see what the server stored.
        assertThat(run(config, "", "admin", "user", "list").out()).isEqualTo("alice@example.org\n");
        CliRun passwd = run(config, "new password 2\n", "admin", "user", "passwd", "alice@example.org", "--password-stdin");
        assertThat(passwd.exitCode()).as(passwd.err()).isZero();
        Database.open(DatabaseSettings.embedded(data)).close();
    }

    @Test
    void staleEndpointFileOfADeadProcessIsIgnored() throws Exception {
        Path config = TestServer.config(dir);
        Path data = Files.createDirectories(dir.resolve("data"));
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        new AdminEndpointFile(dead.pid(), 1, "stale").write(data);

        CliRun added = run(config, "", "admin", "domain", "add", "example.org");
        assertThat(added.exitCode()).as(added.err()).isZero();
        assertThat(run(config, "", "admin", "domain", "list").out()).isEqualTo("example.org\n");
    }

    @Test
    void endpointRefusesAWrongTokenAndNonAdminCommands() throws Exception {
        Path config = TestServer.config(dir);
        try (RunningMailroom running = TestServer.launch(config)) {
            AdminEndpointFile endpoint = AdminEndpointFile.read(dir.resolve("data")).orElseThrow();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + endpoint.port() + "/admin/run"))
                .header("Authorization", "Bearer not-the-token")
                .POST(HttpRequest.BodyPublishers.ofString("{\"args\":[\"admin\",\"domain\",\"list\"]}")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);

            AdminReply start = AdminClient.send(endpoint, new AdminRequest(List.of("start"), "", "/")).orElseThrow();
            assertThat(start.exitCode()).isEqualTo(ExitCode.USAGE);
            assertThat(start.err()).contains("only admin commands");

            HttpResponse<String> garbage = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + endpoint.port() + "/admin/run"))
                .header("Authorization", "Bearer " + endpoint.token())
                .POST(HttpRequest.BodyPublishers.ofString("{not json")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(garbage.statusCode()).isEqualTo(400);
            // The endpoint still serves after bad requests.
            assertThat(AdminClient.send(endpoint, new AdminRequest(List.of("admin", "domain", "list"), "", "/"))
                .orElseThrow().exitCode()).isZero();
        }
    }

    private int autoconfigStatus(RunningMailroom running, String address) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + running.httpPort() + "/mail/config-v1.1.xml?emailaddress=" + address.replace("@", "%40"))).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private CliRun run(Path config, String stdin, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--config";
        all[1] = config.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return CliRun.run(dir, stdin, all);
    }
}
