package org.mailroom.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mailroom.testing.TestCertificate;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import io.netty.util.ReferenceCountUtil;

class ServerTlsTest {

    @TempDir
    static Path directory;

    private static TestCertificate certificate;

    @BeforeAll
    static void certificate() throws Exception {
        certificate = TestCertificate.generate(directory);
    }

    @Test
    void openSslIsPreferredWhereItsNativeLibraryIsShipped() {
        String os = System.getProperty("os.name").toLowerCase();
        String arch = System.getProperty("os.arch");
        boolean shipped = os.contains("linux") && (arch.equals("amd64") || arch.equals("aarch64"));
        assertThat(ServerTls.preferredProvider()).isEqualTo(shipped ? SslProvider.OPENSSL : SslProvider.JDK);
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void tls12And13AreServedAndTls11IsRefused(SslProvider provider) throws Exception {
        ServerTls tls = ServerTls.forKeyManager(certificate.keyManager(), provider);
        assertThat(tls.provider()).isEqualTo(provider);
        assertThat(tls.implicitTls().isStartTLS()).isFalse();
        assertThat(tls.startTls().isStartTLS()).isTrue();

        assertThat(handshake(tls, "TLSv1.3")).isEqualTo("TLSv1.3");
        assertThat(handshake(tls, "TLSv1.2")).isEqualTo("TLSv1.2");
        // BoringSSL's client still speaks TLS 1.1 (the JDK's refuses to), with a suite the certificate can sign.
        assertThatThrownBy(() -> handshake(tls, "TLSv1.1")).isInstanceOf(SSLException.class)
            .hasMessageMatching("(?is).*(protocol|version).*");
    }

    /** The control for the refusal above: the same client gets TLS 1.1 from a server that allows it. */
    @Test
    void theTls11ClientOfTheseTestsIsServedWhereTls11IsAllowed() throws Exception {
        SslContext permissive = SslContextBuilder.forServer(new KeyManagerFactoryWrapper(certificate.keyManager()))
            .sslProvider(SslProvider.OPENSSL).protocols("TLSv1.1", "TLSv1.2")
            .ciphers(java.util.List.of("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA")).build();
        try {
            assertThat(handshake(permissive.newEngine(ByteBufAllocator.DEFAULT), "TLSv1.1")).isEqualTo("TLSv1.1");
        } finally {
            ReferenceCountUtil.release(permissive);
        }
    }

    private static String handshake(ServerTls tls, String protocol) throws Exception {
        return handshake(tls.implicitTls().sslHandler().engine(), protocol);
    }

    /** An in-memory handshake with a BoringSSL client offering only {@code protocol}; the server's protocol. */
    private static String handshake(SSLEngine serverEngine, String protocol) throws Exception {
        SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL).protocols(protocol)
            .ciphers(java.util.List.of("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"))
            .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        SSLEngine clientEngine = client.newEngine(ByteBufAllocator.DEFAULT, "localhost", 993);
        try {
            ByteBuffer toServer = ByteBuffer.allocate(1 << 17);
            ByteBuffer toClient = ByteBuffer.allocate(1 << 17);
            ByteBuffer empty = ByteBuffer.allocate(0);
            ByteBuffer application = ByteBuffer.allocate(1 << 17);
            clientEngine.beginHandshake();
            serverEngine.beginHandshake();
            for (int round = 0; round < 50 && (handshaking(clientEngine) || handshaking(serverEngine)); round++) {
                clientEngine.wrap(empty, toServer);
                runTasks(clientEngine);
                toServer.flip();
                serverEngine.unwrap(toServer, application);
                toServer.compact();
                runTasks(serverEngine);
                serverEngine.wrap(empty, toClient);
                runTasks(serverEngine);
                toClient.flip();
                clientEngine.unwrap(toClient, application);
                toClient.compact();
                runTasks(clientEngine);
            }
            assertThat(handshaking(serverEngine)).isFalse();
            return serverEngine.getSession().getProtocol();
        } finally {
            ReferenceCountUtil.release(clientEngine);
            ReferenceCountUtil.release(serverEngine);
            ReferenceCountUtil.release(client);
        }
    }

    private static boolean handshaking(SSLEngine engine) {
        HandshakeStatus status = engine.getHandshakeStatus();
        return status != HandshakeStatus.NOT_HANDSHAKING && status != HandshakeStatus.FINISHED;
    }

    private static void runTasks(SSLEngine engine) {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }
}
