package org.mailroom.sorter.spam.signals;

import java.util.List;

import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.MailContent;

/** Every structure check, in one list, run as one. */
public final class StructureChecks implements StructureCheck {
    private final List<StructureCheck> checks;

    public StructureChecks(List<StructureCheck> checks) {
        this.checks = List.copyOf(checks);
    }

    /** The standard set. */
    public static StructureChecks standard() {
        return new StructureChecks(List.of(new MissingHeaders(), new SenderMismatch(), new MessageIdShape(),
            new HtmlStructure(), new LinkTextMismatch(), new SpfResult(), new SubjectShape(), new MimeProblems()));
    }

    @Override
    public void check(MailContent content, SessionFacts session, FactSink sink) {
        for (StructureCheck check : checks) {
            try {
                check.check(content, session, sink);
            } catch (RuntimeException e) {
                // A check that trips over an odd message says nothing about it; the others still run.
            }
        }
    }
}
