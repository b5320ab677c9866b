package org.mailroom.dist.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.storage.schema.DatabaseSettings;

class ConfigLoaderTest {
    // Surefire runs with the module directory as working directory.
    private static final Path SHIPPED = Path.of("..", "conf", "mailroom.yaml");

    @TempDir
    Path dir;

    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void shippedFileLoadsWithTheDocumentedDefaults() {
        MailroomConfig config = loader.load(SHIPPED);

        assertThat(config).isEqualTo(MailroomConfig.defaults());
        assertThat(config.server().hostname()).isEqualTo("localhost");
        assertThat(config.server().bindAddress()).isEqualTo("127.0.0.1");
        assertThat(config.storage().dataDir()).isEqualTo("./data");
        assertThat(config.storage().poolSize()).isEqualTo(16);
        assertThat(config.smtp().port()).isEqualTo(2525);
        assertThat(config.submission().port()).isEqualTo(2587);
        assertThat(config.submission().tlsPort()).isEqualTo(2465);
        assertThat(config.imap().port()).isEqualTo(2143);
        assertThat(config.imap().tlsPort()).isEqualTo(2993);
        assertThat(config.http().port()).isEqualTo(8025);
        assertThat(config.limits().maxMessageSize().bytes()).isEqualTo(25L * 1024 * 1024);
        assertThat(config.server().warmUp()).isEqualTo(new WarmUpConfig(true, 500, TimeSpan.parse("30s")));
    }

    @Test
    void shippedFileDocumentsEveryKeyTheLoaderKnows() throws IOException {
        String text = Files.readString(SHIPPED);
        for (String key : new String[] {"hostname:", "bind-address:", "data-dir:", "jdbc-url:", "jdbc-user:",
            "jdbc-password:", "pool-size:", "port:", "tls-port:", "max-message-size:", "certificate:",
            "private-key:", "spf:", "dnsbl:", "servers:", "timeout-seconds:", "outbound:", "helo-name:",
            "remote-port:", "connect-timeout:", "read-timeout:", "retry-schedule:", "max-lifetime:",
            "delay-warning-after:", "concurrency:", "connections-per-destination:", "max-connections:",
            "messages-per-connection:", "history-retention:", "smarthost:", "security:", "username:", "password:",
            "max-recipients:", "max-connections-per-ip:", "max-bad-commands:", "idle-timeout:", "workers:"}) {
            assertThat(text).contains(key);
        }
    }

    @Test
    void tlsNeedsBothFilesOrNeither() throws IOException {
        Path onlyCertificate = write("tls:\n  certificate: cert.pem\n");
        assertThatThrownBy(() -> loader.load(onlyCertificate)).isInstanceOf(ConfigException.class)
            .hasMessage(onlyCertificate + ":2: tls.certificate: is set but tls.private-key is not; set both, or"
                + " neither for a self-signed certificate");
        Path onlyKey = write("server:\n  hostname: mail.example.org\ntls:\n  private-key: key.pem\n");
        assertThatThrownBy(() -> loader.load(onlyKey)).isInstanceOf(ConfigException.class)
            .hasMessage(onlyKey + ":4: tls.private-key: is set but tls.certificate is not; set both, or"
                + " neither for a self-signed certificate");
    }

    @Test
    void tlsPathsAreResolvedAgainstTheFilesDirectoryAndUnknownTlsKeysAreRefused() throws IOException {
        Path file = write("tls:\n  certificate: certs/fullchain.pem\n  private-key: /etc/key.pem\n");
        TlsConfig tls = loader.load(file).tls();
        assertThat(tls.isConfigured()).isTrue();
        assertThat(tls.certificatePath()).isEqualTo(file.toAbsolutePath().getParent().resolve("certs/fullchain.pem"));
        assertThat(tls.privateKeyPath()).isEqualTo(Path.of("/etc/key.pem"));
        assertThat(loader.load(write("tls:\n")).tls()).isEqualTo(TlsConfig.of(null, null));

        // origin is filled in by the loader, never from the file.
        Path origin = write("tls:\n  origin: x\n");
        assertThatThrownBy(() -> loader.load(origin)).isInstanceOf(ConfigException.class)
            .hasMessage(origin + ":2: tls.origin: unknown key; the keys allowed here are certificate, private-key");
    }

