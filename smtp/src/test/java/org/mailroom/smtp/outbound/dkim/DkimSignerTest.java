package org.mailroom.smtp.outbound.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.SignatureRecord;
import org.apache.james.jdkim.exceptions.PermFailException;
import org.apache.james.jdkim.impl.DNSPublicKeyRecordRetriever;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.testing.TestDnsServer;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.SimpleResolver;

/**
 * Signs with a key made by {@link DkimKeyDirectory} and verifies with jDKIM's own verifier, which fetches the
 * public key from the TXT record the key prints, served by a real DNS responder on loopback.
 */
class DkimSignerTest {
    private static final String MESSAGE = "From: Alice <alice@Example.ORG>\r\n"
        + "To: bob@remote.example\r\n"
        + "Subject: quarterly figures\r\n"
        + "Date: Sat, 28 Nov 2026 20:00:00 +0000\r\n"
        + "Message-ID: <1@example.org>\r\n"
        + "MIME-Version: 1.0\r\n"
        + "Content-Type: text/plain; charset=utf-8\r\n"
        + "\r\n"
        + "Hello Bob,\r\n"
        + "the figures are   attached.  \r\n"
        + "\r\n";

    @TempDir
    Path dir;

    private TestDnsServer dns;
    private DkimKeyDirectory keys;
    private DkimKey key;
    private DkimSigner signer;

    @BeforeEach
    void keyPublishedInDns() throws Exception {
        dns = TestDnsServer.start();
        keys = new DkimKeyDirectory(dir.resolve("dkim"));
        key = keys.create("example.org", "mail2026");
        dns.addTxt(key.dnsName(), key.txtValue());
        signer = new DkimSigner(keys, Clock.systemUTC());
        // jDKIM looks keys up through dnsjava's process-wide cache; each test publishes a new key under one name.
        Lookup.getDefaultCache(DClass.IN).clearCache();
    }

    @AfterEach
    void stopDns() {
        dns.close();
    }

    @Test
    void signedMessageVerifiesAgainstThePublishedRecord() throws Exception {
        byte[] signed = signer.sign(bytes(MESSAGE));
        String text = new String(signed, StandardCharsets.US_ASCII);

        assertThat(text).startsWith("DKIM-Signature:").endsWith(MESSAGE);
        assertThat(text).contains("a=rsa-sha256").contains("c=relaxed/relaxed").contains("d=example.org")
            .contains("s=mail2026");
        List<SignatureRecord> records = verifier().verify(new ByteArrayInputStream(signed));
        assertThat(records).hasSize(1);
        assertThat(records.get(0).getDToken().toString()).isEqualTo("example.org");
        assertThat(records.get(0).getHeaders().stream().map(CharSequence::toString))
            .contains("from", "to", "subject", "date", "message-id", "mime-version", "content-type");
    }

    @Test
    void relaxedCanonicalizationSurvivesWhitespaceChangesInTransit() throws Exception {
        String signed = new String(signer.sign(bytes(MESSAGE)), StandardCharsets.US_ASCII);
        // Relays may re-fold headers and trim trailing spaces: relaxed/relaxed is chosen to survive that.
        String rewrapped = signed.replace("Subject: quarterly figures", "Subject:  quarterly\r\n\tfigures")
            .replace("attached.  \r\n", "attached.\r\n");

        assertThat(verifier().verify(new ByteArrayInputStream(bytes(rewrapped)))).hasSize(1);
    }

    @Test
    void modifiedBodyFailsVerification() throws Exception {
        String signed = new String(signer.sign(bytes(MESSAGE)), StandardCharsets.US_ASCII);
        String tampered = signed.replace("the figures are", "the payment details are");

        assertThatThrownBy(() -> verifier().verify(new ByteArrayInputStream(bytes(tampered))))
            .isInstanceOf(PermFailException.class)
            .hasMessageContaining("bodyhash is different");
    }

