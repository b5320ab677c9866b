package org.mailroom.tls;

import java.security.NoSuchAlgorithmException;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509KeyManager;

import org.apache.james.protocols.netty.Encryption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;

/**
 * The server side of TLS for every Mailroom listener: one Netty {@link SslContext} over the server's key manager,
 * speaking TLS 1.3 and 1.2 only, encrypting with OpenSSL (BoringSSL from netty-tcnative) where it loads on the
 * platform and with the JDK's {@code SSLEngine} otherwise.
 *
 * <p>Why OpenSSL: the JDK's AES-GCM runs interpreted or C1-compiled until the JIT has seen enough of it, so a
 * fresh server's first FETCHes paid several times Dovecot's cost, and even warm it cost CPU on the Netty I/O
 * threads (bench/README.md). BoringSSL is native from the first byte.
 *
 * <p>The key manager is asked for the certificate at every handshake, with either provider, so a certificate
 * swapped inside it (dist's {@code SwappableKeyManager}) reaches the next handshake with no context rebuilt. With
 * OpenSSL the key material is converted to BoringSSL's form once per alias and cached
 * ({@link OpenSslCachingX509KeyManagerFactory}), rather than PEM-encoded and parsed again at each handshake: the
 * key manager must therefore name a changed identity with a new alias, as {@code SwappableKeyManager} does with
 * its generation number.
 *
 * <p>Cipher suites: the JVM's default enabled ones (what {@code java.security}'s {@code jdk.tls.disabledAlgorithms}
 * leaves), in the JVM's order, each provider keeping those it implements; the listeners used these before.
 */
public final class ServerTls {
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final SslContext context;
    private final SslProvider provider;

    private ServerTls(SslContext context, SslProvider provider) {
        this.context = context;
        this.provider = provider;
    }

    /** A context over {@code keys} from {@link #preferredProvider()}. */
    public static ServerTls forKeyManager(X509KeyManager keys) {
        return forKeyManager(keys, preferredProvider());
    }

    /**
     * A context over {@code keys} from {@code provider} ({@link SslProvider#OPENSSL} or {@link SslProvider#JDK}).
     *
     * @throws IllegalStateException the provider cannot make a server context (OpenSSL asked for where it does not
     *     load)
     */
    public static ServerTls forKeyManager(X509KeyManager keys, SslProvider provider) {
        KeyManagerFactory factory = new KeyManagerFactoryWrapper(keys);
        if (provider != SslProvider.JDK) {
            factory = new OpenSslCachingX509KeyManagerFactory(factory);
        }
        try {
            SslContext context = SslContextBuilder.forServer(factory)
                .sslProvider(provider)
                .protocols(PROTOCOLS)
                .ciphers(jvmDefaultCipherSuites(), SupportedCipherSuiteFilter.INSTANCE)
                .build();
            return new ServerTls(context, provider);
        } catch (SSLException | UnsatisfiedLinkError e) {
            throw new IllegalStateException("cannot make a " + provider + " TLS server context: " + e.getMessage(), e);
        }
    }

    /**
     * OpenSSL if netty-tcnative loads here (it does not on a platform without its native library, or when the JVM
     * runs with {@code -Dio.netty.handler.ssl.noOpenSsl=true}), else the JDK. The choice is logged once.
     */
    public static SslProvider preferredProvider() {
        return Preferred.PROVIDER;
    }

    /** The provider this context encrypts with. */
    public SslProvider provider() {
        return provider;
    }

    /** The Netty context, for a pipeline that adds its {@code SslHandler} itself. */
    public SslContext context() {
        return context;
    }

    /** For a listener whose connections start with the TLS handshake (IMAPS 993, submission 465). */
    public Encryption implicitTls() {
        return new ContextEncryption(context, false);
    }

    /** For a listener that offers STARTTLS (IMAP 143, submission 587, MX 25). */
    public Encryption startTls() {
        return new ContextEncryption(context, true);
    }

    private static List<String> jvmDefaultCipherSuites() {
        try {
            return List.of(SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK offers no default TLS context", e);
        }
    }

    /** Decided and logged at first use, once per process. */
    private static final class Preferred {
        private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
        static final SslProvider PROVIDER = decide();

        private static SslProvider decide() {
            if (OpenSsl.isAvailable()) {
                LOG.info("TLS listeners encrypt with OpenSSL: {} (netty-tcnative)", OpenSsl.versionString());
                return SslProvider.OPENSSL;
            }
            Throwable cause = OpenSsl.unavailabilityCause();
            LOG.info("TLS listeners encrypt with the JDK's SSLEngine: netty-tcnative's OpenSSL is not available here ({})",
                cause == null ? "no cause given" : cause.toString());
            return SslProvider.JDK;
        }
    }
}