    @Test
    void smtpChecksAndResolversAreBound() throws IOException {
        MailroomConfig config = loader.load(write("smtp:\n  spf: false\n  dnsbl:\n    - zone: zen.spamhaus.org\n"
            + "      action: reject\n    - zone: bl.example.net\n      action: score\n"
            + "dns:\n  servers: [127.0.0.1, '[::1]:5353']\n  timeout-seconds: 3\n"));

        assertThat(config.smtp().spf()).isFalse();
        assertThat(config.smtp().dnsbl()).containsExactly(new SmtpConfig.DnsblEntry("zen.spamhaus.org", "reject"),
            new SmtpConfig.DnsblEntry("bl.example.net", "score"));
        assertThat(config.dns().servers()).containsExactly("127.0.0.1", "[::1]:5353");
        assertThat(DnsServers.parse("[::1]:5353")).hasValueSatisfying(a -> assertThat(a.getPort()).isEqualTo(5353));
        assertThat(DnsServers.parse("127.0.0.1")).hasValueSatisfying(a -> assertThat(a.getPort()).isEqualTo(53));
        assertThat(loader.load(write("# defaults\n")).smtp().spf()).isTrue();
    }

    @Test
    void outboundSectionIsBoundWithTimeSpans() throws IOException {
        MailroomConfig config = loader.load(write("outbound:\n  helo-name: mail.example.org\n  remote-port: 2525\n"
            + "  connect-timeout: 10s\n  read-timeout: 2m\n  retry-schedule: [1m, 1h]\n  max-lifetime: 3d\n"
            + "  delay-warning-after: off\n  concurrency: 8\n  connections-per-destination: 3\n"
            + "  max-connections: 12\n  messages-per-connection: 50\n  history-retention: 2d\n"
            + "  smarthost:\n    host: smtp.example.net\n"
            + "    security: tls\n    username: me\n    password: secret\n"));
        OutboundConfig outbound = config.outbound();
        assertThat(outbound.heloName()).isEqualTo("mail.example.org");
        assertThat(outbound.remotePort()).isEqualTo(2525);
        assertThat(outbound.connectTimeout().duration()).isEqualTo(java.time.Duration.ofSeconds(10));
        assertThat(outbound.readTimeout().duration()).isEqualTo(java.time.Duration.ofMinutes(2));
        assertThat(outbound.retrySchedule()).extracting(TimeSpan::duration)
            .containsExactly(java.time.Duration.ofMinutes(1), java.time.Duration.ofHours(1));
        assertThat(outbound.maxLifetime().duration()).isEqualTo(java.time.Duration.ofDays(3));
        assertThat(outbound.delayWarningAfter()).isEqualTo("off");
        assertThat(outbound.concurrency()).isEqualTo(8);
        assertThat(outbound.connectionsPerDestination()).isEqualTo(3);
        assertThat(outbound.maxConnections()).isEqualTo(12);
        assertThat(outbound.messagesPerConnection()).isEqualTo(50);
        assertThat(outbound.historyRetention().duration()).isEqualTo(java.time.Duration.ofDays(2));
        OutboundConfig defaults = MailroomConfig.defaults().outbound();
        assertThat(List.of(defaults.connectionsPerDestination(), defaults.maxConnections(),
            defaults.messagesPerConnection())).containsExactly(5, 20, 100);
        assertThat(defaults.historyRetention()).hasToString("7d");
        assertThat(outbound.smarthost().port()).as("tls defaults to 465").isEqualTo(465);
        assertThat(outbound.smarthost().toString()).doesNotContain("secret");
        assertThat(MailroomConfig.defaults().outbound().retrySchedule()).hasToString("[5m, 10m, 20m, 40m, 1h, 2h, 4h]");
    }

