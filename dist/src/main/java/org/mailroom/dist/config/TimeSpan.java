package org.mailroom.dist.config;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;

/** A length of time written with a unit, as mail administrators write them: {@code 30s}, {@code 5m}, {@code 4h}, {@code 5d}. */
@JsonDeserialize(using = TimeSpan.FromYaml.class)
public record TimeSpan(Duration duration) {
    private static final Pattern SYNTAX = Pattern.compile("(\\d{1,9})\\s*(MS|S|M|H|D)");

    public TimeSpan {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("a time span must be positive");
        }
    }

    public static TimeSpan parse(String text) {
        Matcher m = SYNTAX.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException("unparsable time span '" + text
                + "': write a whole number above 0 followed by s, m, h or d, for example 5m or 4h");
        }
        long n = Long.parseLong(m.group(1));
        return new TimeSpan(switch (m.group(2)) {
            case "MS" -> Duration.ofMillis(n);
            case "S" -> Duration.ofSeconds(n);
            case "M" -> Duration.ofMinutes(n);
            case "H" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        });
    }

    /** As it would be written in the file, in the largest unit that divides it exactly. */
    @Override
    public String toString() {
        long seconds = duration.getSeconds();
        if (duration.getNano() != 0) {
            return duration.toMillis() + "ms";
        }
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3_600 == 0) {
            return seconds / 3_600 + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }

    /** Reads a time span from a YAML scalar, reporting a bad one at its own line with how to write it. */
    public static final class FromYaml extends StdScalarDeserializer<TimeSpan> {
        public FromYaml() {
            super(TimeSpan.class);
        }

        @Override
        public TimeSpan deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.hasToken(JsonToken.VALUE_STRING)) {
                return (TimeSpan) ctxt.handleUnexpectedToken(TimeSpan.class, p);
            }
            String text = p.getText();
            try {
                return parse(text);
            } catch (IllegalArgumentException e) {
                throw InvalidFormatException.from(p, e.getMessage(), text, TimeSpan.class);
            }
        }
    }
}
