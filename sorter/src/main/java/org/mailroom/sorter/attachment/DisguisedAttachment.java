package org.mailroom.sorter.attachment;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MimeTypes;
import org.mailroom.sorter.Dimension;
import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.Score;
import org.mailroom.sorter.Signal;
import org.mailroom.sorter.message.Attachment;

/**
 * Spam evidence from an attachment whose content is of another kind than its name claims ("invoice.pdf" that is a
 * Windows program, "photo.jpg" that is a zip). Only a change of kind counts: a PNG named .jpg, or an Office file
 * detected as plain zip, is sloppiness, not disguise. Needs the detected type from {@link AttachmentInspector}.
 */
public final class DisguisedAttachment implements Signal {

    static final String NAME = "attachment-disguised";
    private static final double DISGUISED = 3.0;
    /** Detections too generic to contradict a name. */
    private static final Set<String> GENERIC = Set.of("text/plain", "application/octet-stream", "application/xml",
        "text/xml", "application/x-tika-msoffice", "application/x-tika-ooxml", "application/zip");

    private final MimeTypes byName = MimeTypes.getDefaultMimeTypes();

    @Override
    public List<Score> evaluate(IncomingMail mail) {
        for (Attachment attachment : mail.content().attachments()) {
            if (attachment.detectedType().isEmpty() || attachment.fileName().isEmpty()) {
                continue;
            }
            String detected = attachment.detectedType().get();
            Optional<String> claimed = typeByName(attachment.fileName().get());
            if (claimed.isPresent() && !GENERIC.contains(detected) && !sameKind(claimed.get(), detected)) {
                return List.of(new Score(NAME, Dimension.SPAM, DISGUISED, attachment.fileName().get()
                    + " is named as " + claimed.get() + " but is " + detected));
            }
        }
        return List.of();
    }

    private Optional<String> typeByName(String fileName) {
        Metadata metadata = new Metadata();
        metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, fileName);
        try {
            MediaType type = byName.detect(null, metadata);
            return MediaType.OCTET_STREAM.equals(type) ? Optional.empty() : Optional.of(type.getBaseType().toString());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Same type, same top-level media type (image/png vs image/jpeg), or both Office/OpenDocument formats. */
    static boolean sameKind(String claimed, String detected) {
        if (claimed.equals(detected)) {
            return true;
        }
        String claimedTop = claimed.substring(0, Math.max(0, claimed.indexOf('/')));
        String detectedTop = detected.substring(0, Math.max(0, detected.indexOf('/')));
        if (!claimedTop.equals("application") && claimedTop.equals(detectedTop)) {
            return true;
        }
        return office(claimed) && office(detected);
    }

    private static boolean office(String type) {
        return type.startsWith("application/vnd.ms-") || type.startsWith("application/vnd.openxmlformats")
            || type.startsWith("application/vnd.oasis.opendocument") || type.equals("application/msword")
            || type.equals("application/rtf") || type.equals("text/rtf");
    }
}
