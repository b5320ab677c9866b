package org.mailroom.smtp.outbound;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;

import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.field.Fields;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.message.DefaultMessageWriter;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.util.MimeUtil;

/**
 * Makes an 8-bit message fit for a server that does not offer 8BITMIME (RFC 6152 section 3 allows converting it
 * instead of bouncing): every body part sent as {@code 8bit} or {@code binary} is re-encoded, text parts as
 * quoted-printable, anything else as base64; multiparts and attached messages that contained them are then
 * declared {@code 7bit}. Header fields are kept byte for byte (8-bit bytes in headers need SMTPUTF8, which this
 * does not address). Parsed with mime4j, permissively: a malformed part is converted as far as it was understood.
 */
final class EightBitDowngrade {

    private EightBitDowngrade() {
    }

    /** Whether any byte has the high bit set (what BODY=8BITMIME would have to announce). */
    static boolean hasEightBitBytes(byte[] message) {
        for (byte b : message) {
            if (b < 0) {
                return true;
            }
        }
        return false;
    }

    /** The message with its 8-bit body parts re-encoded; a 7-bit message comes back unchanged. */
    static byte[] toSevenBit(byte[] message) {
        if (!hasEightBitBytes(message)) {
            return message;
        }
        DefaultMessageBuilder builder = new DefaultMessageBuilder();
        builder.setMimeEntityConfig(MimeConfig.PERMISSIVE);
        builder.setDecodeMonitor(DecodeMonitor.SILENT);
        try {
            Message parsed = builder.parseMessage(new ByteArrayInputStream(message));
            reencode(parsed);
            ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + message.length / 8);
            new DefaultMessageWriter().writeMessage(parsed, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot convert the message to 7 bit: " + e.getMessage(), e);
        }
    }

    /** True when the entity (or something inside it) was 8-bit and is now encoded. */
    private static boolean reencode(Entity entity) throws IOException {
        boolean changed = false;
        if (entity.getBody() instanceof Multipart multipart) {
            for (Entity part : multipart.getBodyParts()) {
                changed |= reencode(part);
            }
        } else if (entity.getBody() instanceof Message attached) {
            changed = reencode(attached);
        } else if (needsEncoding(entity)) {
            boolean text = entity.getMimeType().toLowerCase(Locale.ROOT).startsWith("text/");
            // The body was decoded while parsing; the writer encodes it again as this header says.
            entity.getHeader().setField(Fields.contentTransferEncoding(text ? "quoted-printable" : "base64"));
            return true;
        }
        if (changed && isEightBit(entity)) {
            // A multipart or message/rfc822 may only be 7bit, 8bit or binary: after the parts, 7bit is true.
            entity.getHeader().setField(Fields.contentTransferEncoding("7bit"));
        }
        return changed;
    }

    /**
     * A leaf declared 8bit or binary, or one whose identity encoding (7bit, or none) is belied by 8-bit bytes,
     * which broken senders produce.
     */
    private static boolean needsEncoding(Entity entity) throws IOException {
        if (isEightBit(entity)) {
            return true;
        }
        String encoding = entity.getContentTransferEncoding();
        if (MimeUtil.isBase64Encoding(encoding) || MimeUtil.isQuotedPrintableEncoded(encoding)
            || !(entity.getBody() instanceof SingleBody body)) {
            return false;
        }
        try (InputStream in = body.getInputStream()) {
            return hasEightBitBytes(in.readAllBytes());
        }
    }

    private static boolean isEightBit(Entity entity) {
        String encoding = entity.getContentTransferEncoding();
        return encoding != null && (encoding.equalsIgnoreCase("8bit") || encoding.equalsIgnoreCase("binary"));
    }
}
