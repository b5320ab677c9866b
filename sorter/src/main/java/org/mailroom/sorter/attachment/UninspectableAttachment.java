package org.mailroom.sorter.attachment;

import java.util.List;

import org.mailroom.sorter.Dimension;
import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.Score;
import org.mailroom.sorter.Signal;
import org.mailroom.sorter.message.Attachment;

/**
 * Spam evidence from attachments built to defeat inspection: zip bombs (strong), and documents whose text could not
 * be extracted (weak: honest mail has broken PDFs too). A timeout is not scored: a busy server times out honest
 * files as well. Deep MIME nesting, reported by the parser,
 * counts as an attempt to hide content as well.
 */
public final class UninspectableAttachment implements Signal {

    static final String NAME = "attachment-uninspectable";
    private static final double BOMB = 3.0;
    private static final double BROKEN = 0.5;
    private static final double NESTING = 1.5;

    @Override
    public List<Score> evaluate(IncomingMail mail) {
        for (Attachment attachment : mail.content().attachments()) {
            if (attachment.problem().isEmpty() || attachment.problem().get().startsWith(Executables.INSIDE_ARCHIVE)
                || attachment.problem().get().startsWith(AttachmentInspector.TIMED_OUT)) {
                continue;
            }
            String problem = attachment.problem().get();
            String label = attachment.fileName().orElse("unnamed " + attachment.effectiveType());
            double value = problem.startsWith("zip bomb") || problem.startsWith("archive inflates") ? BOMB : BROKEN;
            return List.of(new Score(NAME, Dimension.SPAM, value, label + ": " + problem));
        }
        for (String problem : mail.content().problems()) {
            if (problem.startsWith("MIME nesting deeper")) {
                return List.of(new Score(NAME, Dimension.SPAM, NESTING, problem));
            }
        }
        return List.of();
    }
}
