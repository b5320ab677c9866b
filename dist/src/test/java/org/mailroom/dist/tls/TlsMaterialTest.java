package org.mailroom.dist.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.mailroom.dist.config.ConfigException;
import org.mailroom.dist.config.ConfigLoader;
import org.mailroom.dist.config.MailroomConfig;
import org.mailroom.dist.config.TlsConfig;
import org.mailroom.dist.tls.TestPki.Issued;
import org.mailroom.dist.tls.TestPki.KeyForm;
import org.mailroom.tls.ServerTls;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;

class TlsMaterialTest {
    @TempDir
    Path dir;

    private final TlsConfig selfSigned = TlsConfig.of(null, null);

    @Test
    void firstStartMakesASelfSignedCertificateAndStoresItWithAPrivateKey() throws Exception {
        Path data = dir.resolve("data");
        TlsMaterial tls = TlsMaterial.load(selfSigned, data, "localhost");

        assertThat(tls.source()).isEqualTo(TlsMaterial.Source.SELF_SIGNED_CREATED);
        assertThat(tls.isSelfSigned()).isTrue();
        Path certificate = data.resolve("tls/certificate.pem");
        Path key = data.resolve("tls/private-key.pem");
        assertThat(tls.certificateFile()).isEqualTo(certificate);
        assertThat(Files.readString(certificate)).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("tls"))))
            .isEqualTo("rwx------");
        X509Certificate served = tls.certificate();
        assertThat(served.getSubjectAlternativeNames()).containsExactlyInAnyOrder(List.of(2, "localhost"),
            List.of(7, "127.0.0.1"));
        assertThat(served.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(Duration.between(Instant.now(), served.getNotAfter().toInstant()).toDays()).isBetween(363L, 365L);
        assertThat(tls.summary()).contains("self-signed for localhost", "made now");
    }

    @Test
    void secondStartReusesTheStoredCertificate() throws Exception {
        Path data = dir.resolve("data");
        X509Certificate first = TlsMaterial.load(selfSigned, data, "localhost").certificate();
        FileTime written = Files.getLastModifiedTime(data.resolve("tls/certificate.pem"));

        TlsMaterial again = TlsMaterial.load(selfSigned, data, "localhost");

        assertThat(again.source()).isEqualTo(TlsMaterial.Source.SELF_SIGNED_REUSED);
        assertThat(again.certificate()).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(data.resolve("tls/certificate.pem"))).isEqualTo(written);
    }

    @Test
    void aChangedHostNameGetsANewCertificate() throws Exception {
        Path data = dir.resolve("data");
        X509Certificate first = TlsMaterial.load(selfSigned, data, "localhost").certificate();

        TlsMaterial renamed = TlsMaterial.load(selfSigned, data, "mail.example.org");

        assertThat(renamed.source()).isEqualTo(TlsMaterial.Source.SELF_SIGNED_CREATED);
        assertThat(renamed.certificate()).isNotEqualTo(first);
        assertThat(renamed.certificate().getSubjectAlternativeNames())
            .containsExactly(List.of(2, "mail.example.org"));
        assertThat(TlsMaterial.load(selfSigned, data, "mail.example.org").source())
            .isEqualTo(TlsMaterial.Source.SELF_SIGNED_REUSED);
    }

    @Test
    void anExpiredCertificateIsReplacedAtStartAndByReload() throws Exception {
        Path data = dir.resolve("data");
        X509Certificate first = TlsMaterial.load(selfSigned, data, "localhost").certificate();
        Clock nextYear = Clock.fixed(Instant.now().plus(Duration.ofDays(366)), ZoneOffset.UTC);

        TlsMaterial later = TlsMaterial.load(selfSigned, data, "localhost", nextYear);

        assertThat(later.source()).isEqualTo(TlsMaterial.Source.SELF_SIGNED_CREATED);
        assertThat(later.certificate()).isNotEqualTo(first);
        assertThat(later.certificate().getNotAfter().toInstant()).isAfter(nextYear.instant());

        MutableClock clock = new MutableClock(Instant.now());
        TlsMaterial running = TlsMaterial.load(selfSigned, dir.resolve("other"), "localhost", clock);
        X509Certificate before = running.certificate();
        assertThat(running.reloadIfChanged()).isFalse();
        clock.now = clock.now.plus(Duration.ofDays(366));
        assertThat(running.reloadIfChanged()).isTrue();
        assertThat(running.certificate()).isNotEqualTo(before);
    }

    @Test
    void aDamagedStoredCertificateIsReplaced() throws Exception {
        Path data = dir.resolve("data");
        TlsMaterial.load(selfSigned, data, "localhost");
        Files.writeString(data.resolve("tls/private-key.pem"), "not a key");

        assertThat(TlsMaterial.load(selfSigned, data, "localhost").source())
            .isEqualTo(TlsMaterial.Source.SELF_SIGNED_CREATED);
    }

    @Test
    void anUnwritableDataDirectoryIsOneLine() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");

        assertThatThrownBy(() -> TlsMaterial.load(selfSigned, notADirectory, "localhost"))
            .isInstanceOf(TlsStartupException.class)
            .hasMessageStartingWith("cannot store the self-signed TLS certificate in " + notADirectory.resolve("tls"))
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @ParameterizedTest(name = "{0} key as {1}")
    @CsvSource({"RSA, PKCS8, -----BEGIN PRIVATE KEY-----", "RSA, TRADITIONAL, -----BEGIN RSA PRIVATE KEY-----",
        "EC, PKCS8, -----BEGIN PRIVATE KEY-----", "EC, TRADITIONAL, -----BEGIN EC PRIVATE KEY-----"})
    void aConfiguredPemPairIsServed(String algorithm, KeyForm form, String header) throws Exception {
        Issued server = TestPki.server(algorithm, null);
        Path certificate = TestPki.writeCertificates(dir.resolve("cert.pem"), server.certificate());
        Path key = TestPki.writeKey(dir.resolve("key.pem"), server.keys(), form);
        assertThat(Files.readString(key)).startsWith(header);

        TlsMaterial tls = TlsMaterial.load(loadConfig("cert.pem", "key.pem").tls(), dir.resolve("data"), "localhost");

        assertThat(tls.source()).isEqualTo(TlsMaterial.Source.CONFIGURED);
        assertThat(tls.isSelfSigned()).isFalse();
        assertThat(tls.certificate()).isEqualTo(server.certificate());
        assertThat(tls.certificateFile()).isEqualTo(certificate);
        assertThat(dir.resolve("data/tls")).doesNotExist();
        assertThat(handshake(tls, "localhost", server.certificate()).getPeerCertificates()[0])
            .isEqualTo(server.certificate());
    }

    @Test
    void aChainFileServesEveryCertificateAndVerifiesAgainstItsAuthority() throws Exception {
        Issued authority = TestPki.authority();
        Issued server = TestPki.server("EC", authority);
        TestPki.writeCertificates(dir.resolve("chain.pem"), server.certificate(), authority.certificate());
        TestPki.writeKey(dir.resolve("key.pem"), server.keys(), KeyForm.PKCS8);

        TlsMaterial tls = TlsMaterial.load(loadConfig("chain.pem", "key.pem").tls(), dir, "localhost");

        assertThat(tls.chain()).containsExactly(server.certificate(), authority.certificate());
        SSLSession session = handshake(tls, "localhost", authority.certificate());
        assertThat(session.getPeerCertificates()).hasSize(2);
    }

    @Test
    void theSelfSignedCertificateCompletesAVerifiedHandshakeOnTls13() throws Exception {
        TlsMaterial tls = TlsMaterial.load(selfSigned, dir, "localhost");

        SSLSession byName = handshake(tls, "localhost", tls.certificate());
        assertThat(byName.getProtocol()).isEqualTo("TLSv1.3");
        assertThat(byName.getPeerCertificates()[0]).isEqualTo(tls.certificate());
        assertThat(handshake(tls, "127.0.0.1", tls.certificate()).getPeerCertificates()[0])
            .isEqualTo(tls.certificate());
    }

    @Test
    void aCertificateForAnotherNameFailsHostNameVerification() throws Exception {
        TlsMaterial tls = TlsMaterial.load(selfSigned, dir, "mail.example.org");

        assertThatThrownBy(() -> handshake(tls, "localhost", tls.certificate()))
            .hasMessageContaining("matching localhost");
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void onlyTls12And13AreOffered(SslProvider provider) throws Exception {
        TlsMaterial tls = TlsMaterial.load(selfSigned, dir, "localhost");

        for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
            assertThat(handshake(tls.serverTls(provider), "localhost", tls.certificate(), protocol).getProtocol())
                .isEqualTo(protocol);
        }
        // The JDK's client no longer offers TLS 1.1 (org.mailroom.tls.ServerTlsTest offers it with BoringSSL's).
        SSLEngine engine = tls.serverTls(provider).context().newEngine(ByteBufAllocator.DEFAULT);
        try {
            assertThat(engine.getEnabledProtocols()).contains("TLSv1.3", "TLSv1.2")
                .doesNotContain("TLSv1.1", "TLSv1", "SSLv3");
        } finally {
            ReferenceCountUtil.release(engine);
        }
    }

    @Test
    void aKeyThatDoesNotMatchTheCertificateIsOneLineOnTheKeysLine() throws Exception {
        Issued server = TestPki.server("EC", null);
        Issued other = TestPki.server("EC", null);
        TestPki.writeCertificates(dir.resolve("cert.pem"), server.certificate());
        Path key = TestPki.writeKey(dir.resolve("key.pem"), other.keys(), KeyForm.PKCS8);
        MailroomConfig config = loadConfig("cert.pem", "key.pem");

        assertThatThrownBy(() -> TlsMaterial.load(config.tls(), dir, "localhost"))
            .isInstanceOf(ConfigException.class)
            .hasMessage(dir.resolve("mailroom.yaml") + ":3: tls.private-key: cannot use " + key + " with "
                + dir.resolve("cert.pem") + ": it does not match the certificate (the first certificate of the"
                + " chain must be the one issued for this key)");
    }

    @Test
    void aKeyOfAnotherAlgorithmIsRefused() throws Exception {
        TestPki.writeCertificates(dir.resolve("cert.pem"), TestPki.server("EC", null).certificate());
        TestPki.writeKey(dir.resolve("key.pem"), TestPki.keys("RSA"), KeyForm.PKCS8);

        assertThatThrownBy(() -> TlsMaterial.load(loadConfig("cert.pem", "key.pem").tls(), dir, "localhost"))
            .hasMessageContaining(":3: tls.private-key: cannot use ")
            .hasMessageEndingWith("it holds a RSA key but the certificate is for a EC key");
    }

    @Test
    void garbageMissingAndEncryptedFilesAreOneLineNamingTheKey() throws Exception {
        Issued server = TestPki.server("EC", null);
        Path certificate = TestPki.writeCertificates(dir.resolve("cert.pem"), server.certificate());
        Path key = TestPki.writeKey(dir.resolve("key.pem"), server.keys(), KeyForm.PKCS8);
        Path yaml = dir.resolve("mailroom.yaml");

        Files.writeString(dir.resolve("garbage.pem"), "hello, this is not PEM\n");
        assertOneLine(loadConfig("garbage.pem", "key.pem"), yaml + ":2: tls.certificate: cannot read "
            + dir.resolve("garbage.pem") + ": no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)");
        assertOneLine(loadConfig("cert.pem", "garbage.pem"), yaml + ":3: tls.private-key: cannot read "
            + dir.resolve("garbage.pem") + ": no PEM private key in it (expected -----BEGIN PRIVATE KEY-----, "
            + "-----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)");
        assertOneLine(loadConfig("missing.pem", "key.pem"), yaml + ":2: tls.certificate: cannot read "
            + dir.resolve("missing.pem") + ": no such file");
        // A certificate file given as the key: it holds no key.
        assertOneLine(loadConfig("cert.pem", "cert.pem"), yaml + ":3: tls.private-key: cannot read "
            + certificate + ": no PEM private key in it (expected -----BEGIN PRIVATE KEY-----, "
            + "-----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)");

        Files.writeString(dir.resolve("broken.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 !!\n"
            + "-----END CERTIFICATE-----\n");
        ConfigException broken = catchConfig(loadConfig("broken.pem", "key.pem"));
        assertThat(broken.getMessage()).startsWith(yaml + ":2: tls.certificate: cannot read "
            + dir.resolve("broken.pem") + ": ").doesNotContain("\n");

        Files.writeString(dir.resolve("encrypted.pem"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
            + encryptedKeyBase64() + "\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThat(catchConfig(loadConfig("cert.pem", "encrypted.pem")).getMessage())
            .startsWith(yaml + ":3: tls.private-key: cannot read " + dir.resolve("encrypted.pem")
                + ": the private key is encrypted");
        assertThat(key).exists();
    }

    @Test
    void relativePathsResolveAgainstTheConfigurationFilesDirectory() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Issued server = TestPki.server("EC", null);
        TestPki.writeCertificates(Files.createDirectories(conf.resolve("certs")).resolve("cert.pem"),
            server.certificate());
        TestPki.writeKey(conf.resolve("certs/key.pem"), server.keys(), KeyForm.PKCS8);
        Path yaml = Files.writeString(conf.resolve("mailroom.yaml"),
            "tls:\n  certificate: certs/cert.pem\n  private-key: ./certs/../certs/key.pem\n");

        TlsConfig config = new ConfigLoader().load(yaml).tls();

        assertThat(config.certificatePath()).isEqualTo(conf.resolve("certs/cert.pem").toAbsolutePath());
        assertThat(config.privateKeyPath()).isEqualTo(conf.resolve("certs/key.pem").toAbsolutePath());
        assertThat(TlsMaterial.load(config, dir, "localhost").certificate()).isEqualTo(server.certificate());
    }

    /**
     * The context is made once, before the reload, and asked again after it: the swapped certificate must reach
     * it, with either provider (OpenSSL caches the key material it converted per alias).
     */
    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void changedFilesAreReloadedAndBrokenOnesKeepTheOldCertificate(SslProvider provider) throws Exception {
        Issued first = TestPki.server("EC", null);
        Path certificate = TestPki.writeCertificates(dir.resolve("cert.pem"), first.certificate());
        Path key = TestPki.writeKey(dir.resolve("key.pem"), first.keys(), KeyForm.PKCS8);
        TlsMaterial tls = TlsMaterial.load(loadConfig("cert.pem", "key.pem").tls(), dir, "localhost");
        ServerTls served = tls.serverTls(provider);
        assertThat(tls.reloadIfChanged()).isFalse();
        assertThat(handshake(served, "localhost", first.certificate()).getPeerCertificates()[0])
            .isEqualTo(first.certificate());

        Issued second = TestPki.server("RSA", null);
        TestPki.writeCertificates(certificate, second.certificate());
        TestPki.writeKey(key, second.keys(), KeyForm.TRADITIONAL);
        assertThat(tls.reloadIfChanged()).isTrue();
        assertThat(tls.certificate()).isEqualTo(second.certificate());
        assertThat(handshake(served, "localhost", second.certificate()).getPeerCertificates()[0])
            .isEqualTo(second.certificate());

        // Half-way through an update: a new certificate next to the old key. Keep serving the last good pair.
        TestPki.writeCertificates(certificate, TestPki.server("RSA", null).certificate());
        assertThatThrownBy(tls::reloadIfChanged).isInstanceOf(ConfigException.class)
            .hasMessageContaining("tls.private-key: cannot use");
        assertThat(tls.certificate()).isEqualTo(second.certificate());
        assertThat(handshake(served, "localhost", second.certificate()).getPeerCertificates()[0])
            .isEqualTo(second.certificate());
    }

    /** Writes mailroom.yaml with tls.certificate on line 2 and tls.private-key on line 3, and loads it. */
    private MailroomConfig loadConfig(String certificate, String key) throws Exception {
        Path yaml = Files.writeString(dir.resolve("mailroom.yaml"),
            "tls:\n  certificate: " + certificate + "\n  private-key: " + key + "\n");
        return new ConfigLoader().load(yaml);
    }

    private void assertOneLine(MailroomConfig config, String expected) {
        assertThat(catchConfig(config)).hasMessage(expected);
    }

    private ConfigException catchConfig(MailroomConfig config) {
        try {
            TlsMaterial.load(config.tls(), dir, "localhost");
        } catch (ConfigException e) {
            assertThat(e.problems()).hasSize(1);
            return e;
        }
        throw new AssertionError("expected a configuration error");
    }

    private static String encryptedKeyBase64() throws Exception {
        var key = TestPki.keys("EC").getPrivate();
        var encryptor = new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder(
            org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC).setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
            .setPassword("secret".toCharArray()).build();
        byte[] der = new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, encryptor).generate().getContent();
        return java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
    }

    private static SSLSession handshake(TlsMaterial tls, String host, X509Certificate trusted) throws Exception {
        return handshake(tls.serverTls(), host, trusted, null);
    }

    private static SSLSession handshake(ServerTls tls, String host, X509Certificate trusted) throws Exception {
        return handshake(tls, host, trusted, null);
    }

    /**
     * A real handshake on 127.0.0.1 with a Netty server whose handler {@code tls} makes, as the listeners' are: the
     * client trusts only {@code trusted}, checks the name like HTTPS does and offers {@code protocol} only (null:
     * its defaults).
     */
    private static SSLSession handshake(ServerTls tls, String host, X509Certificate trusted, String protocol)
        throws Exception {
        EventLoopGroup loop = new NioEventLoopGroup(1);
        try {
            Channel server = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        SslHandler handler = tls.implicitTls().sslHandler();
                        channel.pipeline().addLast(handler);
                        handler.handshakeFuture().addListener(done -> {
                            if (done.isSuccess()) {
                                channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'+'}));
                            }
                        });
                    }
                })
                .bind(java.net.InetAddress.getLoopbackAddress(), 0).sync().channel();
            int port = ((java.net.InetSocketAddress) server.localAddress()).getPort();
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("trusted", trusted);
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, trustManagers.getTrustManagers(), null);
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(host, port)) {
                socket.setSoTimeout(10_000);
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                if (protocol != null) {
                    parameters.setProtocols(new String[] {protocol});
                }
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                assertThat(socket.getInputStream().read()).isEqualTo('+');
                return socket.getSession();
            } finally {
                server.close().sync();
            }
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
