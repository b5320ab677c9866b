package org.mailroom.sorter.attachment;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.mailroom.sorter.Dimension;
import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.Score;
import org.mailroom.sorter.Signal;
import org.mailroom.sorter.message.Attachment;

/**
 * Spam evidence from attachments that run when opened: programs and scripts (by name or by detected type, also
 * inside a zip), and macro-enabled Office files. People rarely mail programs; malware campaigns always do.
 */
public final class ExecutableAttachment implements Signal {

    static final String NAME = "attachment-executable";
    private static final double PROGRAM = 4.0;
    private static final double MACROS = 2.0;

    @Override
    public List<Score> evaluate(IncomingMail mail) {
        List<Score> scores = new ArrayList<>(1);
        for (Attachment attachment : mail.content().attachments()) {
            String label = attachment.fileName().orElse("unnamed " + attachment.effectiveType());
            Optional<String> kind = Executables.kind(attachment.fileName(), attachment.effectiveType());
            if (kind.isPresent()) {
                double value = kind.get().equals("program") ? PROGRAM : MACROS;
                scores.add(new Score(NAME, Dimension.SPAM, value, kind.get() + " attached: " + label));
                break;
            }
            if (attachment.problem().filter(p -> p.startsWith(Executables.INSIDE_ARCHIVE)).isPresent()) {
                scores.add(new Score(NAME, Dimension.SPAM, PROGRAM, label + ": " + attachment.problem().get()));
                break;
            }
        }
        return scores;
    }
}
