package org.mailroom.dist.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import org.mailroom.dist.config.ConfigException;
import org.mailroom.dist.config.TlsConfig;
import org.mailroom.dist.tls.PemFiles.PemException;
import org.mailroom.tls.ServerTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.handler.ssl.SslProvider;

/**
 * The certificate and key every TLS listener serves: the PEM files named in the configuration, or else a
 * self-signed certificate for the server's host name kept under {@code <data-dir>/tls/}. One {@link ServerTls}
 * serves for the life of the process; {@link #reloadIfChanged()} swaps the certificate inside its key manager.
 */
public final class TlsMaterial {
    /** Where the served certificate came from, for the start-up banner. */
    public enum Source {
        /** The PEM files named by {@code tls.certificate} and {@code tls.private-key}. */
        CONFIGURED,
        /** A self-signed certificate made by this start (first start, expired, or the host name changed). */
        SELF_SIGNED_CREATED,
        /** The self-signed certificate an earlier start made and stored. */
        SELF_SIGNED_REUSED
    }

    static final String DIRECTORY = "tls";
    static final String CERTIFICATE_FILE = "certificate.pem";
    static final String PRIVATE_KEY_FILE = "private-key.pem";

    private static final Logger LOG = LoggerFactory.getLogger(TlsMaterial.class);

    private final TlsConfig config;
    private final Path selfSignedDirectory;
    private final String hostname;
    private final Clock clock;
    private final SwappableKeyManager keyManager;
    private final ServerTls serverTls;
    private volatile Loaded loaded;

    /** What is served now, and the file stamps it was read at, for reloading. */
    private record Loaded(List<X509Certificate> chain, PrivateKey key, Source source, Path certificateFile,
                          Stamp certificateStamp, Path keyFile, Stamp keyStamp) {
    }

    /** A file's modification time and size: an edit that keeps one of them still changes the other. */
    private record Stamp(FileTime modified, long size) {
        static Stamp of(Path file) {
            try {
                return new Stamp(Files.getLastModifiedTime(file), Files.size(file));
            } catch (IOException e) {
                return new Stamp(FileTime.fromMillis(0), -1);
            }
        }
    }

    private TlsMaterial(TlsConfig config, Path dataDirectory, String hostname, Clock clock, Loaded first) {
        this.config = config;
        this.selfSignedDirectory = dataDirectory.resolve(DIRECTORY);
        this.hostname = hostname;
        this.clock = clock;
        this.loaded = first;
        this.keyManager = new SwappableKeyManager(identity(first));
        this.serverTls = ServerTls.forKeyManager(keyManager);
    }

    /**
     * Reads the configured PEM files, or reuses or makes the self-signed certificate for {@code hostname}.
     *
     * @throws ConfigException a configured file is missing, unreadable, not PEM, or its key and certificate do
     *     not match: one {@code file:line: tls.certificate|tls.private-key: problem} line
     * @throws TlsStartupException the self-signed certificate cannot be stored in the data directory
     */
    public static TlsMaterial load(TlsConfig config, Path dataDirectory, String hostname) {
        return load(config, dataDirectory, hostname, Clock.systemUTC());
    }

    /** As {@link #load(TlsConfig, Path, String)}, with the clock expiry is judged by. */
    public static TlsMaterial load(TlsConfig config, Path dataDirectory, String hostname, Clock clock) {
        Objects.requireNonNull(hostname, "hostname");
        Path directory = dataDirectory.resolve(DIRECTORY);
        Loaded first = config.isConfigured() ? readConfigured(config) : selfSigned(directory, hostname, clock.instant());
        return new TlsMaterial(config, dataDirectory, hostname, clock, first);
    }

    /**
     * The server side of every TLS listener: TLS 1.3 and 1.2 only, OpenSSL where it loads, always presenting the
     * current certificate.
     */
    public ServerTls serverTls() {
        return serverTls;
    }

    /** Another context over the same, swappable, certificate, from {@code provider}: for tests of both providers. */
    ServerTls serverTls(SslProvider provider) {
        return ServerTls.forKeyManager(keyManager, provider);
    }

    /** The certificate served now (the first of the chain). */
    public X509Certificate certificate() {
        return loaded.chain().get(0);
    }

    /** The whole chain served now, the server's certificate first. */
    public List<X509Certificate> chain() {
        return loaded.chain();
    }

    /** Where the served certificate came from. */
    public Source source() {
        return loaded.source();
    }

    /** True when clients will have to be told to trust the certificate by hand. */
    public boolean isSelfSigned() {
        return loaded.source() != Source.CONFIGURED;
    }

    /** The PEM file the served certificate was read from or stored in. */
    public Path certificateFile() {
        return loaded.certificateFile();
    }

    /** One line for the start-up banner: what is served, from where, until when. */
    public String summary() {
        X509Certificate certificate = certificate();
        String until = certificate.getNotAfter().toInstant().toString();
        return switch (source()) {
            case CONFIGURED -> certificate.getSubjectX500Principal().getName() + " from " + certificateFile()
                + ", valid until " + until;
            case SELF_SIGNED_CREATED -> "self-signed for " + hostname + ", made now in " + certificateFile().getParent()
                + ", valid until " + until + " (clients will ask to trust it; set tls.certificate for production)";
            case SELF_SIGNED_REUSED -> "self-signed for " + hostname + " from " + certificateFile().getParent()
                + ", valid until " + until + " (set tls.certificate for production)";
        };
    }

