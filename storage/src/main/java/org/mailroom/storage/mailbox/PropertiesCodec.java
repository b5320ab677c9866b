package org.mailroom.storage.mailbox;

import java.util.ArrayList;
import java.util.List;

import org.apache.james.mailbox.store.mail.model.Property;
import org.apache.james.mailbox.store.mail.model.impl.Properties;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Stores the MIME properties James derives at append time (content type and its parameters, disposition,
 * language, ...) as a JSON array of [namespace, name, value] triples, so FETCH BODYSTRUCTURE needs no reparse.
 */
final class PropertiesCodec {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<List<String>>> TRIPLES = new TypeReference<>() {
    };
    /**
     * Decoded property lists by their JSON text. Every FETCH and SEARCH row carries this column, and most messages
     * share one of a few texts (e.g. text/plain; charset=us-ascii): parsing JSON per row was a fifth of the CPU of
     * reading a message row. Properties are immutable, so sharing one decoded list is safe.
     */
    private static final Cache<String, List<Property>> DECODED = Caffeine.newBuilder().maximumSize(1_000).build();
    /** The same texts by their triples, for appends: writing JSON was a tenth of the CPU of storing the bytes. */
    private static final Cache<List<List<String>>, String> ENCODED = Caffeine.newBuilder().maximumSize(1_000).build();

    private PropertiesCodec() {
    }

    static String encode(Properties properties) {
        List<List<String>> triples = new ArrayList<>();
        for (Property p : properties.toProperties()) {
            triples.add(List.of(p.getNamespace(), p.getLocalName(), p.getValue()));
        }
        return ENCODED.get(List.copyOf(triples), PropertiesCodec::write);
    }

    private static String write(List<List<String>> triples) {
        try {
            return JSON.writeValueAsString(triples);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Properties decode(String json, Long textualLineCount) {
        if (json == null || json.isEmpty()) {
            return new Properties(List.of(), textualLineCount);
        }
        return new Properties(DECODED.get(json, PropertiesCodec::parse), textualLineCount);
    }

    private static List<Property> parse(String json) {
        List<Property> properties = new ArrayList<>();
        try {
            for (List<String> t : JSON.readValue(json, TRIPLES)) {
                properties.add(new Property(t.get(0), t.get(1), t.get(2)));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored message properties are not valid JSON", e);
        }
        return List.copyOf(properties);
    }
}
