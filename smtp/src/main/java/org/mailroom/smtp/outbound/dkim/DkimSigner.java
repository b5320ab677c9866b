package org.mailroom.smtp.outbound.dkim;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.james.jdkim.DKIMSigner;
import org.apache.james.jdkim.exceptions.FailException;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.dom.address.MailboxList;
import org.apache.james.mime4j.field.address.LenientAddressParser;
import org.mailroom.smtp.outbound.OutboundSigner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs outbound mail with DKIM (RFC 6376: rsa-sha256, relaxed/relaxed) using the key of the domain in the
 * From header, the domain a receiver's DMARC check aligns with. A message whose From domain has no key, or whose
 * From cannot be read, leaves unchanged: it is still delivered, just unsigned. Signing is done by Apache James
 * jDKIM; this class only chooses the key and the header fields.
 */
public final class DkimSigner implements OutboundSigner {
    private static final Logger LOG = LoggerFactory.getLogger(DkimSigner.class);

    /**
     * The fields a receiver shows or threads by. Fields a message lacks are still listed: per RFC 6376 5.4 that
     * signs their absence, so nobody can add a Subject or Reply-To on the way without breaking the signature.
     */
    static final List<String> SIGNED_FIELDS = List.of("from", "to", "cc", "subject", "date", "message-id",
        "reply-to", "in-reply-to", "references", "mime-version", "content-type", "content-transfer-encoding");

    private final DkimKeyDirectory keys;
    private final Clock clock;

    public DkimSigner(DkimKeyDirectory keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    @Override
    public byte[] sign(byte[] message) {
        Optional<String> domain = fromDomain(message);
        if (domain.isEmpty()) {
            return message;
        }
        Optional<DkimKey> key;
        try {
            key = keys.find(domain.get());
        } catch (RuntimeException e) {
            // An unreadable key file must not stop mail: it goes out unsigned, and the log says why.
            LOG.warn("DKIM: not signing mail from {}: {}", domain.get(), e.getMessage());
            return message;
        }
        if (key.isEmpty()) {
            return message;
        }
        try {
            String template = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=" + key.get().domain() + "; s="
                + key.get().selector() + "; t=" + clock.instant().getEpochSecond() + "; h="
                + String.join(":", SIGNED_FIELDS) + "; bh=; b=;";
            String field = new DKIMSigner(template, key.get().privateKey()).sign(new ByteArrayInputStream(message));
            byte[] header = (field + "\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] signed = new byte[header.length + message.length];
            System.arraycopy(header, 0, signed, 0, header.length);
            System.arraycopy(message, 0, signed, header.length, message.length);
            return signed;
        } catch (IOException | FailException | RuntimeException e) {
            LOG.warn("DKIM: signing mail from {} failed, sending it unsigned: {}", domain.get(), e.getMessage());
            return message;
        }
    }

    /** The domain of the first address of the (first) From header, lower-cased. */
    static Optional<String> fromDomain(byte[] message) {
        Optional<String> from = headerValue(message, "from");
        if (from.isEmpty()) {
            return Optional.empty();
        }
        MailboxList mailboxes = LenientAddressParser.DEFAULT.parseAddressList(from.get()).flatten();
        if (mailboxes.isEmpty()) {
            return Optional.empty();
        }
        Mailbox first = mailboxes.get(0);
        String domain = first.getDomain();
        return domain == null || domain.isBlank() ? Optional.empty()
            : Optional.of(domain.strip().toLowerCase(Locale.ROOT));
    }

    // Header fields end at the first empty line; continuation lines (starting with space or tab) are unfolded.
    private static Optional<String> headerValue(byte[] message, String name) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        StringBuilder current = null;
        for (String line : text.split("\r?\n", -1)) {
            if (line.isEmpty()) {
                break;
            }
            if (current != null && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                current.append(' ').append(line.strip());
                continue;
            }
            if (current != null) {
                return Optional.of(current.toString());
            }
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
                current = new StringBuilder(line.substring(colon + 1).strip());
            }
        }
        return Optional.ofNullable(current).map(StringBuilder::toString);
    }
}
