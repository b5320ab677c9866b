package org.mailroom.sorter.rules;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import org.mailroom.sorter.IncomingMail;

/**
 * {@code FIELD MATCHER "argument"}, e.g. {@code from domain "bank.example"}: true when any value of the field
 * matches. Comparisons ignore case.
 *
 * @param field      what is looked at
 * @param headerName the header's name for {@code header "Name" ...}, otherwise empty
 * @param matcher    how values are compared
 * @param argument   the text to compare with (empty for {@code exists})
 * @param pattern    the compiled regular expression for {@code matches}, compiled once at parse time
 */
public record FieldTest(Field field, Optional<String> headerName, Matcher matcher, String argument,
                        Optional<Pattern> pattern) implements Condition {

    /** The comparisons a rule can make. */
    public enum Matcher {
        CONTAINS, IS, MATCHES, DOMAIN, EXISTS
    }

    public FieldTest {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(headerName, "headerName");
        Objects.requireNonNull(matcher, "matcher");
        argument = argument.toLowerCase(Locale.ROOT);
        Objects.requireNonNull(pattern, "pattern");
    }

    @Override
    public boolean matches(IncomingMail mail) {
        List<String> values = field.values(mail, headerName);
        if (matcher == Matcher.EXISTS) {
            return !values.isEmpty();
        }
        for (String value : values) {
            if (matchesValue(value)) {
                return true;
            }
        }
        return false;
    }

    private boolean matchesValue(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        return switch (matcher) {
            case CONTAINS -> lower.contains(argument);
            case IS -> lower.equals(argument) || (field.holdsAddresses() && address(lower).equals(argument));
            case MATCHES -> pattern.orElseThrow().matcher(value).find();
            case DOMAIN -> {
                String domain = domainOf(field.holdsAddresses() || lower.indexOf('@') >= 0 ? address(lower) : lower);
                yield domain.equals(argument) || domain.endsWith("." + argument);
            }
            case EXISTS -> true;
        };
    }

    /** The address of {@code Name <address>}, or the value itself. */
    private static String address(String value) {
        int open = value.lastIndexOf('<');
        int close = value.lastIndexOf('>');
        return open >= 0 && close > open ? value.substring(open + 1, close).strip() : value.strip();
    }

    private static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        String domain = at < 0 ? address : address.substring(at + 1);
        return domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
    }
}
