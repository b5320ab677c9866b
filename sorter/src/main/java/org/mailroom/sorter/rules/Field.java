package org.mailroom.sorter.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.message.Attachment;
import org.mailroom.sorter.message.MailAddress;

/** What part of a message a {@link FieldTest} looks at, as the list of text values the matcher is applied to. */
public enum Field {
    FROM("from"), TO("to"), CC("cc"), REPLY_TO("reply-to"), SENDER("sender"), MAILFROM("mailfrom"),
    SUBJECT("subject"), LIST_ID("list-id"), HEADER("header"), ATTACHMENT_TYPE("attachment type"),
    ATTACHMENT_NAME("attachment name"), DNSBL("dnsbl"), SPF("spf");

    private final String word;

    Field(String word) {
        this.word = word;
    }

    /** The field as written in a rule. */
    public String word() {
        return word;
    }

    /** Whether values are mailboxes ({@code Name <address>}), so {@code is} and {@code domain} see the address. */
    boolean holdsAddresses() {
        return this == FROM || this == TO || this == CC || this == REPLY_TO || this == SENDER || this == MAILFROM;
    }

    /** The values of this field in {@code mail}; {@code headerName} is used by {@link #HEADER} only. */
    List<String> values(IncomingMail mail, Optional<String> headerName) {
        return switch (this) {
            case FROM -> mailboxes(mail.content().from());
            case TO -> mailboxes(mail.content().to());
            case CC -> mailboxes(mail.content().cc());
            case REPLY_TO -> mailboxes(mail.content().replyTo());
            case SENDER -> mailboxes(mail.content().addresses("Sender"));
            case MAILFROM -> mail.mailFrom().map(List::of).orElse(List.of());
            case SUBJECT -> mail.content().header("Subject").map(List::of).orElse(List.of());
            case LIST_ID -> mail.content().headerValues("List-Id");
            case HEADER -> mail.content().headerValues(headerName.orElseThrow());
            case ATTACHMENT_TYPE -> attachmentTypes(mail);
            case ATTACHMENT_NAME -> mail.content().attachments().stream()
                .flatMap(a -> a.fileName().stream()).toList();
            case DNSBL -> mail.session().dnsblZones();
            case SPF -> mail.session().spf().map(List::of).orElse(List.of());
        };
    }

    /** Declared and detected types both count: a rule on "application/pdf" should catch a PDF either way. */
    private static List<String> attachmentTypes(IncomingMail mail) {
        List<String> types = new ArrayList<>();
        for (Attachment attachment : mail.content().attachments()) {
            types.add(attachment.declaredType());
            attachment.detectedType().filter(t -> !t.equals(attachment.declaredType())).ifPresent(types::add);
        }
        return types;
    }

    private static List<String> mailboxes(List<MailAddress> addresses) {
        List<String> values = new ArrayList<>(addresses.size());
        for (MailAddress address : addresses) {
            values.add(address.displayName().isEmpty() ? address.address()
                : address.displayName() + " <" + address.address() + ">");
        }
        return values;
    }

    /** The field named by {@code word} (lower case), if any. */
    static Optional<Field> byWord(String word) {
        for (Field field : values()) {
            if (field.word.equals(word.toLowerCase(Locale.ROOT))) {
                return Optional.of(field);
            }
        }
        return Optional.empty();
    }
}
