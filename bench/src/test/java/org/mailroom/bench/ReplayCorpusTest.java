package org.mailroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A held-out replay corpus that differs from dev in form must still replay, row problems named, not fatal. */
class ReplayCorpusTest {

    @TempDir
    Path root;

    @Test
    void readsTheDevLayout() throws IOException {
        write("users.tsv", "user\town_addresses\tdelegate_addresses\nkay-m\tKay.Mann@enron.com, kay@enron.com\t\n");
        write("kay-m/events.tsv", "seq\tdate_utc\tkind\tpath\tlabel\n"
            + "1\t2001-05-14T16:39:00Z\tINCOMING\tinbox/1.eml\timportant\n"
            + "2\t2001-05-14T17:00:00Z\tSENT\tsent/1.eml\t\n");
        write("kay-m/inbox/1.eml", "Subject: a\r\n\r\nhello\r\n");
        write("kay-m/sent/1.eml", "Subject: Re: a\r\n\r\nhi\r\n");

        ReplayCorpus corpus = ReplayCorpus.open(root);
        ReplayCorpus.User kay = corpus.users().get(0);
        assertThat(kay.own()).containsExactlyInAnyOrder("kay.mann@enron.com", "kay@enron.com");
        assertThat(kay.primary()).isEqualTo("kay-m@replay.invalid");
        List<ReplayCorpus.Event> events = corpus.events(root, kay);
        assertThat(events).extracting(ReplayCorpus.Event::incoming).containsExactly(true, false);
        assertThat(events.get(0).label()).isEqualTo("important");
        assertThat(events.get(0).at()).isEqualTo(Instant.parse("2001-05-14T16:39:00Z"));
        assertThat(corpus.problems()).isEmpty();
    }

    @Test
    void toleratesOtherFormsAndSkipsBadRowsByName() throws IOException {
        // Windows line endings, a byte-order mark, columns in another order, a user without a folder
        write("users.tsv", "\uFEFFown_addresses\tuser\r\na@x.com\tone\r\nb@x.com\tmissing\r\n");
        write("one/events.tsv", "label\tkind\tpath\tdate_utc\tseq\r\n"
            + "Normal\tincoming\tinbox/1.eml\t2001-05-14 16:39:00\t1\r\n"      // space, no zone, capitals
            + "normal\tINCOMING\tinbox/gone.eml\t2001-05-14T16:40:00Z\t2\r\n"  // the file is missing
            + "normal\tINCOMING\tinbox/1.eml\tyesterday\t3\r\n"                // not a date
            + "\tFORWARDED\tinbox/1.eml\t2001-05-14T16:41:00Z\t4\r\n"           // unknown kind
            + "normal\tINCOMING\r\n");                                             // too few columns
        write("one/inbox/1.eml", "Subject: a\r\n\r\nhello\r\n");

        ReplayCorpus corpus = ReplayCorpus.open(root);
        assertThat(corpus.users()).extracting(ReplayCorpus.User::name).containsExactly("one", "missing");
        List<ReplayCorpus.Event> events = corpus.events(root, corpus.users().get(0));
        assertThat(events).hasSize(1);
        assertThat(events.get(0).label()).isEqualTo("normal");
        assertThat(events.get(0).incoming()).isTrue();
        assertThat(events.get(0).at()).isEqualTo(Instant.parse("2001-05-14T16:39:00Z"));
        assertThat(corpus.events(root, corpus.users().get(1))).isEmpty();

        assertThat(corpus.problems()).hasSize(5);
        assertThat(corpus.problems().get(0)).contains("events.tsv:3: ").contains("gone.eml is missing");
        assertThat(corpus.problems().get(1)).contains("events.tsv:4: ").contains("yesterday");
        assertThat(corpus.problems().get(2)).contains("events.tsv:5: ").contains("FORWARDED");
        assertThat(corpus.problems().get(3)).contains("events.tsv:6: ").contains("fewer columns");
        assertThat(corpus.problems().get(4)).contains("missing").contains("skipped");
    }

    private void write(String name, String text) throws IOException {
        Path file = root.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
