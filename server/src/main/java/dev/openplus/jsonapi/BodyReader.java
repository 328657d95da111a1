package dev.openplus.jsonapi;

import java.io.IOException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import dev.openplus.db.Ids;

/**
 * Reads request documents: parses the JSON under tight limits, then checks a resource object against its type's
 * description. Unknown attributes are errors; read-only ones are ignored and reported in {@code meta.ignored};
 * every problem carries its JSON pointer and all are reported together.
 */
public final class BodyReader {
    public static final int MAX_NESTING_DEPTH = 64;
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build()).build();

    /** Whether the resource is being created (required attributes apply, no id) or updated. */
    public enum Mode { CREATE, UPDATE }

    /** A checked resource object from a request. */
    public record ResourceInput(String pointer, Map<Attribute, Object> values, Map<Relationship, List<String>> links,
            Map<Relationship, JsonNode> customLinks, JsonNode meta, List<String> ignored) {

        public boolean has(String attributeName) {
            return values.keySet().stream().anyMatch(a -> a.name().equals(attributeName));
        }

        /** The value given for the attribute; null when absent or given as null (see {@link #has}). */
        public Object value(String attributeName) {
            for (Map.Entry<Attribute, Object> entry : values.entrySet()) {
                if (entry.getKey().name().equals(attributeName)) {
                    return entry.getValue();
                }
            }
            return null;
        }
    }

    public static ObjectMapper mapper() {
        return JSON;
    }

    /** Parses a body into a JSON object, or answers 409 pointing at the document root. */
    public static JsonNode parseDocument(byte[] body) {
        if (body == null || body.length == 0) {
            throw ApiException.invalidBody("", "the request needs a JSON:API document as its body");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            String reason = e.getMessage() != null && e.getMessage().contains("nesting depth")
                    ? "the document is nested deeper than " + MAX_NESTING_DEPTH + " levels"
                    : "the body is not valid JSON";
            throw ApiException.invalidBody("", reason);
        }
        if (root == null || !root.isObject()) {
            throw ApiException.invalidBody("", "the body must be a JSON object");
        }
        return root;
    }

    /** The primary data of a single-resource document. */
    public static JsonNode singleData(JsonNode document) {
        JsonNode data = document.get("data");
        if (data == null || !data.isObject()) {
            throw ApiException.invalidBody("/data", "data must be a resource object");
        }
        return data;
    }

    /**
     * Checks one resource object.
     *
     * @param expectedId on update, the id in the path (the body's id, when present, must match it)
     */
    public static ResourceInput resource(JsonNode data, String pointer, ResourceType type, Mode mode,
            String expectedId) {
        ApiException.Collector problems = new ApiException.Collector();
        List<String> ignored = new ArrayList<>();
        JsonNode typeNode = data.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            problems.add(ApiError.pointer(pointer + "/type", "type is required and must be \"" + type.name() + "\""));
        } else if (!typeNode.asText().equals(type.name())) {
            problems.add(ApiError.pointer(pointer + "/type", "type must be \"" + type.name() + "\""));
        }
        JsonNode idNode = data.get("id");
        if (mode == Mode.CREATE) {
            // Clients generated from the reference send "" (its schemas mark id required); that means "none".
            if (idNode != null && !idNode.isNull() && !(idNode.isTextual() && idNode.asText().isEmpty())) {
                throw ApiException.forbiddenPointer(pointer + "/id", "client-generated ids are not supported");
            }
        } else if (idNode != null && !idNode.isNull() && !(idNode.isTextual() && idNode.asText().equals(expectedId))) {
            problems.add(ApiError.pointer(pointer + "/id", "id must match the id in the path"));
        }

        Map<Attribute, Object> values = new LinkedHashMap<>();
        JsonNode attributes = data.get("attributes");
        if (attributes != null && !attributes.isObject()) {
            problems.add(ApiError.pointer(pointer + "/attributes", "attributes must be an object"));
        } else if (attributes != null) {
            Iterator<Map.Entry<String, JsonNode>> fields = attributes.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String attributePointer = pointer + "/attributes/" + escape(field.getKey());
                var attribute = type.attribute(field.getKey());
                if (attribute.isEmpty()) {
                    problems.add(ApiError.pointer(attributePointer, "unknown attribute of " + type.name()));
                } else if (attribute.get().readOnly()) {
                    ignored.add(attributePointer);
                } else {
                    try {
                        values.put(attribute.get(), convert(attribute.get(), field.getValue(), attributePointer, problems));
                    } catch (ApiException e) {
                        problems.addAll(e.errors());
                    }
                }
            }
        }
        if (mode == Mode.CREATE) {
            for (Attribute attribute : type.attributes()) {
                if (attribute.required() && !values.containsKey(attribute)) {
                    problems.add(ApiError.pointer(pointer + "/attributes/" + attribute.name(),
                            attribute.name() + " is required"));
                }
            }
        }

        Map<Relationship, List<String>> links = new LinkedHashMap<>();
        Map<Relationship, JsonNode> customLinks = new LinkedHashMap<>();
        JsonNode relationships = data.get("relationships");
        if (relationships != null && !relationships.isObject()) {
            problems.add(ApiError.pointer(pointer + "/relationships", "relationships must be an object"));
        } else if (relationships != null) {
            Iterator<Map.Entry<String, JsonNode>> fields = relationships.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String relationshipPointer = pointer + "/relationships/" + escape(field.getKey());
                var relationship = type.relationship(field.getKey());
                if (relationship.isEmpty()) {
                    problems.add(ApiError.pointer(relationshipPointer, "unknown relationship of " + type.name()));
                } else if (!relationship.get().writable()) {
                    ignored.add(relationshipPointer);
                } else if (relationship.get().input() == Relationship.Input.CUSTOM) {
                    customLinks.put(relationship.get(), field.getValue());
                } else {
                    List<String> ids = linkage(relationship.get(), field.getValue(), relationshipPointer, problems);
                    if (ids != null) {
                        links.put(relationship.get(), ids);
                    }
                }
            }
        }
        problems.throwIfAny();
        JsonNode meta = data.get("meta");
        return new ResourceInput(pointer, values, links, customLinks, meta == null || !meta.isObject() ? null : meta,
                ignored);
    }

    private static List<String> linkage(Relationship relationship, JsonNode value, String pointer,
            ApiException.Collector problems) {
        JsonNode data = value == null ? null : value.get("data");
        if (value == null || !value.isObject() || data == null) {
            problems.add(ApiError.pointer(pointer, "a relationship needs a data member"));
            return null;
        }
        List<String> ids = new ArrayList<>();
        if (relationship.toMany()) {
            if (!data.isArray()) {
                problems.add(ApiError.pointer(pointer + "/data", "must be an array of resource identifiers"));
                return null;
            }
            for (int i = 0; i < data.size(); i++) {
                String id = identifier(relationship, data.get(i), pointer + "/data/" + i, problems);
                if (id != null && !ids.contains(id)) {
                    ids.add(id);
                }
            }
        } else if (!data.isNull()) {
            String id = identifier(relationship, data, pointer + "/data", problems);
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    private static String identifier(Relationship relationship, JsonNode node, String pointer,
            ApiException.Collector problems) {
        if (node == null || !node.isObject()) {
            problems.add(ApiError.pointer(pointer, "must be a resource identifier {type, id}"));
            return null;
        }
        if (!relationship.targetType().equals(node.path("type").asText(null))) {
            problems.add(ApiError.pointer(pointer + "/type", "type must be \"" + relationship.targetType() + "\""));
            return null;
        }
        String id = node.path("id").isTextual() ? node.get("id").asText() : null;
        if (!Ids.isWellFormed(id)) {
            problems.add(ApiError.pointer(pointer + "/id", "must be an id (24 lowercase hex characters)"));
            return null;
        }
        return id;
    }

    private static Object convert(Attribute attribute, JsonNode value, String pointer, ApiException.Collector problems) {
        if (value.isNull()) {
            if (attribute.required()) {
                throw ApiException.invalidBody(pointer, attribute.name() + " cannot be null");
            }
            return null;
        }
        switch (attribute.type()) {
            case STRING -> {
                if (!value.isTextual()) {
                    throw ApiException.invalidBody(pointer, attribute.name() + " must be a string");
                }
                String text = value.asText();
                if (attribute.required() && text.isBlank()) {
                    throw ApiException.invalidBody(pointer, attribute.name() + " cannot be blank");
                }
                if (text.length() > attribute.maxLength()) {
                    throw ApiException.invalidBody(pointer,
                            attribute.name() + " is longer than " + attribute.maxLength() + " characters");
                }
                if (!attribute.allowedValues().isEmpty() && !attribute.allowedValues().contains(text)) {
                    throw ApiException.invalidBody(pointer, attribute.name() + " must be one of "
                            + String.join(", ", attribute.allowedValues().stream().sorted().toList()));
                }
                if (attribute.validator() != null) {
                    ApiException.Collector nested = new ApiException.Collector();
                    attribute.validator().validate(value, pointer, nested);
                    nested.throwIfAny();
                }
                return text;
            }
            case INTEGER -> {
                if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                    throw ApiException.invalidBody(pointer, attribute.name() + " must be a whole number");
                }
                return value.asLong();
            }
            case NUMBER -> {
                if (!value.isNumber()) {
                    throw ApiException.invalidBody(pointer, attribute.name() + " must be a number");
                }
                return value.decimalValue();
            }
            case BOOLEAN -> {
                if (!value.isBoolean()) {
                    throw ApiException.invalidBody(pointer, attribute.name() + " must be true or false");
                }
                return value.asBoolean();
            }
            case TIMESTAMP -> {
                if (!value.isTextual()) {
                    throw ApiException.invalidBody(pointer, attribute.name() + " must be an ISO-8601 date-time");
                }
                try {
                    return OffsetDateTime.parse(value.asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME);
                } catch (DateTimeParseException e) {
                    throw ApiException.invalidBody(pointer,
                            attribute.name() + " must be an ISO-8601 date-time with offset, e.g. 2017-11-03T06:17:34.652Z");
                }
            }
            case DATE -> {
                if (!value.isTextual()) {
                    throw ApiException.invalidBody(pointer, attribute.name() + " must be a date YYYY-MM-DD");
                }
                try {
                    return LocalDate.parse(value.asText(), DateTimeFormatter.ISO_LOCAL_DATE);
                } catch (DateTimeParseException e) {
                    throw ApiException.invalidBody(pointer, attribute.name() + " must be a date YYYY-MM-DD");
                }
            }
            case JSON -> {
                if (attribute.validator() != null) {
                    ApiException.Collector nested = new ApiException.Collector();
                    attribute.validator().validate(value, pointer, nested);
                    nested.throwIfAny();
                }
                return value;
            }
            default -> throw new IllegalStateException("unhandled attribute type " + attribute.type());
        }
    }

    /** Checks an e-mail address's shape (used by attribute validators). */
    public static boolean looksLikeEmail(String value) {
        return value != null && value.length() <= 320 && EMAIL.matcher(value).matches();
    }

    /** RFC 6901 escaping of one pointer segment. */
    public static String escape(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }
}
