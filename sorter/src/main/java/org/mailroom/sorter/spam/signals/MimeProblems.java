package org.mailroom.sorter.spam.signals;

import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.MailContent;

/** Broken MIME structure, as the parser reported it (spam tools often write malformed MIME). */
public final class MimeProblems implements StructureCheck {

    @Override
    public void check(MailContent content, SessionFacts session, FactSink sink) {
        for (String problem : content.problems()) {
            if (problem.startsWith("unparseable")) {
                sink.fact("mime-unparseable", "MIME structure cannot be parsed");
            } else if (problem.startsWith("multipart without parts")) {
                sink.fact("mime-empty-multipart", "multipart message without parts");
            } else if (problem.contains("nesting")) {
                sink.fact("mime-deep", "MIME nested unusually deep");
            }
        }
    }
}