    @Test
    void badOutboundValuesAreReportedWithTheirLines() throws IOException {
        Path span = write("outbound:\n  retry-schedule: [5m, soon]\n");
        assertThatThrownBy(() -> loader.load(span)).isInstanceOf(ConfigException.class)
            .hasMessageStartingWith(span + ":2: outbound.retry-schedule")
            .hasMessageContaining("unparsable time span 'soon'");
        Path warn = write("outbound:\n  max-lifetime: 2h\n  delay-warning-after: 4h\n");
        assertThatThrownBy(() -> loader.load(warn)).isInstanceOf(ConfigException.class)
            .hasMessage(warn + ":3: outbound.delay-warning-after: must be shorter than outbound.max-lifetime (2h), or off");
        Path relay = write("outbound:\n  smarthost:\n    host: smtp.example.net\n    security: ssl\n    username: me\n");
        assertThatThrownBy(() -> loader.load(relay)).isInstanceOf(ConfigException.class)
            .hasMessageContaining(relay + ":4: outbound.smarthost.security: must be starttls, tls or none, was ssl")
            .hasMessageContaining(relay + ":5: outbound.smarthost.username: username and password go together");
        Path connections = write("outbound:\n  connections-per-destination: 10\n  max-connections: 4\n"
            + "  messages-per-connection: 0\n  history-retention: never\n");
        assertThatThrownBy(() -> loader.load(connections)).isInstanceOf(ConfigException.class)
            .hasMessageContaining(connections + ":5: outbound.history-retention");
        Path limits = write("outbound:\n  connections-per-destination: 10\n  max-connections: 4\n"
            + "  messages-per-connection: 0\n");
        assertThatThrownBy(() -> loader.load(limits)).isInstanceOf(ConfigException.class)
            .hasMessageContaining(limits + ":3: outbound.max-connections: must be at least"
                + " outbound.connections-per-destination (10), was 4")
            .hasMessageContaining(limits + ":4: outbound.messages-per-connection: must be between 1 and 10000, was 0");
    }

    @Test
    void smtpLimitsAreBound() throws IOException {
        SmtpConfig smtp = loader.load(write("smtp:\n  max-recipients: 500\n  max-connections-per-ip: 64\n"
            + "  max-bad-commands: 3\n  idle-timeout: 90s\n  workers: 32\n")).smtp();
        assertThat(smtp.maxRecipients()).isEqualTo(500);
        assertThat(smtp.maxConnectionsPerIp()).isEqualTo(64);
        assertThat(smtp.maxBadCommands()).isEqualTo(3);
        assertThat(smtp.idleTimeout().duration()).hasSeconds(90);
        assertThat(smtp.workers()).isEqualTo(32);
        SmtpConfig defaults = MailroomConfig.defaults().smtp();
        assertThat(List.of(defaults.maxRecipients(), defaults.maxConnectionsPerIp(), defaults.maxBadCommands(),
            (int) defaults.idleTimeout().duration().getSeconds(), defaults.workers()))
            .containsExactly(100, 20, 10, 300, 16);
    }

    @Test
    void badSmtpLimitsAreReportedWithTheirLines() throws IOException {
        Path zero = write("smtp:\n  port: 2525\n  max-connections-per-ip: 0\n  max-recipients: 20000\n");
        assertThatThrownBy(() -> loader.load(zero)).isInstanceOf(ConfigException.class)
            .hasMessage(zero + ":4: smtp.max-recipients: must be between 1 and 10000, was 20000\n"
                + zero + ":3: smtp.max-connections-per-ip: must be between 1 and 10000, was 0");
        Path workers = write("smtp:\n  workers: -1\n  max-bad-commands: 1001\n");
        assertThatThrownBy(() -> loader.load(workers)).isInstanceOf(ConfigException.class)
            .hasMessageContaining(workers + ":3: smtp.max-bad-commands: must be between 1 and 1000, was 1001")
            .hasMessageContaining(workers + ":2: smtp.workers: must be between 1 and 256, was -1");
        Path idle = write("smtp:\n  idle-timeout: 2h\n");
        assertThatThrownBy(() -> loader.load(idle)).isInstanceOf(ConfigException.class)
            .hasMessage(idle + ":2: smtp.idle-timeout: must be whole seconds between 1s and 1h (RFC 5321 asks for 5m),"
                + " was 2h");
        Path millis = write("smtp:\n  idle-timeout: 1500ms\n");
        assertThatThrownBy(() -> loader.load(millis)).isInstanceOf(ConfigException.class)
            .hasMessageStartingWith(millis + ":2: smtp.idle-timeout: must be whole seconds");
        Path word = write("smtp:\n  max-connections-per-ip: many\n");
        assertThatThrownBy(() -> loader.load(word)).isInstanceOf(ConfigException.class)
            .hasMessage(word + ":2: smtp.max-connections-per-ip: expected a whole number, found 'many'");
    }

