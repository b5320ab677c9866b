package org.mailroom.sorter.spam.signals;

import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.MailContent;

/** Subjects written to shout: mostly capitals, runs of exclamation marks, money signs. */
public final class SubjectShape implements StructureCheck {

    @Override
    public void check(MailContent content, SessionFacts session, FactSink sink) {
        String subject = content.subject();
        int letters = 0;
        int upper = 0;
        for (int i = 0; i < subject.length(); i++) {
            char c = subject.charAt(i);
            if (Character.isLetter(c)) {
                letters++;
                if (Character.isUpperCase(c)) {
                    upper++;
                }
            }
        }
        if (letters >= 10 && upper * 10 >= letters * 8) {
            sink.fact("subject-capitals", "Subject mostly in capitals");
        }
        if (subject.contains("!!")) {
            sink.fact("subject-exclamations", "Subject with repeated exclamation marks");
        }
        if (subject.indexOf('$') >= 0) {
            sink.fact("subject-money", "Subject with a $ sign");
        }
    }
}
