package org.mailroom.dist.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads and writes the PEM files TLS is served from. Keys are converted with the JDK's own providers (not
 * BouncyCastle's) so that the JDK's TLS implementation recognises their algorithm names.
 */
final class PemFiles {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private PemFiles() {
    }

    /** A PEM file could not be used; the message says why, without the path (the caller adds it). */
    static final class PemException extends Exception {
        PemException(String message) {
            super(message);
        }

        PemException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Every certificate in the file, leaf first, as servers are expected to write them. */
    static List<X509Certificate> readChain(Path file) throws PemException {
        List<X509Certificate> chain = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object object : readObjects(file)) {
            if (object instanceof X509CertificateHolder holder) {
                try {
                    chain.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new PemException("a certificate in it is malformed: " + e.getMessage(), e);
                }
            }
        }
        if (chain.isEmpty()) {
            throw new PemException("no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)");
        }
        return chain;
    }

    /** The private key in the file: PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted. */
    static PrivateKey readPrivateKey(Path file) throws PemException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        for (Object object : readObjects(file)) {
            try {
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (object instanceof PEMKeyPair pair) {
                    // SEC1 EC keys may leave out their public half; the private part alone is all TLS needs.
                    return pair.getPublicKeyInfo() == null ? converter.getPrivateKey(pair.getPrivateKeyInfo())
                        : converter.getKeyPair(pair).getPrivate();
                }
            } catch (IOException e) {
                throw new PemException("the private key in it cannot be used: " + e.getMessage(), e);
            }
            if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
                throw new PemException("the private key is encrypted; store it unencrypted (openssl pkey -in FILE"
                    + " -out FILE) and protect it with file permissions");
            }
            // Anything else (the EC PARAMETERS block openssl ecparam -genkey writes, a certificate) is skipped.
        }
        throw new PemException("no PEM private key in it (expected -----BEGIN PRIVATE KEY-----, "
            + "-----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)");
    }

    /** Refuses a key that is not the one the certificate was issued for: TLS would fail at every handshake. */
    static void checkMatch(PrivateKey key, X509Certificate certificate) throws PemException {
        PublicKey publicKey = certificate.getPublicKey();
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> throw new PemException("the private key is " + key.getAlgorithm() + "; use an RSA or EC key");
        };
        if (!publicKey.getAlgorithm().equals(key.getAlgorithm())) {
            throw new PemException("it holds a " + key.getAlgorithm() + " key but the certificate is for a "
                + publicKey.getAlgorithm() + " key");
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            if (!verifier.verify(signature)) {
                throw new PemException("it does not match the certificate (the first certificate of the chain must"
                    + " be the one issued for this key)");
            }
        } catch (GeneralSecurityException e) {
            throw new PemException("it does not match the certificate: " + e.getMessage(), e);
        }
    }

    /** Writes PEM text through a temporary file and a rename, so a crash never leaves half a file. */
    static void write(Path file, boolean secret, Object... objects) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            for (Object object : objects) {
                // Keys as PKCS#8 (BEGIN PRIVATE KEY), the form every TLS tool reads; the rest as BouncyCastle writes it.
                pem.writeObject(object instanceof PrivateKey key ? new JcaPKCS8Generator(key, null)
                    : new JcaMiscPEMGenerator(object));
            }
        }
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        try {
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException e) {
            Files.createFile(temporary);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("another process is writing " + file, e);
        }
        try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.US_ASCII)) {
            out.write(text.toString());
        }
        if (!secret) {
            setPermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
        }
        try {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void setPermissions(Path path, Set<PosixFilePermission> permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(path, permissions);
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: its own access control applies.
        }
    }

    private static List<Object> readObjects(Path file) throws PemException {
        List<Object> objects = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                objects.add(object);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new PemException("no such file", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new PemException("permission denied", e);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new PemException("not a PEM file (it holds binary data; DER files convert with openssl x509"
                + " -inform der)", e);
        } catch (IOException | RuntimeException e) {
            throw new PemException("not a valid PEM file: " + e.getMessage(), e);
        }
        return objects;
    }
}
