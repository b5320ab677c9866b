package org.mailroom.dist.tls;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A small certificate authority and server certificates made at test time, written as an operator's PEM files. */
final class TestPki {
    /** The private-key PEM forms operators bring: PKCS#8, and the older per-algorithm PKCS#1 (RSA) and SEC1 (EC). */
    enum KeyForm { PKCS8, TRADITIONAL }

    record Issued(KeyPair keys, X509Certificate certificate) {
    }

    private TestPki() {
    }

    static KeyPair keys(String algorithm) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC")) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        } else {
            generator.initialize(2048);
        }
        return generator.generateKeyPair();
    }

    static Issued authority() throws Exception {
        KeyPair keys = keys("EC");
        X500Name name = new X500Name("CN=Mailroom Test CA");
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
            Date.from(Instant.now().minus(Duration.ofHours(1))), Date.from(Instant.now().plus(Duration.ofDays(2))),
            name, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
        return new Issued(keys, sign(builder, keys.getPrivate()));
    }

    /** A server certificate for localhost, signed by {@code issuer}, or self-signed when issuer is null. */
    static Issued server(String algorithm, Issued issuer) throws Exception {
        KeyPair keys = keys(algorithm);
        X500Name subject = new X500Name("CN=localhost");
        X500Name issuerName = issuer == null ? subject
            : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
            BigInteger.valueOf(System.nanoTime()), Date.from(Instant.now().minus(Duration.ofHours(1))),
            Date.from(Instant.now().plus(Duration.ofDays(2))), subject, keys.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        return new Issued(keys, sign(builder, issuer == null ? keys.getPrivate() : issuer.keys().getPrivate()));
    }

    static Path writeCertificates(Path file, X509Certificate... chain) throws Exception {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            for (X509Certificate certificate : chain) {
                pem.writeObject(certificate);
            }
        }
        return Files.writeString(file, text.toString());
    }

    static Path writeKey(Path file, KeyPair keys, KeyForm form) throws Exception {
        PrivateKey key = keys.getPrivate();
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            if (form == KeyForm.PKCS8) {
                pem.writeObject(new JcaPKCS8Generator(key, null));
            } else if (key.getAlgorithm().equals("RSA")) {
                // BEGIN RSA PRIVATE KEY
                pem.writeObject(new JcaMiscPEMGenerator(key));
            } else {
                // BEGIN EC PRIVATE KEY with the curve and public key in it, as openssl writes it (BouncyCastle's
                // generator would leave the curve out of a JDK key).
                PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
                BigInteger secret = ((java.security.interfaces.ECPrivateKey) key).getS();
                ECPrivateKey sec1 = new ECPrivateKey(256, secret,
                    SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData(),
                    info.getPrivateKeyAlgorithm().getParameters());
                pem.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
            }
        }
        return Files.writeString(file, text.toString());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) throws Exception {
        String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(algorithm)
            .build(key)));
    }
}
