package dev.openplus.client.internal;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.client.model.Id;
import dev.openplus.client.model.Resource;

/**
 * Conversions between JSON values and the generated records' Java values. Used by generated code; not part of the
 * client's supported API.
 */
public final class Values {
    /** The client's JSON mapper: numbers with a fraction are read as {@link BigDecimal}, exactly. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private Values() {
    }

    /** A generated enum or nested record: knows its own JSON value. */
    public interface Wire {
        /**
         * The value on the wire.
         *
         * @return a String (enums) or a JSON node (records)
         */
        Object wire();
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }

    /**
     * A string.
     *
     * @param node the node, or null
     * @return its text, or null
     */
    public static String string(JsonNode node) {
        return absent(node) ? null : node.asText();
    }

    /**
     * An integer.
     *
     * @param node the node, or null
     * @return its value, or null
     */
    public static Long integer(JsonNode node) {
        return absent(node) ? null : node.asLong();
    }

    /**
     * A number, exactly.
     *
     * @param node the node, or null
     * @return its value, or null
     */
    public static BigDecimal decimal(JsonNode node) {
        return absent(node) ? null : node.isNumber() ? node.decimalValue() : new BigDecimal(node.asText());
    }

    /**
     * A boolean.
     *
     * @param node the node, or null
     * @return its value, or null
     */
    public static Boolean bool(JsonNode node) {
        return absent(node) ? null : node.asBoolean();
    }

    /**
     * An ISO-8601 date-time.
     *
     * @param node the node, or null
     * @return the instant, or null
     */
    public static Instant instant(JsonNode node) {
        return absent(node) ? null : OffsetDateTime.parse(node.asText()).toInstant();
    }

    /**
     * A {@code YYYY-MM-DD} date.
     *
     * @param node the node, or null
     * @return the date, or null
     */
    public static LocalDate date(JsonNode node) {
        return absent(node) ? null : LocalDate.parse(node.asText());
    }

    /**
     * A free-form JSON value.
     *
     * @param node the node, or null
     * @return the node, or null for JSON null or an absent member
     */
    public static JsonNode node(JsonNode node) {
        return absent(node) ? null : node;
    }

    /**
     * A nested object.
     *
     * @param <T>    its record
     * @param node   the node, or null
     * @param reader reads the record
     * @return the record, or null
     */
    public static <T> T object(JsonNode node, Function<JsonNode, T> reader) {
        return absent(node) ? null : reader.apply(node);
    }

    /**
     * An array.
     *
     * @param <T>    the item type
     * @param node   the node, or null
     * @param reader reads one item
     * @return the items (unmodifiable), or null
     */
    public static <T> List<T> list(JsonNode node, Function<JsonNode, T> reader) {
        if (absent(node)) {
            return null;
        }
        List<T> items = new ArrayList<>(node.size());
        node.forEach(item -> items.add(reader.apply(item)));
        return java.util.Collections.unmodifiableList(items);
    }

    /**
     * A to-one relationship's linkage.
     *
     * @param <T>          the target type
     * @param relationship the relationship object, or null
     * @return the typed id, or null
     */
    public static <T extends Resource> Id<T> id(JsonNode relationship) {
        JsonNode data = relationship == null ? null : relationship.get("data");
        return absent(data) ? null : new Id<>(data.path("type").asText(), data.path("id").asText());
    }

    /**
     * A to-many relationship's linkage.
     *
     * @param <T>          the target type
     * @param relationship the relationship object, or null
     * @return the typed ids (unmodifiable), or null
     */
    public static <T extends Resource> List<Id<T>> ids(JsonNode relationship) {
        JsonNode data = relationship == null ? null : relationship.get("data");
        if (absent(data)) {
            return null;
        }
        List<Id<T>> ids = new ArrayList<>(data.size());
        data.forEach(item -> ids.add(new Id<>(item.path("type").asText(), item.path("id").asText())));
        return java.util.Collections.unmodifiableList(ids);
    }

