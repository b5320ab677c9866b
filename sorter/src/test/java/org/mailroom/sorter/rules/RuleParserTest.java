package org.mailroom.sorter.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailroom.sorter.Category;
import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.TestMail;

class RuleParserTest {

    private final RuleParser parser = new RuleParser();

    private static final IncomingMail STATEMENT = TestMail.of("""
        From: "Bank Statements" <statements@mail.bank.example>
        To: alice@example.test
        Cc: bob@example.test, carol@other.test
        Subject: Your monthly statement
        List-Id: <news.bank.example>
        X-Campaign: spring-2026
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: text/plain

        See attached.
        --b
        Content-Type: application/pdf
        Content-Disposition: attachment; filename="statement.pdf"

        %PDF-1.4
        --b--
        """);

    private boolean matches(String rule) throws RuleSyntaxException {
        return parser.parseRule(rule, "test:1").matches(STATEMENT);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "if from domain \"bank.example\" and subject contains \"statement\" then priority | true",
        "if from domain bank.example then priority | true",
        "if from domain \"ank.example\" then priority | false",
        "if from is \"statements@mail.bank.example\" then inbox | true",
        "if from contains \"Bank Statements\" then inbox | true",
        "if from matches \"^bank\" then inbox | true",
        "if from matches \"^statements@\" then inbox | false",
        "if to is alice@example.test then inbox | true",
        "if cc domain other.test then inbox | true",
        "if cc is dave@example.test then inbox | false",
        "if subject is \"your MONTHLY statement\" then inbox | true",
        "if header \"X-Campaign\" contains spring then spam | true",
        "if header X-Missing exists then spam | false",
        "if not header X-Missing exists then spam | true",
        "if list-id contains \"news.bank\" then inbox | true",
        "if size > 100 then inbox | true",
        "if size > 1M then inbox | false",
        "if size <= 10K then inbox | true",
        "if attachment type is \"application/pdf\" then inbox | true",
        "if attachment name matches \"\\.pdf$\" then inbox | true",
        "if attachment exists then inbox | true",
        "if dnsbl listed then spam | false",
        "if spf is fail then spam | false",
        "if subject contains nothing or from domain bank.example then inbox | true",
        "if subject contains nothing or (from domain bank.example and not cc exists) then inbox | false",
        "if all(from domain bank.example, subject contains statement, size < 1M) then inbox | true",
        "if any(from domain nowhere.test, subject contains weekly) then inbox | false",
        "If FROM Domain bank.example THEN Priority, keyword $Bank, stop | true",
    })
    void conditionsMatchAsDocumented(String rule, boolean expected) throws RuleSyntaxException {
        assertThat(matches(rule)).as(rule).isEqualTo(expected);
    }

    @Test
    void sessionFactsAreConditionsToo() throws RuleSyntaxException {
        IncomingMail listed = TestMail.of("Subject: x\n\nbody\n", TestMail.listedAndFailing());
        assertThat(parser.parseRule("if dnsbl listed then spam", "t:1").matches(listed)).isTrue();
        assertThat(parser.parseRule("if dnsbl contains spamhaus then spam", "t:1").matches(listed)).isTrue();
        assertThat(parser.parseRule("if spf is fail then spam", "t:1").matches(listed)).isTrue();
        assertThat(parser.parseRule("if spf is pass then spam", "t:1").matches(listed)).isFalse();
    }

    @Test
    void actionsAreReadInOrder() throws RuleSyntaxException {
        Rule rule = parser.parseRule("if from domain x.test then fileinto \"Lists/X Y\", keyword $X, spam, stop",
            "f:7");
        assertThat(rule.actions()).containsExactly(new Action.FileInto("Lists/X Y"), new Action.Keyword("$X"),
            new Action.Place(Category.SPAM), new Action.Stop());
        assertThat(rule.origin()).isEqualTo("f:7");
        assertThat(rule.decides()).isTrue();
        assertThat(parser.parseRule("if from exists then keyword $Seen-By-Rule", "f:1").decides()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "from domain x then spam | f:3: column 1: a rule starts with 'if', found 'from'",
        "if then spam | f:3: column 4: unknown field 'then'",
        "if frm domain x then spam | f:3: column 4: unknown field 'frm'",
        "if from has x then spam | f:3: column 9: unknown matcher 'has'",
        "if from domain then spam | f:3: column 16: expected a text after 'domain', found 'then'",
        "if from domain x spam | f:3: column 18: expected 'and', 'or' or 'then', found 'spam'",
        "if from domain x then | f:3: expected an action (priority, inbox, spam, fileinto, keyword, stop) at the end of the rule",
        "if from domain x then delete | f:3: column 23: unknown action 'delete'",
        "if from domain x then spam spam | f:3: column 28: unexpected 'spam' after the actions",
        "if from domain x then spam, priority | f:3: a rule can name at most one of priority/inbox/spam",
        "if subject matches \"(unclosed\" then spam | f:3: column 20: bad regular expression",
        "if subject contains \"open then spam | f:3: column 21: string not closed",
        "if size > lots then spam | f:3: column 11: not a size: 'lots'",
        "if size = 5 then spam | f:3: column 9: expected >, >=, < or <= after 'size'",
        "if (from domain x then spam | f:3: column 19: expected ')', found 'then'",
        "if all(from domain x then spam | f:3: column 22: expected ',' or ')' to close all(",
        "if from domain x then keyword \"two words\" | f:3: column 31: not an IMAP keyword",
        "if from domain x then fileinto \"\" | f:3: column 32: expected a folder name",
        "if header \"Bad Name\" exists then spam | f:3: column 11: not a header name",
        "if from | f:3: expected a matcher (contains, is, matches, domain, exists) after 'from' at the end of the rule",
    })
    void everyErrorNamesFileLineAndColumn(String rule, String expected) {
        assertThatThrownBy(() -> parser.parseRule(rule, "f:3"))
            .isInstanceOf(RuleSyntaxException.class)
            .hasMessageStartingWith(expected);
    }

    @Test
    void aFileReportsEveryBadLineWithItsNumberAndSkipsCommentsAndContinuations() {
        List<String> lines = List.of(
            "# comment",
            "",
            "if from domain a.test then priority",
            "if from domain b.test \\",
            "   and subject contains x then spam",
            "if nonsense",
            "  # indented comment",
            "if from domain c.test then explode");
        assertThatThrownBy(() -> parser.parseFile("conf/rules", lines))
            .isInstanceOfSatisfying(RuleSyntaxException.class, e -> assertThat(e.problems()).containsExactly(
                "conf/rules:6: column 4: unknown field 'nonsense' (expected from, to, cc, reply-to, sender, "
                    + "mailfrom, subject, list-id, header \"Name\", size, attachment, dnsbl, spf, not, all, any "
                    + "or '(')",
                "conf/rules:8: column 28: unknown action 'explode' (expected priority, inbox, spam, fileinto "
                    + "\"Folder\", keyword $X or stop)"));
    }

    @Test
    void continuedRulesKeepTheirFirstLine() throws RuleSyntaxException {
        List<Rule> rules = parser.parseFile("r", List.of("# x", "if from domain b.test \\", " and size > 1 \\",
            "  then spam", "if to exists then inbox"));
        assertThat(rules).extracting(Rule::origin).containsExactly("r:2", "r:5");
        assertThat(rules.get(0).text()).isEqualTo("if from domain b.test  and size > 1  then spam");
    }
}
