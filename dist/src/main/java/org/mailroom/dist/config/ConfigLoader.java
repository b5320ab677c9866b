package org.mailroom.dist.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads {@code mailroom.yaml} into a {@link MailroomConfig} and validates it, or fails with a
 * {@link ConfigException} whose every line reads {@code file:line: key: problem}.
 */
public final class ConfigLoader {
    private static final Pattern DUPLICATE_KEY = Pattern.compile("Duplicate field '([^']*)'");
    private static final Pattern FOUND_TOKEN = Pattern.compile("token `JsonToken\\.(\\w+)`");
    private static final Pattern FOUND_SCALAR = Pattern.compile("value \\('([^']*)'\\)");

    private final ObjectMapper yaml = YAMLMapper.builder()
        .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        // A port of 25.5 is a typo, not 25.
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        // YAML lets a key appear twice and keeps the last; an operator editing the top copy would be misled.
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();

    /** Loads and validates one file; an empty file (or one holding only comments) means all defaults. */
    public MailroomConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(file + ": the configuration file does not exist"), e);
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": the configuration file cannot be read: " + e), e);
        }

        MailroomConfig config;
        try (JsonParser parser = yaml.createParser(text)) {
            config = parser.nextToken() == null ? MailroomConfig.defaults() : yaml.readValue(parser, MailroomConfig.class);
        } catch (JsonProcessingException e) {
            throw new ConfigException(List.of(describe(file, text, e)), e);
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": the configuration file cannot be read: " + e), e);
        }

        KeyLines lines = KeyLines.of(yaml.getFactory(), text);
        List<ConfigProblem> problems = ConfigValidator.check(config, lines);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.stream()
                .map(p -> format(file, lines.lineOf(p.key()), p.key(), p.message()))
                .toList(), null);
        }
        if (config.tls().isConfigured()) {
            config = config.withTls(config.tls().withOrigin(new ConfigOrigin(file, lines)));
        }
        return config;
    }

    static String format(Path file, OptionalInt line, String key, String problem) {
        String where = line.isPresent() ? file + ":" + line.getAsInt() : file.toString();
        return key.isEmpty() ? where + ": " + problem : where + ": " + key + ": " + problem;
    }

    private String describe(Path file, String text, JsonProcessingException e) {
        String key = e instanceof JsonMappingException mapping ? keyPath(mapping) : "";
        String problem = problem(e);
        Matcher duplicate = DUPLICATE_KEY.matcher(String.valueOf(e.getOriginalMessage()));
        if (duplicate.lookingAt()) {
            key = key.isEmpty() ? duplicate.group(1) : key + "." + duplicate.group(1);
            problem = "this key is written twice in its section; keep one";
        }
        OptionalInt line = OptionalInt.empty();
        if (e instanceof UnrecognizedPropertyException) {
            // Jackson stops past the unknown key's whole value; the key's own line is what the operator needs.
            line = KeyLines.of(yaml.getFactory(), text).lineOf(key);
        }
        JsonLocation location = e.getLocation();
        if (line.isEmpty() && location != null && location.getLineNr() > 0) {
            line = OptionalInt.of(location.getLineNr());
        }
        return format(file, line, key, problem);
    }

    private static String keyPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String problem(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "unknown key; the keys allowed here are " + names(unknown.getKnownPropertyIds());
        }
        if (e instanceof InvalidFormatException invalid
            && (invalid.getTargetType() == DataSize.class || invalid.getTargetType() == TimeSpan.class)) {
            return invalid.getOriginalMessage();
        }
        if (e instanceof InvalidFormatException invalid) {
            return "expected " + expected(invalid.getTargetType()) + ", found '" + invalid.getValue() + "'";
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return "expected " + expected(mismatch.getTargetType()) + ", found " + found(mismatch);
        }
        // Syntax errors and anything unforeseen: Jackson's own first line, without its source excerpt.
        String message = e.getOriginalMessage();
        return message == null ? e.toString() : message.lines().findFirst().orElse(message).trim();
    }

    private static String names(Collection<Object> known) {
        return known == null ? "(none)" : known.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }

    private static String expected(Class<?> type) {
        if (type == Integer.class || type == int.class) {
            return "a whole number";
        }
        if (type == String.class) {
            return "a single value";
        }
        if (type == DataSize.class) {
            return "a size such as 25MB";
        }
        if (type == TimeSpan.class) {
            return "a time span such as 5m or 4h";
        }
        return "a section of 'key: value' lines";
    }

    private static String found(MismatchedInputException e) {
        // Jackson names the token it found only in its message; its parser has moved on by now.
        String message = String.valueOf(e.getOriginalMessage());
        Matcher scalar = FOUND_SCALAR.matcher(message);
        if (scalar.find()) {
            return "'" + scalar.group(1) + "'";
        }
        Matcher token = FOUND_TOKEN.matcher(message);
        if (!token.find()) {
            return "a different kind of value";
        }
        return switch (token.group(1)) {
            case "START_OBJECT" -> "a section";
            case "START_ARRAY" -> "a list";
            default -> "a single value";
        };
    }
}
