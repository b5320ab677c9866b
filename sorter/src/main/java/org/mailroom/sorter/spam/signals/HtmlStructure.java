package org.mailroom.sorter.spam.signals;

import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.MailContent;

/** HTML-only bodies (no plain alternative), HTML with almost no text, and link-heavy mail. */
public final class HtmlStructure implements StructureCheck {

    @Override
    public void check(MailContent content, SessionFacts session, FactSink sink) {
        if (content.hasHtml() && !content.hasPlain()) {
            sink.fact("html-only", "HTML body without a plain-text alternative");
            if (content.htmlText().strip().length() < 200) {
                sink.fact("html-little-text", "HTML body with under 200 characters of visible text");
            }
        }
        int links = content.links().size();
        if (links >= 10) {
            sink.fact("many-links", links + " links in the HTML body");
        }
        if (!content.hasHtml() && !content.hasPlain() && !content.attachments().isEmpty()) {
            sink.fact("no-text-body", "no text body, only attachments");
        }
    }
}
