package dev.openplus.client.model;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How the client reads, writes and calls one resource type; each generated type has one ({@code Patient.KIND}).
 *
 * @param <T> the type's record
 */
public final class ResourceKind<T extends Resource> {
    /** The operations a type's endpoint may offer. */
    public enum Operation {
        /** {@code GET /pub/<type>}. */
        LIST,
        /** {@code GET /pub/<type>/{id}}. */
        FETCH,
        /** {@code POST /pub/<type>}. */
        CREATE,
        /** {@code PATCH /pub/<type>/{id}}. */
        UPDATE,
        /** {@code DELETE /pub/<type>/{id}}. */
        DELETE
    }

    private final String type;
    private final Class<T> javaClass;
    private final Function<JsonNode, T> reader;
    private final Function<T, Map<String, JsonNode>> attributes;
    private final Function<T, Map<String, JsonNode>> relationships;
    private final Set<Operation> operations;
    private final boolean bulkCreate;
    private final List<String> attributeNames;
    private final List<String> relationshipNames;

    ResourceKind(String type, Class<T> javaClass, Function<JsonNode, T> reader,
            Function<T, Map<String, JsonNode>> attributes, Function<T, Map<String, JsonNode>> relationships,
            Set<Operation> operations, boolean bulkCreate, List<String> attributeNames,
            List<String> relationshipNames) {
        this.type = type;
        this.javaClass = javaClass;
        this.reader = reader;
        this.attributes = attributes;
        this.relationships = relationships;
        this.operations = Set.copyOf(operations);
        this.bulkCreate = bulkCreate;
        this.attributeNames = List.copyOf(attributeNames);
        this.relationshipNames = List.copyOf(relationshipNames);
    }

    /**
     * The type's wire name.
     *
     * @return the name, e.g. {@code patient}
     */
    public String type() {
        return type;
    }

    /**
     * The generated record.
     *
     * @return its class
     */
    public Class<T> javaClass() {
        return javaClass;
    }

    /**
     * Whether the server offers the operation for this type.
     *
     * @param operation the operation
     * @return true when it is routed
     */
    public boolean supports(Operation operation) {
        return operations.contains(operation);
    }

    /**
     * Whether a create may carry many resources at once.
     *
     * @return true for types with bulk create
     */
    public boolean bulkCreate() {
        return bulkCreate;
    }

    /**
     * Every attribute the server describes for the type, in its order.
     *
     * @return the attribute names
     */
    public List<String> attributeNames() {
        return attributeNames;
    }

    /**
     * Every relationship the server describes for the type, in its order.
     *
     * @return the relationship names
     */
    public List<String> relationshipNames() {
        return relationshipNames;
    }

    /**
     * Reads a JSON:API resource object of this type.
     *
     * @param resource the resource object ({@code type}, {@code id}, {@code attributes}, {@code relationships})
     * @return the record
     */
    public T read(JsonNode resource) {
        return reader.apply(resource);
    }

    /**
     * The writable attributes of a value as JSON (null values included as JSON null).
     *
     * @param value the value
     * @return attribute name to JSON value
     */
    public Map<String, JsonNode> attributeValues(T value) {
        return attributes.apply(value);
    }

    /**
     * The writable relationships of a value as JSON:API relationship objects (null when the value holds none).
     *
     * @param value the value
     * @return relationship name to relationship object or null
     */
    public Map<String, JsonNode> relationshipValues(T value) {
        return relationships.apply(value);
    }

    @Override
    public String toString() {
        return type;
    }
}
