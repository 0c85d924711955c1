package io.levelparty.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Base64;

/** The tool's JSON lines: one object per entry or change, values as text or, with --binary, base64. */
final class JsonLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintWriter out;

    JsonLines(PrintWriter out) {
        this.out = out;
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** Puts {@code value} (a String, or bytes as base64) under {@code field}. */
    static ObjectNode withValue(ObjectNode node, String field, Object value) {
        return value instanceof byte[] bytes ? node.put(field, Base64.getEncoder().encodeToString(bytes))
                : node.put(field, (String) value);
    }

    static ObjectNode entry(String key, Object value) {
        ObjectNode node = object().put("key", key);
        return value == null ? node : withValue(node, "value", value);
    }

    void print(JsonNode node) {
        out.println(node.toString());
        out.flush();
    }

    /** Parses one line of {@code load} input: an object with a string "key" and a string "value". */
    static Object[] parseEntry(String line, boolean binary) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject() || !node.path("key").isTextual() || !node.path("value").isTextual()) {
            throw new IllegalArgumentException("expected {\"key\": string, \"value\": string}");
        }
        String value = node.get("value").asText();
        try {
            return new Object[] {node.get("key").asText(), binary ? Base64.getDecoder().decode(value) : value};
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the value is not base64: " + e.getMessage());
        }
    }
}
