package org.mailroom.sorter.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.mailroom.sorter.Category;

/**
 * Reads the rules language (documented in {@code conf/rules}): one rule a line, {@code if CONDITION then ACTIONS},
 * {@code #} comments, a trailing {@code \} continues a rule on the next line. A small recursive-descent parser:
 *
 * <pre>
 * rule    := "if" or "then" action ("," action)*
 * or      := and ("or" and)*
 * and     := unary ("and" unary)*
 * unary   := "not" unary | "(" or ")" | ("all" | "any") "(" or ("," or)* ")" | test
 * test    := "size" (">" | ">=" | "<" | "<=") SIZE
 *          | field ("contains" | "is" | "matches" | "domain") TEXT | field ("exists" | "listed")
 * field   := from | to | cc | reply-to | sender | mailfrom | subject | list-id | header TEXT
 *          | attachment type | attachment name | attachment | dnsbl | spf
 * action  := priority | inbox | spam | fileinto TEXT | keyword TEXT | stop
 * </pre>
 *
 * TEXT is a "double-quoted string" (with {@code \"} and {@code \\}) or a single word without spaces.
 */
public final class RuleParser {

    private static final Pattern KEYWORD = Pattern.compile("[A-Za-z0-9$_.\\-]+");

    /** Parses a whole file; {@code name} is how errors name it. All problems are reported, not just the first. */
    public List<Rule> parseFile(String name, List<String> lines) throws RuleSyntaxException {
        List<Rule> rules = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        int startLine = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.strip();
            if (pending.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                continue;
            }
            if (pending.isEmpty()) {
                startLine = i + 1;
            }
            if (trimmed.endsWith("\\") && !trimmed.endsWith("\\\\")) {
                pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
                if (i + 1 < lines.size()) {
                    continue;
                }
            } else {
                pending.append(trimmed);
            }
            String origin = name + ":" + startLine;
            try {
                rules.add(parseRule(pending.toString().strip(), origin));
            } catch (RuleSyntaxException e) {
                problems.addAll(e.problems());
            }
            pending.setLength(0);
        }
        if (!problems.isEmpty()) {
            throw new RuleSyntaxException(problems);
        }
        return rules;
    }

    /** Parses one rule; {@code origin} ({@code file:line}) prefixes the error. */
    public Rule parseRule(String text, String origin) throws RuleSyntaxException {
        try {
            List<Token> tokens = Lexer.tokens(text);
            return new Parse(tokens, text, origin).rule();
        } catch (SyntaxError e) {
            throw new RuleSyntaxException(List.of(origin + ": " + e.getMessage()));
        }
    }

    /** A problem at one place of a rule. */
    private static final class SyntaxError extends RuntimeException {
        SyntaxError(String message) {
            super(message, null, false, false);
        }
    }

    /** A word, a quoted string, or a punctuation mark; {@code column} is 1-based, for messages. */
    private record Token(String text, boolean quoted, int column) {
        boolean is(String word) {
            return !quoted && text.equalsIgnoreCase(word);
        }

        String shown() {
            return quoted ? '"' + text + '"' : "'" + text + "'";
        }
    }

    private static final class Lexer {
        static List<Token> tokens(String text) {
            List<Token> tokens = new ArrayList<>();
            int i = 0;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '#') {
                    break;
                } else if (c == '"') {
                    int start = i;
                    StringBuilder value = new StringBuilder();
                    i++;
                    boolean closed = false;
                    while (i < text.length()) {
                        char d = text.charAt(i);
                        if (d == '\\' && i + 1 < text.length()) {
                            value.append(text.charAt(i + 1));
                            i += 2;
                        } else if (d == '"') {
                            closed = true;
                            i++;
                            break;
                        } else {
                            value.append(d);
                            i++;
                        }
                    }
                    if (!closed) {
                        throw new SyntaxError("column " + (start + 1) + ": string not closed (missing \")");
                    }
                    tokens.add(new Token(value.toString(), true, start + 1));
                } else if (c == '(' || c == ')' || c == ',') {
                    tokens.add(new Token(String.valueOf(c), false, i + 1));
                    i++;
                } else if (c == '<' || c == '>') {
                    boolean equals = i + 1 < text.length() && text.charAt(i + 1) == '=';
                    tokens.add(new Token(equals ? c + "=" : String.valueOf(c), false, i + 1));
                    i += equals ? 2 : 1;
                } else {
                    int start = i;
                    while (i < text.length() && !Character.isWhitespace(text.charAt(i))
                        && "(),\"<>".indexOf(text.charAt(i)) < 0) {
                        i++;
                    }
                    tokens.add(new Token(text.substring(start, i), false, start + 1));
                }
            }
            return tokens;
        }
    }

    private static final class Parse {
        private final List<Token> tokens;
        private final String text;
        private final String origin;
        private int position;

        Parse(List<Token> tokens, String text, String origin) {
            this.tokens = tokens;
            this.text = text;
            this.origin = origin;
        }

        Rule rule() {
            expectWord("if", "a rule starts with 'if'");
            Condition condition = or();
            expectWord("then", "expected 'and', 'or' or 'then'");
            List<Action> actions = new ArrayList<>();
            actions.add(action());
            while (peekIs(",")) {
                position++;
                actions.add(action());
            }
            if (position < tokens.size()) {
                throw error(tokens.get(position), "unexpected " + tokens.get(position).shown()
                    + " after the actions (separate actions with ',')");
            }
            long places = actions.stream().filter(a -> a instanceof Action.Place).count();
            long folders = actions.stream().filter(a -> a instanceof Action.FileInto).count();
            if (places > 1 || folders > 1) {
                throw new SyntaxError("a rule can name at most one of priority/inbox/spam and one fileinto");
            }
            return new Rule(condition, actions, origin, text);
        }

        private Condition or() {
            List<Condition> any = new ArrayList<>();
            any.add(and());
            while (peekIs("or")) {
                position++;
                any.add(and());
            }
            return any.size() == 1 ? any.get(0) : new Condition.Any(any);
        }

        private Condition and() {
            List<Condition> all = new ArrayList<>();
            all.add(unary());
            while (peekIs("and")) {
                position++;
                all.add(unary());
            }
            return all.size() == 1 ? all.get(0) : new Condition.All(all);
        }

        private Condition unary() {
            Token token = next("a condition");
            if (token.is("not")) {
                return new Condition.Not(unary());
            }
            if (token.is("(")) {
                Condition inner = or();
                expectWord(")", "expected ')'");
                return inner;
            }
            if ((token.is("all") || token.is("any")) && peekIs("(")) {
                position++;
                List<Condition> group = new ArrayList<>();
                group.add(or());
                while (peekIs(",")) {
                    position++;
                    group.add(or());
                }
                expectWord(")", "expected ',' or ')' to close " + token.text() + "(");
                return token.is("all") ? new Condition.All(group) : new Condition.Any(group);
            }
            if (token.is("size")) {
                return size();
            }
            return test(token);
        }

        private Condition size() {
            Token comparison = next("a comparison (>, >=, <, <=) after 'size'");
            if (!List.of(">", ">=", "<", "<=").contains(comparison.text()) || comparison.quoted()) {
                throw error(comparison, "expected >, >=, < or <= after 'size', found " + comparison.shown());
            }
            Token amount = next("a size such as 100K or 5M");
            return new SizeTest(comparison.text(), bytes(amount));
        }

        private long bytes(Token amount) {
            String value = amount.text().toUpperCase(Locale.ROOT);
            long unit = 1;
            if (value.endsWith("B")) {
                value = value.substring(0, value.length() - 1);
            }
            if (value.endsWith("K")) {
                unit = 1024;
            } else if (value.endsWith("M")) {
                unit = 1024 * 1024;
            } else if (value.endsWith("G")) {
                unit = 1024L * 1024 * 1024;
            }
            String digits = unit == 1 ? value : value.substring(0, value.length() - 1);
            try {
                long number = Long.parseLong(digits);
                if (number < 0) {
                    throw new NumberFormatException();
                }
                return Math.multiplyExact(number, unit);
            } catch (NumberFormatException | ArithmeticException e) {
                throw error(amount, "not a size: " + amount.shown() + " (write e.g. 500, 100K, 5M)");
            }
        }

        private Condition test(Token fieldToken) {
            Field field;
            Optional<String> headerName = Optional.empty();
            if (fieldToken.is("header")) {
                Token name = next("a header name after 'header'");
                if (!name.text().matches("[!-9;-~]+")) {
                    throw error(name, "not a header name: " + name.shown());
                }
                headerName = Optional.of(name.text());
                field = Field.HEADER;
            } else if (fieldToken.is("attachment")) {
                if (peekIs("type") || peekIs("name")) {
                    field = tokens.get(position++).is("type") ? Field.ATTACHMENT_TYPE : Field.ATTACHMENT_NAME;
                } else {
                    // "attachment exists": any attachment at all.
                    field = Field.ATTACHMENT_TYPE;
                }
            } else {
                field = fieldToken.quoted() ? null : Field.byWord(fieldToken.text()).orElse(null);
                if (field == null || field == Field.ATTACHMENT_TYPE || field == Field.ATTACHMENT_NAME) {
                    throw error(fieldToken, "unknown field " + fieldToken.shown() + " (expected from, to, cc, "
                        + "reply-to, sender, mailfrom, subject, list-id, header \"Name\", size, attachment, dnsbl, "
                        + "spf, not, all, any or '(')");
                }
            }
            Token matcherToken = next("a matcher (contains, is, matches, domain, exists) after '"
                + field.word() + "'");
            FieldTest.Matcher matcher = matcher(matcherToken);
            if (matcher == FieldTest.Matcher.EXISTS) {
                return new FieldTest(field, headerName, matcher, "", Optional.empty());
            }
            Token argument = next("a text after '" + matcherToken.text() + "'");
            if (!argument.quoted() && isPunctuation(argument)) {
                throw error(argument, "expected a text after '" + matcherToken.text() + "', found "
                    + argument.shown());
            }
            Optional<Pattern> pattern = Optional.empty();
            if (matcher == FieldTest.Matcher.MATCHES) {
                try {
                    pattern = Optional.of(Pattern.compile(argument.text(),
                        Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
                } catch (PatternSyntaxException e) {
                    throw error(argument, "bad regular expression " + argument.shown() + ": "
                        + e.getDescription());
                }
            }
            if (matcher == FieldTest.Matcher.DOMAIN && argument.text().isBlank()) {
                throw error(argument, "empty domain");
            }
            return new FieldTest(field, headerName, matcher, argument.text(), pattern);
        }

        private FieldTest.Matcher matcher(Token token) {
            if (!token.quoted()) {
                switch (token.text().toLowerCase(Locale.ROOT)) {
                    case "contains": return FieldTest.Matcher.CONTAINS;
                    case "is": return FieldTest.Matcher.IS;
                    case "matches": return FieldTest.Matcher.MATCHES;
                    case "domain": return FieldTest.Matcher.DOMAIN;
                    case "exists", "listed": return FieldTest.Matcher.EXISTS;
                    default: break;
                }
            }
            throw error(token, "unknown matcher " + token.shown()
                + " (expected contains, is, matches, domain or exists)");
        }

        private Action action() {
            Token token = next("an action (priority, inbox, spam, fileinto, keyword, stop)");
            if (token.is("priority")) {
                return new Action.Place(Category.PRIORITY);
            }
            if (token.is("inbox")) {
                return new Action.Place(Category.INBOX);
            }
            if (token.is("spam")) {
                return new Action.Place(Category.SPAM);
            }
            if (token.is("stop")) {
                return new Action.Stop();
            }
            if (token.is("fileinto")) {
                Token folder = next("a folder name after 'fileinto'");
                if (folder.text().isBlank() || (!folder.quoted() && isPunctuation(folder))) {
                    throw error(folder, "expected a folder name after 'fileinto', found " + folder.shown());
                }
                return new Action.FileInto(folder.text());
            }
            if (token.is("keyword")) {
                Token keyword = next("a keyword such as $Work after 'keyword'");
                if (!KEYWORD.matcher(keyword.text()).matches()) {
                    throw error(keyword, "not an IMAP keyword: " + keyword.shown()
                        + " (letters, digits and $-_. only, no spaces)");
                }
                return new Action.Keyword(keyword.text());
            }
            throw error(token, "unknown action " + token.shown()
                + " (expected priority, inbox, spam, fileinto \"Folder\", keyword $X or stop)");
        }

        /** Punctuation and the connecting words cannot be unquoted texts ({@code "then"} can be quoted). */
        private static boolean isPunctuation(Token token) {
            return List.of("(", ")", ",", "<", ">", "<=", ">=", "then", "and", "or")
                .contains(token.text().toLowerCase(Locale.ROOT));
        }

        private Token next(String expected) {
            if (position >= tokens.size()) {
                throw new SyntaxError("expected " + expected + " at the end of the rule");
            }
            return tokens.get(position++);
        }

        private boolean peekIs(String word) {
            return position < tokens.size() && tokens.get(position).is(word);
        }

        private void expectWord(String word, String message) {
            if (position >= tokens.size()) {
                throw new SyntaxError(message + " at the end of the rule");
            }
            Token token = tokens.get(position);
            if (!token.is(word)) {
                throw error(token, message + ", found " + token.shown());
            }
            position++;
        }

        private SyntaxError error(Token token, String message) {
            return new SyntaxError("column " + token.column() + ": " + message);
        }
    }
}
