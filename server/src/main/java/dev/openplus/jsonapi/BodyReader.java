package dev.openplus.jsonapi;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;


/**
 * Reads request documents: parses the JSON under tight limits, then checks a resource object against its type's
 * description. Unknown attributes are errors; read-only ones are ignored and reported in {@code meta.ignored};
 * every problem carries its JSON pointer and all are reported together.
 */
public final class BodyReader {
    public static final int MAX_NESTING_DEPTH = 64;
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            // One document per body: content after it (a second document, stray text) is refused.
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * A checked resource object from a request. {@code linkTypes} holds the type of each id in {@code links}
     * (the relationship's target, or the identifier's own type for a polymorphic to-one).
     */
    public record ResourceInput(String pointer, Map<Attribute, Object> values, Map<Relationship, List<String>> links,
            Map<Relationship, List<String>> linkTypes, Map<Relationship, JsonNode> customLinks, JsonNode meta,
            List<String> ignored) {

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

        /** The types of the ids given for a relationship, parallel to {@code links().get(relationship)}. */
        public List<String> linkTypes(Relationship relationship) {
            return linkTypes.getOrDefault(relationship, List.of());
        }

        /** The pointer of a given relationship's data, e.g. {@code /data/relationships/owner/data}. */
        public String relationshipPointer(Relationship relationship) {
            return pointer + "/relationships/" + escape(relationship.name());
        }
    }

