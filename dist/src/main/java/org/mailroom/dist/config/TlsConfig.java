package org.mailroom.dist.config;

import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code tls} section: the PEM certificate chain and private key every TLS listener serves, or neither, in
 * which case Mailroom makes and keeps a self-signed certificate for {@code server.hostname} in the data directory.
 * {@code origin} is the file the paths were written in (null when neither is set): relative paths resolve against
 * its directory, and problems with the files are reported on its lines.
 */
public record TlsConfig(String certificate, String privateKey, ConfigOrigin origin) {

    /** The keys as written in the file; the loader adds the origin once it knows the keys' lines. */
    @JsonCreator
    public static TlsConfig of(@JsonProperty("certificate") String certificate,
                               @JsonProperty("private-key") String privateKey) {
        return new TlsConfig(certificate, privateKey, null);
    }

    /** True when the file names a certificate and key (the loader refuses one without the other). */
    public boolean isConfigured() {
        return certificate != null && privateKey != null;
    }

    /** The certificate chain file, resolved against the configuration file's directory. */
    public Path certificatePath() {
        return resolve(certificate);
    }

    /** The private key file, resolved against the configuration file's directory. */
    public Path privateKeyPath() {
        return resolve(privateKey);
    }

    /** A one-line {@code file:line: key: problem} error about {@code tls.certificate} or {@code tls.private-key}. */
    public ConfigException problem(String key, String message, Throwable cause) {
        return origin != null ? origin.problem(key, message, cause)
            : new ConfigException(List.of(key + ": " + message), cause);
    }

    TlsConfig withOrigin(ConfigOrigin origin) {
        return new TlsConfig(certificate, privateKey, origin);
    }

    private Path resolve(String path) {
        return origin != null ? origin.resolve(path) : Path.of(path).toAbsolutePath().normalize();
    }
}