    /**
     * Serves the configured files again if either changed since they were read, or a new self-signed certificate
     * if the current one has expired; handshakes already under way finish with the old one.
     *
     * @return true if a new certificate is now served
     * @throws ConfigException the changed files cannot be used; the previous certificate stays in service
     * @throws TlsStartupException a new self-signed certificate cannot be stored; the previous one stays
     */
    public synchronized boolean reloadIfChanged() {
        Loaded now = loaded;
        Loaded next;
        if (config.isConfigured()) {
            if (Stamp.of(now.certificateFile()).equals(now.certificateStamp())
                && Stamp.of(now.keyFile()).equals(now.keyStamp())) {
                return false;
            }
            next = readConfigured(config);
        } else {
            if (!isExpired(certificate(), clock.instant())) {
                return false;
            }
            next = selfSigned(selfSignedDirectory, hostname, clock.instant());
        }
        keyManager.swap(identity(next));
        loaded = next;
        LOG.info("TLS certificate reloaded: {}", summary());
        return true;
    }

    private static Loaded readConfigured(TlsConfig config) {
        Path certificateFile = config.certificatePath();
        Path keyFile = config.privateKeyPath();
        // Stamps first: a file replaced while it is being read is then read again at the next check.
        Stamp certificateStamp = Stamp.of(certificateFile);
        Stamp keyStamp = Stamp.of(keyFile);
        List<X509Certificate> chain;
        try {
            chain = PemFiles.readChain(certificateFile);
        } catch (PemException e) {
            throw config.problem("tls.certificate", "cannot read " + certificateFile + ": " + e.getMessage(), e);
        }
        PrivateKey key;
        try {
            key = PemFiles.readPrivateKey(keyFile);
        } catch (PemException e) {
            throw config.problem("tls.private-key", "cannot read " + keyFile + ": " + e.getMessage(), e);
        }
        try {
            PemFiles.checkMatch(key, chain.get(0));
        } catch (PemException e) {
            throw config.problem("tls.private-key", "cannot use " + keyFile + " with " + certificateFile + ": "
                + e.getMessage(), e);
        }
        return new Loaded(List.copyOf(chain), key, Source.CONFIGURED, certificateFile, certificateStamp, keyFile,
            keyStamp);
    }

    private static Loaded selfSigned(Path directory, String hostname, Instant now) {
        Path certificateFile = directory.resolve(CERTIFICATE_FILE);
        Path keyFile = directory.resolve(PRIVATE_KEY_FILE);
        String reason = reasonToReplace(certificateFile, keyFile, hostname, now);
        if (reason == null) {
            try {
                X509Certificate certificate = PemFiles.readChain(certificateFile).get(0);
                PrivateKey key = PemFiles.readPrivateKey(keyFile);
                return new Loaded(List.of(certificate), key, Source.SELF_SIGNED_REUSED, certificateFile,
                    Stamp.of(certificateFile), keyFile, Stamp.of(keyFile));
            } catch (PemException e) {
                reason = "the stored one cannot be read: " + e.getMessage();
            }
        }
        LOG.info("Making a self-signed TLS certificate for {} in {}: {}", hostname, directory, reason);
        SelfSignedCertificate.Generated generated;
        try {
            generated = SelfSignedCertificate.generate(hostname, now);
        } catch (GeneralSecurityException e) {
            throw new TlsStartupException("cannot make a self-signed TLS certificate: " + e.getMessage(), e);
        }
        try {
            Files.createDirectories(directory);
            PemFiles.setPermissions(directory, PosixFilePermissions.fromString("rwx------"));
            // Key first: a crash between the two writes leaves a certificate that does not match, which the next
            // start replaces, never a certificate whose key is missing for good.
            PemFiles.write(keyFile, true, generated.keys().getPrivate());
            PemFiles.write(certificateFile, false, generated.certificate());
        } catch (IOException e) {
            throw new TlsStartupException("cannot store the self-signed TLS certificate in " + directory + ": "
                + e, e);
        }
        return new Loaded(List.of(generated.certificate()), generated.keys().getPrivate(),
            Source.SELF_SIGNED_CREATED, certificateFile, Stamp.of(certificateFile), keyFile, Stamp.of(keyFile));
    }

    /** Why the stored self-signed certificate cannot be served again, or null if it can. */
    private static String reasonToReplace(Path certificateFile, Path keyFile, String hostname, Instant now) {
        if (!Files.exists(certificateFile) || !Files.exists(keyFile)) {
            return "none is stored yet";
        }
        try {
            X509Certificate certificate = PemFiles.readChain(certificateFile).get(0);
            if (isExpired(certificate, now)) {
                return "the stored one expired on " + certificate.getNotAfter().toInstant();
            }
            if (!SelfSignedCertificate.isFor(certificate, hostname)) {
                return "the stored one is for " + certificate.getSubjectX500Principal().getName()
                    + ", not for server.hostname " + hostname;
            }
            PemFiles.checkMatch(PemFiles.readPrivateKey(keyFile), certificate);
            return null;
        } catch (PemException e) {
            return "the stored one cannot be used: " + e.getMessage();
        }
    }

    private static boolean isExpired(X509Certificate certificate, Instant now) {
        return !now.isBefore(certificate.getNotAfter().toInstant());
    }

    private static SwappableKeyManager.Identity identity(Loaded loaded) {
        return new SwappableKeyManager.Identity(loaded.key(), loaded.chain().toArray(X509Certificate[]::new));
    }
}
