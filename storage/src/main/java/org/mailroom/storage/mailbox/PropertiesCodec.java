package org.mailroom.storage.mailbox;

import java.util.ArrayList;
import java.util.List;

import org.apache.james.mailbox.store.mail.model.Property;
import org.apache.james.mailbox.store.mail.model.impl.Properties;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Stores the MIME properties James derives at append time (content type and its parameters, disposition,
 * language, ...) as a JSON array of [namespace, name, value] triples, so FETCH BODYSTRUCTURE needs no reparse.
 */
final class PropertiesCodec {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<List<String>>> TRIPLES = new TypeReference<>() {
    };

    private PropertiesCodec() {
    }

    static String encode(Properties properties) {
        List<List<String>> triples = new ArrayList<>();
        for (Property p : properties.toProperties()) {
            triples.add(List.of(p.getNamespace(), p.getLocalName(), p.getValue()));
        }
        try {
            return JSON.writeValueAsString(triples);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Properties decode(String json, Long textualLineCount) {
        List<Property> properties = new ArrayList<>();
        if (json != null && !json.isEmpty()) {
            try {
                for (List<String> t : JSON.readValue(json, TRIPLES)) {
                    properties.add(new Property(t.get(0), t.get(1), t.get(2)));
                }
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("Stored message properties are not valid JSON", e);
            }
        }
        return new Properties(properties, textualLineCount);
    }
}
