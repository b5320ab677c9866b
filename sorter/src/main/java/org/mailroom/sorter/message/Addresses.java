package org.mailroom.sorter.message;

import java.util.List;

import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.LenientAddressParser;

/** Parses address header values with mime4j's lenient parser (real mail is full of broken address lists). */
final class Addresses {

    private Addresses() {
    }

    static List<MailAddress> parse(String value) {
        try {
            return LenientAddressParser.DEFAULT.parseAddressList(value).flatten().stream()
                .filter(mailbox -> mailbox.getLocalPart() != null && !mailbox.getLocalPart().isBlank())
                .map(Addresses::toMailAddress)
                .toList();
        } catch (RuntimeException unparseable) {
            return List.of();
        }
    }

    private static MailAddress toMailAddress(Mailbox mailbox) {
        String name = mailbox.getName() == null ? "" : DecoderUtil.decodeEncodedWords(mailbox.getName(), DecodeMonitor.SILENT);
        return new MailAddress(mailbox.getAddress(), name.strip());
    }
}