    @Test
    void badBlockListActionAndResolverAreReportedWithTheirLines() throws IOException {
        Path action = write("smtp:\n  dnsbl:\n    - zone: zen.spamhaus.org\n      action: drop\n");
        assertThatThrownBy(() -> loader.load(action)).isInstanceOf(ConfigException.class)
            .hasMessage(action + ":2: smtp.dnsbl: action must be reject or score, was drop");
        Path server = write("dns:\n  servers: [resolver.example.org]\n");
        assertThatThrownBy(() -> loader.load(server)).isInstanceOf(ConfigException.class)
            .hasMessage(server + ":2: dns.servers: must be IP addresses, optionally with :port (e.g. 127.0.0.1:53),"
                + " was resolver.example.org");
    }

    @Test
    void emptyFileMeansDefaults() throws IOException {
        assertThat(loader.load(write("# nothing set\n"))).isEqualTo(MailroomConfig.defaults());
    }

    @Test
    void valuesAreBoundAndStorageMapsToDatabaseSettings() throws IOException {
        Path file = write("""
            server:
              hostname: mail.example.org
            storage:
              data-dir: /srv/mailroom
              jdbc-url: jdbc:postgresql://127.0.0.1:5432/mailroom
              jdbc-user: mr
              jdbc-password: secret
              pool-size: 4
            limits:
              max-message-size: 512KB
            """);
        MailroomConfig config = loader.load(file);

        DatabaseSettings settings = config.storage().databaseSettings();
        assertThat(settings.isEmbedded()).isFalse();
        assertThat(settings.jdbcUrl()).contains("jdbc:postgresql://127.0.0.1:5432/mailroom");
        assertThat(settings.user()).contains("mr");
        assertThat(settings.password()).contains("secret");
        assertThat(settings.poolSize()).isEqualTo(4);
        assertThat(settings.dataDirectory()).isEqualTo(Path.of("/srv/mailroom"));
        assertThat(config.server().hostname()).isEqualTo("mail.example.org");
        assertThat(config.limits().maxMessageSize().bytes()).isEqualTo(512 * 1024);
        assertThat(config.storage().toString()).doesNotContain("secret");
    }

    @Test
    void relativeDataDirectoryIsResolvedAgainstTheWorkingDirectory() throws IOException {
        MailroomConfig config = loader.load(write("storage:\n  data-dir: ./data\n"));
        assertThat(config.storage().databaseSettings().isEmbedded()).isTrue();
        assertThat(config.storage().dataDirectory()).isEqualTo(Path.of("data").toAbsolutePath());
    }

    @Test
    void unknownKeyIsReportedWithItsLine() throws IOException {
        Path file = write("""
            server:
              hostname: localhost
              hostnme: typo.example.org
            """);
        assertThatThrownBy(() -> loader.load(file))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith(file + ":3: server.hostnme: unknown key")
            .hasMessageContaining("bind-address, hostname");
    }

    @Test
    void warmUpKeysAreReadAndCheckedWithTheirLines() throws IOException {
        WarmUpConfig read = loader.load(write("server:\n  warm-up:\n    enabled: false\n    messages: 200\n"
            + "    time-limit: 20s\n")).server().warmUp();
        assertThat(read).isEqualTo(new WarmUpConfig(false, 200, TimeSpan.parse("20s")));

        Path none = write("server:\n  warm-up:\n    messages: 0\n");
        assertThatThrownBy(() -> loader.load(none)).isInstanceOf(ConfigException.class)
            .hasMessage(none + ":3: server.warm-up.messages: must be between 1 and 100000, was 0");
        Path tooLong = write("server:\n  warm-up:\n    enabled: true\n    time-limit: 1h\n");
        assertThatThrownBy(() -> loader.load(tooLong)).isInstanceOf(ConfigException.class)
            .hasMessage(tooLong + ":4: server.warm-up.time-limit: must be at most 10m (clients wait for it), was 1h");
    }

    @Test
    void unknownSectionIsReportedWithItsLine() throws IOException {
        Path file = write("smtp:\n  port: 2525\nsmpt:\n  port: 25\n");
        assertThatThrownBy(() -> loader.load(file)).hasMessageStartingWith(file + ":3: smpt: unknown key");
    }

    @Test
    void wrongTypeIsReportedWithItsLine() throws IOException {
        Path file = write("""
            smtp:
              port: 2525
            imap:
              port: lots
            """);
        assertThatThrownBy(() -> loader.load(file))
            .hasMessage(file + ":4: imap.port: expected a whole number, found 'lots'");
    }

