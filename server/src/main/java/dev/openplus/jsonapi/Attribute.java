package dev.openplus.jsonapi;

import org.jooq.Field;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One attribute of a resource type: its wire name, its column, the shape of its value and the rules of
 * writing it (read-only, required on create, immutable after create, default on create, what null stores).
 * Described once; parsing, validation, writes, serialization and the OpenAPI schema are generic.
 */
public final class Attribute {

    /** A rule a shape cannot state (e.g. no two identifiers alike); reports problems through the collector. */
    @FunctionalInterface
    public interface JsonValidator {
        void validate(JsonNode value, String pointer, ApiException.Collector problems);
    }

    private final String name;
    private final Field<?> column;
    private final Shape shape;
    private final boolean readOnly;
    private final boolean required;
    private final boolean immutable;
    private final Object defaultValue;
    private final Object clearedValue;
    private final JsonValidator validator;
    private final boolean extension;
    private final String description;
    private final RowSetFunction computedForRows;

    /**
     * A read-only value computed by a SQL function for many rows at once: {@code function(ids char(24)[])}
     * returns a table of ({@code idColumn}, {@code valueColumn}), one row per id it has a value for. Reads of
     * many rows (pages, includes, write answers) call it once per statement for all their rows; the attribute's
     * column (the same value for one row) serves reads of one row.
     */
    public record RowSetFunction(String function, String idColumn, String valueColumn) {
    }

    private Attribute(String name, Field<?> column, Shape shape, boolean readOnly, boolean required,
            boolean immutable, Object defaultValue, Object clearedValue, JsonValidator validator, boolean extension,
            String description, RowSetFunction computedForRows) {
        this.name = name;
        this.column = column;
        this.shape = shape;
        this.readOnly = readOnly;
        this.required = required;
        this.immutable = immutable;
        this.defaultValue = defaultValue;
        this.clearedValue = clearedValue;
        this.validator = validator;
        this.extension = extension;
        this.description = description;
        this.computedForRows = computedForRows;
    }

    /** An optional attribute: null is accepted and clears it. */
    public static Attribute of(String name, Field<?> column, Shape shape) {
        return new Attribute(name, column, shape.nullable(), false, false, false, null, null, null, false, null,
                null);
    }

    /**
     * A read-only attribute computed per row by {@code column} (an expression named {@code name}) and for many
     * rows at once by {@code forRows}: both must give the same value.
     */
    public static Attribute computed(String name, Field<?> column, Shape shape, RowSetFunction forRows) {
        if (!column.getName().equals(name)) {
            throw new IllegalArgumentException("the expression of " + name + " must be named " + name);
        }
        return new Attribute(name, column, shape.nullable(), true, false, false, null, null, null, false, null,
                forRows);
    }

    public static Attribute string(String name, Field<String> column) {
        return of(name, column, Shape.string());
    }

    public static Attribute timestamp(String name, Field<?> column) {
        return of(name, column, Shape.timestamp());
    }

    private Attribute with(Shape newShape, boolean newReadOnly, boolean newRequired, boolean newImmutable,
            Object newDefault, Object newCleared, JsonValidator newValidator, boolean newExtension,
            String newDescription) {
        return new Attribute(name, column, newShape, newReadOnly, newRequired, newImmutable, newDefault, newCleared,
                newValidator, newExtension, newDescription, computedForRows);
    }

    /** Written by the server only: sent values are ignored and listed in {@code meta.ignored}. */
    public Attribute asReadOnly() {
        return with(shape, true, false, immutable, defaultValue, clearedValue, validator, extension, description);
    }

    /** Required on create, never null; a required string must not be blank. */
    public Attribute asRequired() {
        Shape strict = shape.notNullable();
        if (strict.kind() == Shape.Kind.STRING && strict.minLength() == null) {
            strict = strict.notBlank();
        }
        return with(strict, readOnly, true, immutable, defaultValue, clearedValue, validator, extension, description);
    }

    /** Set on create, never changed afterwards: a PATCH with another value is refused. */
    public Attribute immutable() {
        return with(shape, readOnly, required, true, defaultValue, clearedValue, validator, extension, description);
    }

    /** The value stored on create when the attribute is not sent (in its Java form: String, Long, JsonNode …). */
    public Attribute defaultValue(Object value) {
        return with(shape, readOnly, required, immutable, value, clearedValue, validator, extension, description);
    }

    /** What an explicit null stores (e.g. an empty list); without it null stores SQL NULL. */
    public Attribute clearedTo(Object value) {
        return with(shape, readOnly, required, immutable, defaultValue, value, validator, extension, description);
    }

    /** Null is refused, although the attribute may be left out. */
    public Attribute notNull() {
        return with(shape.notNullable(), readOnly, required, immutable, defaultValue, clearedValue, validator,
                extension, description);
    }

    public Attribute maxLength(int max) {
        return with(shape.maxLength(max), readOnly, required, immutable, defaultValue, clearedValue, validator,
                extension, description);
    }

    public Attribute oneOf(String... values) {
        return with(shape.oneOf(values), readOnly, required, immutable, defaultValue, clearedValue, validator,
                extension, description);
    }

    public Attribute validatedBy(JsonValidator jsonValidator) {
        return with(shape, readOnly, required, immutable, defaultValue, clearedValue, jsonValidator, extension,
                description);
    }

    /** Goes beyond the Fitbit Plus API (marked {@code x-openplus-extension} in the document). */
    public Attribute asExtension() {
        return with(shape, readOnly, required, immutable, defaultValue, clearedValue, validator, true, description);
    }

    public Attribute describedAs(String text) {
        return with(shape, readOnly, required, immutable, defaultValue, clearedValue, validator, extension, text);
    }

    public String name() {
        return name;
    }

    public Field<?> column() {
        return column;
    }

    public Shape shape() {
        return shape;
    }

    public AttributeType type() {
        return switch (shape.kind()) {
            case STRING -> AttributeType.STRING;
            case INTEGER -> AttributeType.INTEGER;
            case NUMBER -> AttributeType.NUMBER;
            case BOOLEAN -> AttributeType.BOOLEAN;
            case TIMESTAMP -> AttributeType.TIMESTAMP;
            case DATE -> AttributeType.DATE;
            case OBJECT, ARRAY, ANY -> AttributeType.JSON;
        };
    }

    /**
     * Whether a stored resource may hold null here: the value may be null, or the attribute is optional with no
     * default (unset until written), even where a request may not send null (e.g. a time set once).
     */
    public boolean nullableWhenRead() {
        return shape.isNullable() || !required && !readOnly && defaultValue == null;
    }

    public boolean readOnly() {
        return readOnly;
    }

    public boolean required() {
        return required;
    }

    public boolean isImmutable() {
        return immutable;
    }

    public Object defaultValue() {
        return defaultValue;
    }

    public Object clearedValue() {
        return clearedValue;
    }

    public JsonValidator validator() {
        return validator;
    }

    public boolean isExtension() {
        return extension;
    }

    public String description() {
        return description;
    }

    /** How reads of many rows compute this attribute for all of them at once; null for a column or per-row value. */
    public RowSetFunction computedForRows() {
        return computedForRows;
    }

    @Override
    public String toString() {
        return "attribute " + name;
    }
}