    private static final Set<String> DOCUMENT_MEMBERS = Set.of("data", "meta", "jsonapi");
    private static final Set<String> RESOURCE_MEMBERS = Set.of("type", "id", "attributes", "relationships", "meta",
            "links");
    private static final Set<String> RELATIONSHIP_MEMBERS = Set.of("data", "links", "meta");

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
        ApiException.Collector problems = new ApiException.Collector();
        checkStorable(root, "", problems);
        problems.throwIfAny();
        return root;
    }

    /**
     * Every string (member names too) is text PostgreSQL stores as sent, and every number is finite: Jackson reads
     * {@code 1e309} as infinity, which no column holds and jsonb would keep as the string "Infinity".
     */
    private static void checkStorable(JsonNode node, String pointer, ApiException.Collector problems) {
        if (node.isTextual()) {
            String problem = StorableText.problem(node.textValue());
            if (problem != null) {
                problems.add(ApiError.pointer(pointer, "the text " + problem));
            }
        } else if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            problems.add(ApiError.pointer(pointer, "the number is beyond the range of a double (about ±1.8e308)"));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkStorable(node.get(i), pointer + "/" + i, problems);
            }
        } else if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String memberPointer = pointer + "/" + escape(field.getKey());
                String problem = StorableText.problem(field.getKey());
                if (problem != null) {
                    problems.add(ApiError.pointer(memberPointer, "the member name " + problem));
                } else {
                    checkStorable(field.getValue(), memberPointer, problems);
                }
            }
        }
    }

    /**
     * Parses a JSON:API request document: a JSON object whose top-level members are {@code data}, {@code meta}
     * and {@code jsonapi} only (anything else is refused with its pointer).
     */
    public static JsonNode requestDocument(byte[] body) {
        return checkedRequestDocument(parseDocument(body));
    }

    /** {@link #requestDocument} of a body already parsed. */
    public static JsonNode checkedRequestDocument(JsonNode root) {
        ApiException.Collector problems = new ApiException.Collector();
        root.fieldNames().forEachRemaining(member -> {
            if (!DOCUMENT_MEMBERS.contains(member)) {
                problems.add(ApiError.pointer("/" + escape(member),
                        "unknown top-level member; a request document has data, meta and jsonapi"));
            }
        });
        JsonNode meta = root.get("meta");
        if (meta != null && !meta.isObject()) {
            problems.add(ApiError.pointer("/meta", "meta must be an object"));
        }
        JsonNode jsonapi = root.get("jsonapi");
        if (jsonapi != null && !jsonapi.isObject()) {
            problems.add(ApiError.pointer("/jsonapi", "jsonapi must be an object (e.g. {\"version\":\"1.0\"})"));
        }
        problems.throwIfAny();
        return root;
    }

    /** Adds a problem for each member of a resource object that JSON:API does not define. */
    public static void unknownResourceMembers(JsonNode data, String pointer, ApiException.Collector problems) {
        data.fieldNames().forEachRemaining(member -> {
            if (!RESOURCE_MEMBERS.contains(member)) {
                problems.add(ApiError.pointer(pointer + "/" + escape(member), "unknown member of a resource object"));
            }
        });
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
     * Checks one resource object against its type: members, type, id, every attribute's shape, required
     * attributes and relationships on create, relationship linkage shapes. Read-only members are ignored and
     * listed; everything else unknown is refused. All problems are reported together, one per member.
     *
     * @param expectedId on update, the id in the path (the body's id, when present, must match it)
     */
    public static ResourceInput resource(JsonNode data, String pointer, ResourceType type, WriteBatch.Mode mode,
            String expectedId) {
        return resource(data, pointer, type, mode, expectedId, null);
    }

    /**
     * As {@link #resource(JsonNode, String, ResourceType, WriteBatch.Mode, String)}, with relationship identifiers
     * checked against their target type's id format (from {@code registry}; standard ids when it is null).
     */
    public static ResourceInput resource(JsonNode data, String pointer, ResourceType type, WriteBatch.Mode mode,
            String expectedId, ResourceRegistry registry) {
        ApiException.Collector problems = new ApiException.Collector();
        List<String> ignored = new ArrayList<>();
        unknownResourceMembers(data, pointer, problems);
        JsonNode typeNode = data.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            problems.add(ApiError.pointer(pointer + "/type", "type is required and must be \"" + type.name() + "\""));
        } else if (!typeNode.asText().equals(type.name())) {
            problems.add(ApiError.pointer(pointer + "/type", "type must be \"" + type.name() + "\""));
        }
        JsonNode idNode = data.get("id");
        if (mode == WriteBatch.Mode.CREATE) {
            // Clients generated from the reference send "" (its schemas mark id required); "" and null mean "none".
            if (idNode != null && !idNode.isNull() && !(idNode.isTextual() && idNode.asText().isEmpty())) {
                throw ApiException.forbiddenPointer(pointer + "/id", "client-generated ids are not supported");
            }
        } else if (idNode != null && !idNode.isNull() && !(idNode.isTextual() && idNode.asText().equals(expectedId))) {
            problems.add(ApiError.pointer(pointer + "/id", "id must match the id in the path"));
        }
        JsonNode meta = data.get("meta");
        if (meta != null && !meta.isObject()) {
            problems.add(ApiError.pointer(pointer + "/meta", "meta must be an object"));
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
                    int before = problems.size();
                    Object value = convert(attribute.get(), field.getValue(), attributePointer, problems);
                    if (problems.size() == before) {
                        values.put(attribute.get(), value);
                    }
                }
            }
        }
        if (mode == WriteBatch.Mode.CREATE && (attributes == null || attributes.isObject())) {
            for (Attribute attribute : type.attributes()) {
                // A given but invalid value was reported above; it is not also "required".
                if (attribute.required() && (attributes == null || !attributes.has(attribute.name()))) {
                    problems.add(ApiError.pointer(pointer + "/attributes/" + escape(attribute.name()),
                            attribute.name() + " is required"));
                }
            }
        }

        Map<Relationship, List<String>> links = new LinkedHashMap<>();
        Map<Relationship, List<String>> linkTypes = new LinkedHashMap<>();
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
                } else if (relationship.get().input() == Relationship.Input.CUSTOM) {
                    customLinks.put(relationship.get(), field.getValue());
                } else {
                    // Read-only ones are checked too: a round-tripped resource carries valid linkage, junk is refused.
                    List<Identifier> identifiers = linkage(relationship.get(), registry, field.getValue(),
                            relationshipPointer, problems);
                    if (!relationship.get().isWritable()) {
                        ignored.add(relationshipPointer);
                    } else if (identifiers != null) {
                        links.put(relationship.get(), identifiers.stream().map(Identifier::id).toList());
                        linkTypes.put(relationship.get(), identifiers.stream().map(Identifier::type).toList());
                    }
                }
            }
        }
        if (mode == WriteBatch.Mode.CREATE) {
            for (Relationship relationship : type.relationships()) {
                if (relationship.requiredOnCreate() && (relationships == null || !relationships.isObject()
                        || !relationships.has(relationship.name()))) {
                    problems.add(ApiError.pointer(pointer + "/relationships/" + escape(relationship.name()),
                            "relationships." + relationship.name() + " is required"));
                }
            }
        }
        problems.throwIfAny();
        return new ResourceInput(pointer, values, links, linkTypes, customLinks,
                meta == null || !meta.isObject() ? null : meta, ignored);
    }

    /** A resource identifier from a body. */
    private record Identifier(String type, String id) {
    }

    private static IdFormat idFormat(ResourceRegistry registry, String typeName) {
        return registry == null ? IdFormat.STANDARD
                : registry.find(typeName).map(ResourceType::idFormat).orElse(IdFormat.STANDARD);
    }

    private static List<Identifier> linkage(Relationship relationship, ResourceRegistry registry, JsonNode value,
            String pointer, ApiException.Collector problems) {
        JsonNode data = value == null ? null : value.get("data");
        if (value == null || !value.isObject() || data == null) {
            problems.add(ApiError.pointer(pointer, "a relationship must be an object with a data member"));
            return null;
        }
        Iterator<String> members = value.fieldNames();
        while (members.hasNext()) {
            String member = members.next();
            if (!RELATIONSHIP_MEMBERS.contains(member)) {
                problems.add(ApiError.pointer(pointer + "/" + escape(member), "unknown member of a relationship"));
            }
        }
        List<Identifier> ids = new ArrayList<>();
        if (relationship.toMany()) {
            if (!data.isArray()) {
                problems.add(ApiError.pointer(pointer + "/data", "must be an array of resource identifiers"));
                return null;
            }
            for (int i = 0; i < data.size(); i++) {
                Identifier id = identifier(relationship, registry, data.get(i), pointer + "/data/" + i, problems);
                if (id != null && !ids.contains(id)) {
                    ids.add(id);
                }
            }
            if (data.isEmpty() && relationship.requiredOnCreate() && relationship.isWritable()) {
                problems.add(ApiError.pointer(pointer + "/data", "needs at least one " + relationship.targetType()));
            }
        } else if (data.isNull() && relationship.requiredOnCreate() && relationship.isWritable()) {
            problems.add(ApiError.pointer(pointer + "/data", relationship.name() + " cannot be null"));
        } else if (!data.isNull()) {
            Identifier id = identifier(relationship, registry, data, pointer + "/data", problems);
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** The identifier's type must be one the relationship points to; its id must have that type's format. */
    private static Identifier identifier(Relationship relationship, ResourceRegistry registry, JsonNode node,
            String pointer, ApiException.Collector problems) {
        if (node == null || !node.isObject()) {
            problems.add(ApiError.pointer(pointer, "must be a resource identifier {type, id}"));
            return null;
        }
        String type = node.path("type").isTextual() ? node.get("type").asText() : null;
        if (!relationship.targetTypes().contains(type)) {
            problems.add(ApiError.pointer(pointer + "/type", "type must be " + String.join(" or ",
                    relationship.targetTypes().stream().map(name -> "\"" + name + "\"").toList())));
            return null;
        }
        IdFormat ids = idFormat(registry, type);
        String id = node.path("id").isTextual() ? node.get("id").asText() : null;
        if (!ids.accepts(id)) {
            problems.add(ApiError.pointer(pointer + "/id", "must be an id (" + ids.description() + ")"));
            return null;
        }
        return new Identifier(type, id);
    }

    /** Null (where allowed), or the shape's value; each problem goes to {@code problems}. */
    private static Object convert(Attribute attribute, JsonNode value, String pointer, ApiException.Collector problems) {
        if (value.isNull()) {
            if (!attribute.shape().isNullable()) {
                problems.add(ApiError.pointer(pointer, attribute.name() + " cannot be null"));
            }
            return null;
        }
        int before = problems.size();
        Object converted = attribute.shape().read(value, pointer, attribute.name(), problems);
        if (problems.size() == before && attribute.validator() != null) {
            attribute.validator().validate(value, pointer, problems);
        }
        return converted;
    }

    /** RFC 6901 escaping of one pointer segment. */
    public static String escape(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }
}
