package org.mailroom.dist.config;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.TokenStreamFactory;

/**
 * The line on which each key of a YAML file is written. The bound records keep no source positions, so checks
 * that run after binding (port ranges, duplicate ports) look up here the line to report.
 */
final class KeyLines {
    private final Map<String, Integer> lines;

    private KeyLines(Map<String, Integer> lines) {
        this.lines = lines;
    }

    /** Indexes the keys of a document, as far as it parses (a syntax error ends the index, not the caller). */
    static KeyLines of(TokenStreamFactory yaml, String text) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = yaml.createParser(text)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.FIELD_NAME) {
                    String key = parser.getParsingContext().pathAsPointer().toString().substring(1).replace('/', '.');
                    lines.putIfAbsent(key, parser.currentTokenLocation().getLineNr());
                }
            }
        } catch (IOException e) {
            // Keep the keys found before the error: they are still right, and the caller reports the error.
        }
        return new KeyLines(lines);
    }

    /** The line of a dotted key such as {@code imap.port}, if the file writes it (defaults have no line). */
    OptionalInt lineOf(String key) {
        Integer line = lines.get(key);
        return line == null ? OptionalInt.empty() : OptionalInt.of(line);
    }

    boolean isWritten(String key) {
        return lines.containsKey(key);
    }
}
