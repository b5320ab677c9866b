package org.mailroom.dist.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

class SyntheticMailTest {
    /** Netty's default write-buffer high-water mark, which a photo's message must exceed. */
    private static final int HIGH_WATER_MARK = 64 * 1024;
    private static final Session SESSION = Session.getInstance(new Properties());

    @Test
    void everyTwentiethMessageCarriesAPhotoLargerThanTheWriteBufferHighWaterMark() throws Exception {
        SyntheticMail mail = new SyntheticMail(1L, 25L * 1024 * 1024);
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            messages.add(mail.next("anna@example.com", "user@example.test"));
        }

        for (int i = 0; i < messages.size(); i++) {
            byte[] photo = photo(messages.get(i));
            if (i % 20 == 4) {
                assertThat(messages.get(i).length).as("message %d", i).isGreaterThan(HIGH_WATER_MARK);
                // what Tika's detector reads a JPEG by, so the sorter types it as the image it claims to be
                assertThat(photo).as("message %d", i).isNotNull().startsWith(0xFF, 0xD8, 0xFF, 0xE0);
                assertThat(photo.length).isBetween(96 * 1024, 192 * 1024);
            } else {
                assertThat(photo).as("message %d", i).isNull();
                assertThat(messages.get(i).length).as("message %d", i).isLessThan(HIGH_WATER_MARK);
            }
        }
    }

    @Test
    void noPhotoWhenTheServerTakesNoMessageThatLarge() throws Exception {
        SyntheticMail mail = new SyntheticMail(1L, 200L * 1024);
        for (int i = 0; i < 60; i++) {
            byte[] message = mail.next("anna@example.com", "user@example.test");
            assertThat(photo(message)).as("message %d", i).isNull();
            assertThat(message.length).as("message %d", i).isLessThan(HIGH_WATER_MARK);
        }
    }

    /** The decoded image/jpeg attachment of {@code message}, or null. */
    private static byte[] photo(byte[] message) throws MessagingException, IOException {
        MimeMessage parsed = new MimeMessage(SESSION, new ByteArrayInputStream(message));
        if (!(parsed.getContent() instanceof Multipart multipart)) {
            return null;
        }
        for (int i = 0; i < multipart.getCount(); i++) {
            BodyPart part = multipart.getBodyPart(i);
            if (part.isMimeType("image/jpeg")) {
                try (InputStream in = part.getInputStream()) {
                    return in.readAllBytes();
                }
            }
        }
        return null;
    }
}
