package org.mailroom.smtp.outbound.dkim;

import java.security.KeyFactory;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;

/**
 * One domain's DKIM signing key and the selector under which its public half is published in DNS
 * ({@code SELECTOR._domainkey.DOMAIN}).
 */
public record DkimKey(String domain, String selector, PrivateKey privateKey) {

    /** The DNS name the public key is published under. */
    public String dnsName() {
        return selector + "._domainkey." + domain;
    }

    /** The TXT record value: {@code v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo>}. */
    public String txtValue() {
        return "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(publicKeyBytes());
    }

    /**
     * The record in zone-file syntax, ready to paste. The value is split into strings of at most 255 characters,
     * the longest one TXT string may be (a 2048-bit key does not fit in one); resolvers join them again.
     */
    public String zoneFileLine() {
        String value = txtValue();
        StringBuilder strings = new StringBuilder();
        for (int start = 0; start < value.length(); start += 255) {
            strings.append(strings.length() == 0 ? "" : " ")
                .append('"').append(value, start, Math.min(value.length(), start + 255)).append('"');
        }
        return dnsName() + ". IN TXT ( " + strings + " )";
    }

    private byte[] publicKeyBytes() {
        // The private key file holds the CRT form (what Java's generator makes), which carries the public exponent.
        if (!(privateKey instanceof RSAPrivateCrtKey crt)) {
            throw new IllegalStateException("the DKIM key of " + domain + " is not an RSA CRT key");
        }
        try {
            return KeyFactory.getInstance("RSA")
                .generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent())).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive the public DKIM key of " + domain + ": " + e.getMessage(), e);
        }
    }
}
