package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.james.core.Username;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxAnnotation;
import org.apache.james.mailbox.model.MailboxAnnotationKey;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.model.search.MailboxQuery;
import org.apache.james.mailbox.model.search.Wildcard;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/**
 * Behaviour that must not depend on the SQL engine (or, on PostgreSQL, on the database's collation), beyond what
 * James's contract suites check. The PostgreSQL twin runs the same tests.
 */
class JdbcPortabilityTest {
    private static final Username BOB = Username.of("bob@example.org");

    private Database db;
    private JdbcMailboxMapper mailboxes;

    /** The database this suite runs on, emptied; the PostgreSQL twin overrides it. */
    protected Database database() {
        return TestDatabases.derby();
    }

    @BeforeEach
    void setUp() {
        db = database();
        mailboxes = new JdbcMailboxMapper(db);
    }

    @Test
    void mailboxesAreListedInCodePointOrderWhateverTheCollation() {
        // A linguistic collation (en_US, ICU) would put "a-b" after "a" and "B" after "ab"; Derby never does.
        List<String> names = List.of("ab", "B", "a-b", "a", "Z", "\u00e9t\u00e9", "INBOX", "a.b");
        for (String name : names) {
            mailboxes.create(MailboxPath.forUser(BOB, name), UidValidity.of(1)).block();
        }
        MailboxQuery.UserBound all = MailboxQuery.builder()
            .userAndNamespaceFrom(MailboxPath.forUser(BOB, "INBOX"))
            .expression(Wildcard.INSTANCE)
            .build()
            .asUserBound();

        List<String> listed = mailboxes.findMailboxWithPathLike(all).map(Mailbox::getName).collectList().block();

        assertThat(listed).containsExactlyElementsOf(names.stream().sorted().collect(Collectors.toList()));
    }

    @Test
    void longAnnotationValuesAndAclsRoundTrip() {
        Mailbox box = mailboxes.create(MailboxPath.forUser(BOB, "big"), UidValidity.of(1)).block();
        JdbcAnnotationMapper annotations = new JdbcAnnotationMapper(db);
        MailboxAnnotationKey key = new MailboxAnnotationKey("/private/comment");
        String value = "\u00e9\u4e2d\ud83d\ude00 ".repeat(20_000);

        annotations.insertAnnotation(box.getMailboxId(), MailboxAnnotation.newInstance(key, value));

        assertThat(annotations.getAllAnnotations(box.getMailboxId()))
            .containsExactly(MailboxAnnotation.newInstance(key, value));
    }

    @Test
    void annotationValueWithANulCharacterIsRefusedOnEveryEngine() {
        Mailbox mailbox = mailboxes.create(MailboxPath.forUser(BOB, "INBOX"), UidValidity.of(1)).block();
        JdbcAnnotationMapper annotations = new JdbcAnnotationMapper(db);
        MailboxAnnotation withNul = MailboxAnnotation.newInstance(new MailboxAnnotationKey("/private/comment"), "a\0b");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> annotations.insertAnnotation(mailbox.getMailboxId(), withNul))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("NUL");
        assertThat(annotations.getAllAnnotations(mailbox.getMailboxId())).isEmpty();
    }
}