    @Test
    void modifiedSignedHeaderFailsVerification() throws Exception {
        String signed = new String(signer.sign(bytes(MESSAGE)), StandardCharsets.US_ASCII);
        String tampered = signed.replace("Subject: quarterly figures", "Subject: urgent wire transfer");

        assertThatThrownBy(() -> verifier().verify(new ByteArrayInputStream(bytes(tampered))))
            .isInstanceOf(PermFailException.class);
    }

    @Test
    void addedReplyToFailsVerificationBecauseItsAbsenceWasSigned() throws Exception {
        String signed = new String(signer.sign(bytes(MESSAGE)), StandardCharsets.US_ASCII);
        String tampered = signed.replace("To: bob@remote.example\r\n",
            "To: bob@remote.example\r\nReply-To: thief@elsewhere.example\r\n");

        assertThatThrownBy(() -> verifier().verify(new ByteArrayInputStream(bytes(tampered))))
            .isInstanceOf(PermFailException.class);
    }

    @Test
    void mailFromADomainWithoutKeyOrWithoutFromIsLeftUnchanged() {
        byte[] other = bytes(MESSAGE.replace("alice@Example.ORG", "carol@example.net"));
        byte[] noFrom = bytes(MESSAGE.replace("From: Alice <alice@Example.ORG>\r\n", ""));
        byte[] garbage = bytes("From: <<<@@@\r\n\r\nbody\r\n");

        assertThat(signer.sign(other)).isSameAs(other);
        assertThat(signer.sign(noFrom)).isSameAs(noFrom);
        assertThat(signer.sign(garbage)).isSameAs(garbage);
    }

    @Test
    void foldedFromHeaderIsRead() {
        assertThat(DkimSigner.fromDomain(bytes("Subject: x\r\nFrom: \"Alice\r\n Smith\"\r\n\t<alice@Example.org>\r\n\r\nbody")))
            .contains("example.org");
        assertThat(DkimSigner.fromDomain(bytes("Subject: x\r\n\r\nFrom: alice@example.org\r\n"))).isEmpty();
    }

    @Test
    void keyFileIsOwnerOnlyAndASecondKeyForTheDomainIsRefused() throws Exception {
        Path file = keys.file("example.org", "mail2026");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(file.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----\n");

        assertThatThrownBy(() -> keys.create("EXAMPLE.org", "other"))
            .isInstanceOf(DkimKeyException.class).hasMessageContaining("already has a DKIM key (selector mail2026");
        assertThatThrownBy(() -> keys.create("not a domain", "s1"))
            .isInstanceOf(DkimKeyException.class).hasMessageContaining("not a domain name");
        assertThatThrownBy(() -> keys.create("example.net", "a.b"))
            .isInstanceOf(DkimKeyException.class).hasMessageContaining("one DNS label");
        assertThat(keys.find("EXAMPLE.ORG")).map(DkimKey::selector).contains("mail2026");
    }

    @Test
    void unreadableKeyFileLeavesMailUnsignedInsteadOfStoppingIt() throws Exception {
        Files.writeString(keys.file("example.org", "mail2026"), "not a key");
        byte[] message = bytes(MESSAGE);

        assertThat(signer.sign(message)).isSameAs(message);
        assertThatThrownBy(() -> keys.find("example.org")).isInstanceOf(DkimKeyException.class)
            .hasMessageContaining("example.org.mail2026.pem is not an RSA private key");
    }

    @Test
    void zoneFileLineSplitsTheKeyIntoStringsOf255() {
        String line = key.zoneFileLine();
        assertThat(line).startsWith("mail2026._domainkey.example.org. IN TXT ( \"v=DKIM1; k=rsa; p=MIIBIjAN");
        assertThat(line.split("\"")).allSatisfy(part -> assertThat(part.length()).isLessThanOrEqualTo(255));
        assertThat(String.join("", line.replaceAll("^[^(]*\\( ", "").replace(" )", "").split("\" \"")).replace("\"", ""))
            .isEqualTo(key.txtValue());
    }

    private DKIMVerifier verifier() throws Exception {
        SimpleResolver resolver = new SimpleResolver(dns.address());
        resolver.setTimeout(Duration.ofSeconds(2));
        return new DKIMVerifier(new DNSPublicKeyRecordRetriever(resolver));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
