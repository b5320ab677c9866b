package org.mailroom.dist.config;

import java.io.IOException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;

/** An amount of bytes written with a unit, such as {@code 25MB}; units are powers of 1024. */
@JsonDeserialize(using = DataSize.FromYaml.class)
public record DataSize(long bytes) {
    private static final long KB = 1024;
    private static final long MB = 1024 * KB;
    private static final long GB = 1024 * MB;
    // Derby keeps a message body in one BLOB, which holds at most 2 GB.
    private static final long MAX_BYTES = 2 * GB;
    private static final Pattern SYNTAX = Pattern.compile("(\\d{1,12})\\s*(B|KB|KIB|MB|MIB|GB|GIB)?");

    public DataSize {
        if (bytes < 1 || bytes > MAX_BYTES) {
            throw new IllegalArgumentException("size must be between 1 byte and 2GB");
        }
    }

    /** Reads a size such as {@code 25MB}, {@code 512KB}, {@code 1GB} or a plain number of bytes. */
    public static DataSize parse(String text) {
        Matcher m = SYNTAX.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("unparsable size '" + text
                + "': write a whole number followed by B, KB, MB or GB, for example 25MB");
        }
        long number = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        long multiplier = switch (unit.charAt(0)) {
            case 'K' -> KB;
            case 'M' -> MB;
            case 'G' -> GB;
            default -> 1;
        };
        if (number > MAX_BYTES / multiplier) {
            throw new IllegalArgumentException("size '" + text + "' is larger than 2GB");
        }
        return new DataSize(number * multiplier);
    }

    /** The size in the largest unit that divides it exactly, as it would be written in the file. */
    @Override
    public String toString() {
        if (bytes % GB == 0) {
            return bytes / GB + "GB";
        }
        if (bytes % MB == 0) {
            return bytes / MB + "MB";
        }
        return bytes % KB == 0 ? bytes / KB + "KB" : bytes + "B";
    }

    /**
     * Reads a size from a YAML scalar, so that a bad value is reported at its own line with a message that
     * says how to write it (Jackson's generic "cannot construct instance" would not).
     */
    public static final class FromYaml extends StdScalarDeserializer<DataSize> {
        public FromYaml() {
            super(DataSize.class);
        }

        @Override
        public DataSize deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.hasToken(JsonToken.VALUE_STRING) && !p.hasToken(JsonToken.VALUE_NUMBER_INT)) {
                return (DataSize) ctxt.handleUnexpectedToken(DataSize.class, p);
            }
            String text = p.getText();
            try {
                return parse(text);
            } catch (IllegalArgumentException e) {
                throw InvalidFormatException.from(p, e.getMessage(), text, DataSize.class);
            }
        }
    }
}
