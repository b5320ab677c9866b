package org.mailroom.dist.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes the self-signed certificate a fresh install serves until the operator configures a real one, and tells
 * whether a stored one still fits the configured host name.
 *
 * <p>EC P-256: every mail client in use today (Thunderbird, K-9/Thunderbird for Android, Apple Mail, Outlook,
 * mutt with OpenSSL or GnuTLS) accepts it, it is made in milliseconds rather than the seconds RSA key generation
 * can take on a small machine, and its handshakes are cheaper. One year of validity: users must accept a
 * self-signed certificate by hand anyway, Mailroom renews it by itself when it expires, and a short life keeps a
 * forgotten trial certificate from lingering.
 */
final class SelfSignedCertificate {
    static final Duration VALIDITY = Duration.ofDays(365);
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private SelfSignedCertificate() {
    }

    record Generated(KeyPair keys, X509Certificate certificate) {
    }

    static Generated generate(String hostname, Instant now) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();

        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.CN, hostname)
            .addRDN(BCStyle.O, "Mailroom self-signed")
            .build();
        // Back-dated an hour so that a client whose clock runs a little behind does not see it as not yet valid.
        Instant notBefore = now.minus(Duration.ofHours(1));
        Instant notAfter = now.plus(VALIDITY);
        BigInteger serial = new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial,
                Date.from(notBefore), Date.from(notAfter), subject, keys.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names(hostname)
                .toArray(GeneralName[]::new)));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            return new Generated(keys, certificate);
        } catch (OperatorCreationException | java.io.IOException e) {
            throw new GeneralSecurityException("cannot make the self-signed certificate: " + e.getMessage(), e);
        }
    }

    /** True when the certificate names exactly the subject alternative names one made for {@code hostname} would. */
    static boolean isFor(X509Certificate certificate, String hostname) {
        List<String> expected = names(hostname).stream().map(SelfSignedCertificate::describe).sorted().toList();
        List<String> actual = new ArrayList<>();
        try {
            Collection<List<?>> entries = certificate.getSubjectAlternativeNames();
            if (entries == null) {
                return false;
            }
            for (List<?> entry : entries) {
                actual.add(entry.get(0) + ":" + String.valueOf(entry.get(1)).toLowerCase(Locale.ROOT));
            }
        } catch (CertificateParsingException e) {
            return false;
        }
        return expected.equals(actual.stream().sorted().toList());
    }

    /** The host name, plus localhost and 127.0.0.1 for a local install so that every way of saying it works. */
    private static List<GeneralName> names(String hostname) {
        String name = hostname.toLowerCase(Locale.ROOT);
        List<GeneralName> names = new ArrayList<>();
        names.add(isIpAddress(name) ? new GeneralName(GeneralName.iPAddress, name)
            : new GeneralName(GeneralName.dNSName, name));
        if (name.equals("localhost")) {
            names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        }
        return names;
    }

    private static boolean isIpAddress(String name) {
        return IPV4.matcher(name).matches() || name.contains(":");
    }

    // The form X509Certificate.getSubjectAlternativeNames() reports: type number, then the name as text.
    private static String describe(GeneralName name) {
        String value = name.getName().toString();
        if (name.getTagNo() == GeneralName.iPAddress) {
            byte[] octets = org.bouncycastle.asn1.DEROctetString.getInstance(name.getName()).getOctets();
            try {
                value = java.net.InetAddress.getByAddress(octets).getHostAddress();
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return name.getTagNo() + ":" + value.toLowerCase(Locale.ROOT);
    }
}