    /**
     * The identifier of a to-many linkage marked {@code meta.primary}.
     *
     * @param <T>          the target type
     * @param relationship the relationship object, or null
     * @return the typed id, or null
     */
    public static <T extends Resource> Id<T> primary(JsonNode relationship) {
        JsonNode data = relationship == null ? null : relationship.get("data");
        if (absent(data)) {
            return null;
        }
        for (JsonNode item : data) {
            if (item.path("meta").path("primary").asBoolean(false)) {
                return new Id<>(item.path("type").asText(), item.path("id").asText());
            }
        }
        return null;
    }

    /**
     * A Java value as JSON.
     *
     * @param value a String, Long, Integer, BigDecimal, Boolean, Instant, LocalDate, JSON node, generated value,
     *              Map or Collection of these, or null
     * @return the JSON value (JSON null for null)
     */
    public static JsonNode json(Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof JsonNode node) {
            return node;
        }
        if (value instanceof Wire wire) {
            Object wireValue = wire.wire();
            if (wireValue == null) {
                throw new IllegalArgumentException(value + " stands for a value this client does not know: it cannot"
                        + " be sent");
            }
            return json(wireValue);
        }
        if (value instanceof String text) {
            return NODES.textNode(text);
        }
        if (value instanceof Boolean bool) {
            return NODES.booleanNode(bool);
        }
        if (value instanceof Long number) {
            return NODES.numberNode(number);
        }
        if (value instanceof Integer number) {
            return NODES.numberNode(number.longValue());
        }
        if (value instanceof BigDecimal number) {
            return NODES.numberNode(number);
        }
        if (value instanceof Number number) {
            return NODES.numberNode(new BigDecimal(number.toString()));
        }
        if (value instanceof Instant || value instanceof LocalDate) {
            return NODES.textNode(value.toString());
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            map.forEach((key, member) -> object.set(String.valueOf(key), json(member)));
            return object;
        }
        if (value instanceof Collection<?> items) {
            ArrayNode array = NODES.arrayNode();
            items.forEach(item -> array.add(json(item)));
            return array;
        }
        throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
    }

    /**
     * An object of members.
     *
     * @param members name to value, in order
     * @return the JSON object
     */
    public static ObjectNode object(Map<String, JsonNode> members) {
        ObjectNode object = NODES.objectNode();
        members.forEach(object::set);
        return object;
    }

    /**
     * A to-one relationship object for a request.
     *
     * @param id the target, or null
     * @return {@code {"data": identifier}}, or null when there is none
     */
    public static JsonNode linkage(Id<?> id) {
        if (id == null) {
            return null;
        }
        ObjectNode relationship = NODES.objectNode();
        relationship.set("data", identifier(id, false));
        return relationship;
    }

    /**
     * A to-many relationship object for a request.
     *
     * @param ids     the targets, or null
     * @param primary the one marked {@code meta.primary}, or null
     * @return {@code {"data": [identifiers]}}, or null when there are none
     */
    public static JsonNode linkage(List<? extends Id<?>> ids, Id<?> primary) {
        if (ids == null) {
            return null;
        }
        ObjectNode relationship = NODES.objectNode();
        ArrayNode data = relationship.putArray("data");
        for (Id<?> id : ids) {
            data.add(identifier(id, primary != null && primary.type().equals(id.type())
                    && java.util.Objects.equals(primary.id(), id.id())));
        }
        return relationship;
    }

    private static ObjectNode identifier(Id<?> id, boolean primary) {
        ObjectNode identifier = NODES.objectNode();
        identifier.put("type", id.type());
        if (id.id() != null) {
            identifier.put("id", id.id());
        }
        if (id.query() != null || primary) {
            ObjectNode meta = identifier.putObject("meta");
            if (id.query() != null) {
                meta.set("query", json(id.query()));
            }
            if (primary) {
                meta.put("primary", true);
            }
        }
        return identifier;
    }
}
