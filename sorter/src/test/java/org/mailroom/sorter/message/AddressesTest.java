package org.mailroom.sorter.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class AddressesTest {

    @Test
    void bareAddressesTakeThePlainFormAndAgreeWithMime4j() {
        for (String value : List.of("<sender@load.test>", "sender@load.test", "  <Alice.Smith@Example.ORG>\t",
            "a+tag@mail.example-one.org", "o'brien@x.ie", "x!#$%&'*+/=?^_`{|}~-y@d.example", "1@2")) {
            MailAddress plain = Addresses.plainMailbox(value);
            assertNotNull(plain, value);
            assertEquals(Addresses.parsedByMime4j(value), List.of(plain), value);
            assertEquals(List.of(plain), Addresses.parse(value), value);
        }
        assertEquals("alice.smith@example.org", Addresses.plainMailbox("<Alice.Smith@Example.ORG>").address());
    }

    @Test
    void everythingElseGoesToMime4j() {
        for (String value : List.of("Alice <a@b.example>", "\"Alice\" <a@b.example>", "a@b.example (Alice)",
            "a@b.example, c@d.example", "<a@b.example>, c@d.example", "a..b@c.example", ".a@c.example",
            "a.@c.example", "a@c..example", "a@c.example.", "a@b@c", "<a@b.example", "a@b.example>",
            "<@route:a@b.example>", "group: a@b.example;", "a@[192.0.2.1]", "=?utf-8?q?x?= <a@b.example>", "", "<>",
            "a", "@b.example", "a@", "a b@c.example", "\"a b\"@c.example", "a@b_c.example")) {
            assertNull(Addresses.plainMailbox(value), value);
            assertEquals(Addresses.parsedByMime4j(value), Addresses.parse(value), value);
        }
    }

    /** Random values over the characters that matter to address syntax: the plain form never disagrees with mime4j. */
    @Test
    void thePlainFormNeverDisagreesWithMime4j() {
        String alphabet = "aZ09.@<> \t\"()[],;:\\!#$%&'*+/=?^_`{|}~-é";
        Random random = new Random(4);
        int plain = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder value = new StringBuilder();
            int length = 1 + random.nextInt(14);
            for (int j = 0; j < length; j++) {
                // letters most of the time, so that many values are addresses
                value.append(random.nextInt(3) == 0 ? alphabet.charAt(random.nextInt(alphabet.length()))
                    : (char) ('a' + random.nextInt(3)));
            }
            if (random.nextBoolean()) {
                value.insert(random.nextInt(value.length() + 1), '@');
            }
            String v = value.toString();
            MailAddress fast = Addresses.plainMailbox(v);
            if (fast != null) {
                plain++;
                assertEquals(Addresses.parsedByMime4j(v), List.of(fast), v);
            }
        }
        // the comparison must have covered the plain form many times
        assertEquals(true, plain > 10_000, "plain values: " + plain);
    }
}