    @Test
    void sectionWhereAValueBelongsIsReported() throws IOException {
        Path file = write("server:\n  hostname:\n    name: x\n");
        assertThatThrownBy(() -> loader.load(file))
            .hasMessageStartingWith(file + ":3: server.hostname: expected a single value, found a section");
    }

    @Test
    void valueWhereASectionBelongsIsReported() throws IOException {
        Path file = write("smtp:\n  port: 2525\nserver: localhost\n");
        assertThatThrownBy(() -> loader.load(file))
            .hasMessage(file + ":3: server: expected a section of 'key: value' lines, found 'localhost'");
    }

    @Test
    void fractionalPortIsAWrongType() throws IOException {
        Path file = write("http:\n  port: 80.5\n");
        assertThatThrownBy(() -> loader.load(file)).hasMessageStartingWith(file + ":2: http.port: ");
    }

    @Test
    void portOutOfRangeIsReportedWithItsLine() throws IOException {
        Path file = write("""
            # comment
            submission:
              port: 2587
              tls-port: 70000
            """);
        assertThatThrownBy(() -> loader.load(file))
            .hasMessage(file + ":4: submission.tls-port: port must be between 1 and 65535 (or 0 for any free port),"
                + " was 70000");
    }

    @Test
    void duplicatePortIsReportedOnTheSecondListener() throws IOException {
        Path file = write("""
            smtp:
              port: 2600
            imap:
              port: 2143
              tls-port: 2600
            """);
        assertThatThrownBy(() -> loader.load(file))
            .hasMessage(file + ":5: imap.tls-port: port 2600 is also used by smtp.port;"
                + " each listener needs its own port");
    }

    @Test
    void duplicatePortWithADefaultIsReportedWhereItIsWritten() throws IOException {
        Path file = write("smtp:\n  port: 2143\n");
        assertThatThrownBy(() -> loader.load(file))
            .hasMessage(file + ":2: smtp.port: port 2143 is also used by imap.port (its default);"
                + " each listener needs its own port");
    }

    @Test
    void unparsableSizeIsReportedWithItsLine() throws IOException {
        Path file = write("""
            limits:

              max-message-size: 25 parsecs
            """);
        assertThatThrownBy(() -> loader.load(file))
            .hasMessage(file + ":3: limits.max-message-size: unparsable size '25 parsecs':"
                + " write a whole number followed by B, KB, MB or GB, for example 25MB");
    }

    @Test
    void yamlSyntaxErrorIsOneLineWithItsLine() throws IOException {
        Path file = write("server:\n  hostname: a\n bind-address: [\n");
        assertThatThrownBy(() -> loader.load(file))
            .isInstanceOf(ConfigException.class)
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").startsWith(file + ":3"));
    }

    @Test
    void keyWrittenTwiceIsRefused() throws IOException {
        Path file = write("smtp:\n  port: 2525\n  port: 2526\n");
        assertThatThrownBy(() -> loader.load(file))
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").startsWith(file + ":3: smtp.port: this key is written twice"));
    }

    @Test
    void credentialsWithoutJdbcUrlAreRefused() throws IOException {
        Path file = write("storage:\n  data-dir: x\n  jdbc-user: mr\n");
        assertThatThrownBy(() -> loader.load(file))
            .hasMessage(file + ":3: storage.jdbc-user: is only used with storage.jdbc-url, which is not set");
    }

    @Test
    void missingFileIsNamed() {
        Path file = dir.resolve("absent.yaml");
        assertThatThrownBy(() -> loader.load(file)).hasMessage(file + ": the configuration file does not exist");
    }

    @Test
    void locationPrefersOptionThenEnvironmentThenInstallRoot() {
        Path root = Path.of("/opt/mailroom");
        assertThat(ConfigLocation.choose(Path.of("a.yaml"), java.util.Map.of("MAILROOM_CONFIG", "b.yaml"), root))
            .isEqualTo(Path.of("a.yaml"));
        assertThat(ConfigLocation.choose(null, java.util.Map.of("MAILROOM_CONFIG", "b.yaml"), root))
            .isEqualTo(Path.of("b.yaml"));
        assertThat(ConfigLocation.choose(null, java.util.Map.of(), root))
            .isEqualTo(Path.of("/opt/mailroom/conf/mailroom.yaml"));
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("mailroom.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
