package dev.openplus.jsonapi;

import java.util.Set;

import org.jooq.Field;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One attribute of a resource type: its wire name, column, type and rules. Described once; parsing,
 * validation and serialization are generic.
 */
public record Attribute(String name, Field<?> column, AttributeType type, boolean readOnly, boolean required,
        int maxLength, Set<String> allowedValues, JsonValidator validator) {

    /** Checks a JSON attribute's value; returns problems as (sub-pointer, detail) pairs via the collector. */
    @FunctionalInterface
    public interface JsonValidator {
        void validate(JsonNode value, String pointer, ApiException.Collector problems);
    }

    public static final int DEFAULT_MAX_LENGTH = 10_000;

    public static Attribute string(String name, Field<String> column) {
        return new Attribute(name, column, AttributeType.STRING, false, false, DEFAULT_MAX_LENGTH, Set.of(), null);
    }

    public static Attribute timestamp(String name, Field<?> column) {
        return new Attribute(name, column, AttributeType.TIMESTAMP, false, false, 0, Set.of(), null);
    }

    public static Attribute of(String name, Field<?> column, AttributeType type) {
        return new Attribute(name, column, type, false, false, DEFAULT_MAX_LENGTH, Set.of(), null);
    }

    public Attribute asReadOnly() {
        return new Attribute(name, column, type, true, false, maxLength, allowedValues, validator);
    }

    public Attribute asRequired() {
        return new Attribute(name, column, type, readOnly, true, maxLength, allowedValues, validator);
    }

    public Attribute maxLength(int max) {
        return new Attribute(name, column, type, readOnly, required, max, allowedValues, validator);
    }

    public Attribute oneOf(String... values) {
        return new Attribute(name, column, type, readOnly, required, maxLength, Set.of(values), validator);
    }

    public Attribute validatedBy(JsonValidator jsonValidator) {
        return new Attribute(name, column, type, readOnly, required, maxLength, allowedValues, jsonValidator);
    }
}
