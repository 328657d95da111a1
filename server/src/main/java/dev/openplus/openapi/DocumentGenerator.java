package dev.openplus.openapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.FilterKind;
import dev.openplus.jsonapi.Operation;
import dev.openplus.jsonapi.QueryParser;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceRegistry;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.Shape;
import dev.openplus.jsonapi.SortField;

/**
 * Builds the OpenAPI 3.0.3 document from what the server routes and enforces: the operation list and the
 * resource types' descriptions (attributes and their shapes, relationships, filters, sorts, paging limits,
 * bulk creates), so a rule the server enforces is a rule the document states. The prose file
 * ({@value #PROSE}) adds what a description cannot say: info, tags, shared components, per-operation text, the
 * query parameters the Fitbit Plus API itself declares (every other generated parameter is marked
 * {@code x-openplus-extension}), the entries of custom operations, and request schemas of relationships a
 * feature reads itself.
 */
public final class DocumentGenerator {
    public static final String PROSE = "/openapi/prose.yaml";
    static final String JSON_API = "application/vnd.api+json";
    static final String EXTENSION = "x-openplus-extension";
    /** The server's id shape (DESIGN §3), as checked by Ids.isWellFormed. */
    static final String ID = "[0-9a-f]{24}";
    /** ISO-8601 date-time with offset as DateRange reads it; a space stands for an unencoded '+'. */
    private static final String DATE_TIME = "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?"
            + "([Zz]|[+ -][0-9]{2}:[0-9]{2}(:[0-9]{2})?)";
    private static final Pattern NAME = Pattern.compile("[a-z0-9_]+");
    private static final String DATE_RANGE_TEXT = "`start..end`: ISO-8601 date-times with offset, start inclusive, "
            + "end exclusive; one side (not both) may be empty for an open range.";

    /** A date token of an example (see {@link #dated}). */
    private static final Pattern DATE_TOKEN = Pattern.compile("\\$\\{(now|date)([+-][0-9]+)?\\}");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final List<Operation> operations;
    private final ResourceRegistry registry;
    private final int maxBulkItems;
    private final ObjectNode prose;
    private final JsonNode operationProse;
    private final JsonNode relationshipInputs;
    private final ObjectNode schemas;
    private final ObjectNode sharedParameters;
    /** Generated parameter → its name under components/parameters. */
    private final Map<JsonNode, String> parameterNames = new LinkedHashMap<>();

    private DocumentGenerator(List<Operation> operations, ResourceRegistry registry, int maxBulkItems,
            ObjectNode prose) {
        this.operations = operations;
        this.registry = registry;
        this.maxBulkItems = maxBulkItems;
        this.prose = prose.deepCopy();
        this.operationProse = this.prose.remove("operations");
        this.relationshipInputs = this.prose.remove("relationshipInputs");
        this.schemas = this.prose.withObjectProperty("components").withObjectProperty("schemas");
        this.sharedParameters = this.prose.withObjectProperty("components").withObjectProperty("parameters");
    }

    /** The document for these operations and types, with the prose of {@value #PROSE}. */
    public static ObjectNode generate(List<Operation> operations, ResourceRegistry registry, int maxBulkItems) {
        return generate(operations, registry, maxBulkItems, prose());
    }

    public static ObjectNode generate(List<Operation> operations, ResourceRegistry registry, int maxBulkItems,
            ObjectNode prose) {
        return new DocumentGenerator(operations, registry, maxBulkItems, prose).document();
    }

    /** The prose file, parsed. */
    public static ObjectNode prose() {
        try (InputStream in = DocumentGenerator.class.getResourceAsStream(PROSE)) {
            if (in == null) {
                throw new IllegalStateException(PROSE + " is not on the classpath");
            }
            return (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "health_profile_answer" → "HealthProfileAnswer": the prefix of a type's schema names. */
    public static String schemaPrefix(ResourceType type) {
        StringBuilder name = new StringBuilder();
        for (String part : type.name().split("_")) {
            name.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
        }
        return name.toString();
    }

    private ObjectNode document() {
        Set<String> known = new LinkedHashSet<>();
        operations.forEach(operation -> known.add(operation.operationId()));
        operationProse.fieldNames().forEachRemaining(id -> {
            if (!known.contains(id)) {
                throw new IllegalStateException(PROSE + " describes operation " + id + ", which does not exist");
            }
        });
        for (ResourceType type : registry.types()) {
            resourceSchemas(type);
        }
        ArrayNode included = NODES.arrayNode();
        registry.types().forEach(type -> included.add(ref(schemaPrefix(type) + "Resource")));
        schemas.set("Included", object("type", "array", "description",
                "Each related resource asked for with `include`, once.").set("items", object().set("oneOf", included)));

        ObjectNode document = NODES.objectNode();
        document.put("openapi", prose.path("openapi").asText("3.0.3"));
        Iterator<Map.Entry<String, JsonNode>> members = prose.fields();
        ObjectNode paths = NODES.objectNode();
        while (members.hasNext()) {
            Map.Entry<String, JsonNode> member = members.next();
            if (member.getKey().equals("components")) {
                document.set("paths", paths);
            }
            if (!member.getKey().equals("openapi")) {
                document.set(member.getKey(), member.getValue());
            }
        }
        if (!document.has("paths")) {
            document.set("paths", paths);
        }
        for (Operation operation : operations) {
            ObjectNode path = paths.withObjectProperty(operation.path());
            if (path.has(operation.method().toLowerCase(Locale.ROOT))) {
                throw new IllegalStateException(operation.method() + " " + operation.path() + " is declared twice");
            }
            path.set(operation.method().toLowerCase(Locale.ROOT), operation(operation));
        }
        return document;
    }

    // ---- operations ---------------------------------------------------------------------------------------------

    private ObjectNode operation(Operation operation) {
        JsonNode text = operationProse.path(operation.operationId());
        if (operation.kind() == Operation.Kind.CUSTOM) {
            return custom(operation, text);
        }
        ResourceType type = operation.type();
        String prefix = schemaPrefix(type);
        ObjectNode entry = NODES.objectNode();
        entry.set("tags", text.has("tags") ? text.get("tags") : NODES.arrayNode().add(type.name()));
        entry.put("operationId", operation.operationId());
        entry.put("summary", text.path("summary").asText(defaultSummary(operation)));
        entry.put("description", description(operation, text));
        if (operation.extension()) {
            entry.put(EXTENSION, true);
        }
        ArrayNode parameters = NODES.arrayNode();
        boolean item = operation.path().contains("{id}");
        if (item) {
            parameters.add(object("name", "id", "in", "path", "required", true).set("schema", object("type", "string")));
        }
        boolean collection = operation.kind() == Operation.Kind.LIST || operation.kind() == Operation.Kind.SUB_LIST;
        query(type, collection, operation.kind() == Operation.Kind.LIST).forEach(parameters::add);
        markExtensions(operation.operationId(), parameters, text);
        ArrayNode shared = share(parameters, type);
        if (item && text.has("idExample")) {
            // The path's id with an example of its own (a demo resource): not the shared ResourceId parameter.
            shared.set(0, object("name", "id", "in", "path", "required", true, "description",
                    "The id of the " + type.name() + ".", "example", text.get("idExample").asText())
                    .set("schema", object("type", "string")));
        }
        entry.set("parameters", shared);

        String responseDescription = text.path("responseDescription").asText("Success.");
        ObjectNode responses = NODES.objectNode();
        switch (operation.kind()) {
            case FETCH -> responses.set(status(operation), success(responseDescription, prefix + "Document"));
            case LIST, SUB_LIST -> responses.set(status(operation), success(responseDescription, prefix + "Collection"));
            case CREATE -> {
                entry.set("requestBody", requestBody("Create" + prefix + "Request", operation, text));
                responses.set(status(operation), success(responseDescription,
                        type.bulkCreate() || type.duplicatesIgnorable() ? "Create" + prefix + "Response" : prefix + "Document"));
            }
            case UPDATE -> {
                entry.set("requestBody", requestBody("Update" + prefix + "Request", operation, text));
                responses.set(status(operation), success(responseDescription, prefix + "Document"));
            }
            case DELETE -> responses.set(status(operation), success(responseDescription, "MetaDocument"));
            default -> throw new IllegalStateException("unhandled operation kind " + operation.kind());
        }
        errorResponses(operation).forEach(name -> responses.set(errorStatus(name), ref("responses", name)));
        entry.set("responses", responses);
        return entry;
    }

    /**
     * What the operation does and the rules it enforces: the prose's own text (what a description cannot say,
     * such as a feature's cross-field rules), or a generated first sentence, then the rules that live in the
     * type's description: required filters, sorts, includes, paging, required and read-only members, immutable
     * attributes, bulk creates.
     */
    private String description(Operation operation, JsonNode text) {
        ResourceType type = operation.type();
        String name = "`" + type.name() + "`";
        List<String> paragraphs = new ArrayList<>();
        String lead = text.path("description").asText("").strip();
        if (lead.isEmpty()) {
            lead = switch (operation.kind()) {
                case FETCH -> "Answers one " + name + " resource by id.";
                case LIST -> "Lists the " + name + " resources of the caller's scope that match the filters.";
                case SUB_LIST -> "Lists the " + name + " resources related to the resource in the path.";
                case CREATE -> "Creates a " + name + " resource.";
                case UPDATE -> "Changes a " + name + " resource.";
                case DELETE -> "Deletes a " + name + " resource.";
                default -> throw new IllegalStateException("unhandled operation kind " + operation.kind());
            };
            if (type.description() != null && operation.kind() != Operation.Kind.SUB_LIST) {
                lead += " " + type.description();
            }
        }
        paragraphs.add(lead);
        List<String> rules = new ArrayList<>();
        switch (operation.kind()) {
            case LIST, SUB_LIST -> {
                if (operation.kind() == Operation.Kind.LIST) {
                    List<List<String>> choices = type.requiredFilterChoices();
                    for (List<String> choice : choices) {
                        rules.add(choice.size() == 1 ? "`" + parameter(type, choice.get(0)) + "` is required."
                                : "One of " + String.join(" and ", choice.stream().map(n -> "`" + parameter(type, n) + "`")
                                        .toList()) + " is required.");
                    }
                }
                List<String> sorts = type.sorts().stream().map(SortField::name).toList();
                rules.add(sorts.isEmpty() ? "Ordered by `id` (creation order); there is no `sort`."
                        : "Ordered by `id` (creation order) unless `sort` names " + names(sorts)
                                + " (`-` for descending); the id breaks ties.");
                rules.add("Skip paging answers " + type.defaultPageSize() + " per page (`page[size]` up to "
                        + type.maxPageSize() + "); `page[limit]` (up to " + QueryParser.MAX_CURSOR_LIMIT
                        + ") selects cursor paging. `meta.count` is the number of matches.");
                if (filtersMayBeOutOfScope(type)) {
                    rules.add("A filter naming an organization or group outside the caller's scope answers 403.");
                }
            }
            case FETCH, UPDATE, DELETE -> rules.add("An id that does not exist, or lies outside the caller's scope, "
                    + "answers 404.");
            default -> {
            }
        }
        List<String> includable = type.relationships().stream().filter(Relationship::includable)
                .map(Relationship::name).toList();
        if (!includable.isEmpty() && (operation.kind() == Operation.Kind.FETCH || operation.kind() == Operation.Kind.LIST
                || operation.kind() == Operation.Kind.SUB_LIST)) {
            rules.add("`include` may name " + names(includable) + ".");
        }
        if (operation.kind() == Operation.Kind.CREATE || operation.kind() == Operation.Kind.UPDATE) {
            rules.addAll(writeRules(type, operation.kind() == Operation.Kind.CREATE));
        }
        if (operation.kind() == Operation.Kind.DELETE) {
            rules.add("Answers a document with `meta` only.");
        }
        if (!rules.isEmpty()) {
            paragraphs.add(String.join(" ", rules));
        }
        return String.join("\n\n", paragraphs);
    }

    /** The rules of a create or PATCH body that the type's description states. */
    private List<String> writeRules(ResourceType type, boolean create) {
        List<String> rules = new ArrayList<>();
        List<String> readOnly = type.attributes().stream().filter(Attribute::readOnly).map(Attribute::name).toList();
        List<String> immutable = type.attributes().stream().filter(a -> !a.readOnly() && a.isImmutable())
                .map(Attribute::name).toList();
        if (create) {
            List<String> required = type.attributes().stream().filter(a -> a.required() && !a.readOnly())
                    .map(Attribute::name).toList();
            List<String> requiredLinks = type.relationships().stream().filter(Relationship::requiredOnCreate)
                    .map(Relationship::name).toList();
            if (!required.isEmpty()) {
                rules.add("Required attributes: " + names(required) + ".");
            }
            if (!requiredLinks.isEmpty()) {
                rules.add("Required relationships: " + names(requiredLinks) + ".");
            }
            rules.add("The server assigns the id: leave `data.id` out or empty (a chosen id answers 403).");
            if (!immutable.isEmpty()) {
                rules.add(names(immutable) + " cannot change after the create.");
            }
            if (type.bulkCreate()) {
                rules.add("Send `data` as an array of up to " + maxBulkItems + " resources for a bulk create: all or "
                        + "nothing, answered in request order.");
            }
            if (type.duplicatesIgnorable()) {
                rules.add("With `meta.ignore_duplicates: true`, a resource that duplicates a stored one is skipped "
                        + "(answered as null) instead of failing the request.");
            }
        } else {
            rules.add("Only the attributes and relationships present change; `null` clears an optional attribute. "
                    + "The body's `id`, when given, must be the path's.");
            if (!immutable.isEmpty()) {
                rules.add("Set on create, never changed: " + names(immutable) + ".");
            }
        }
        List<String> readOnlyLinks = type.relationships().stream().filter(r -> !r.isWritable()).map(Relationship::name)
                .toList();
        List<String> ignored = new ArrayList<>(readOnly);
        ignored.addAll(readOnlyLinks);
        if (!ignored.isEmpty()) {
            rules.add("Read-only, ignored when sent and listed in `meta.ignored`: " + names(ignored) + ".");
        }
        rules.add("Unknown attributes answer 409; every problem of the body is reported together, and nothing "
                + "is stored.");
        return rules;
    }

    private static String status(Operation operation) {
        return Integer.toString(operation.successStatus());
    }

    private ObjectNode custom(Operation operation, JsonNode text) {
        if (!text.path("entry").isObject()) {
            throw new IllegalStateException("custom operation " + operation.operationId() + " has no entry in " + PROSE);
        }
        ObjectNode entry = text.get("entry").deepCopy();
        if (!operation.operationId().equals(entry.path("operationId").asText())) {
            throw new IllegalStateException(PROSE + ": the entry of " + operation.operationId() + " names another operationId");
        }
        JsonNode query = text.path("query");
        if (query.isObject()) {
            ArrayNode parameters = entry.withArrayProperty("parameters");
            ArrayNode generated = NODES.arrayNode();
            query(registry.get(query.path("type").asText()), query.path("collection").asBoolean(), false)
                    .forEach(generated::add);
            markExtensions(operation.operationId(), generated, text);
            ResourceType queried = registry.get(query.path("type").asText());
            parameters.addAll(share(generated, queried));
            ObjectNode responses = entry.withObjectProperty("responses");
            if (query.path("collection").asBoolean() && filtersMayBeOutOfScope(queried) && !responses.has("403")) {
                responses.set("403", ref("responses", "Forbidden"));
            }
        }
        if (!entry.path("description").isTextual() || entry.get("description").asText().isBlank()) {
            throw new IllegalStateException(PROSE + ": the entry of " + operation.operationId() + " has no description");
        }
        if (entry.has("requestBody")) {
            addExamples(operation, (ObjectNode) entry.get("requestBody"), text);
        }
        ObjectNode responses = entry.withObjectProperty("responses");
        // Every bearer-authenticated request is subject to the throttling of failed tokens, as on generic operations.
        boolean bearer = !(entry.path("security").isArray() && entry.get("security").isEmpty());
        if (bearer && !responses.has("429")) {
            responses.set("429", ref("responses", "TooManyRequests"));
        }
        if (!text.path("withoutDatabase").asBoolean() && !responses.has("503")) {
            responses.set("503", ref("responses", "ServiceUnavailable"));
        }
        if (operation.extension()) {
            entry.put(EXTENSION, true);
        }
        return entry;
    }

    /**
     * Moves generated parameters to components/parameters, each distinct one once, and refers to them: the same
     * parameter of many operations is written once. Names follow the parameter ({@code filter[created_at]} →
     * {@code FilterCreatedAt}, {@code ExtFilterCreatedAt} where marked as an extension), with the type's name
     * appended where another type's parameter of that name differs.
     */
    private ArrayNode share(ArrayNode parameters, ResourceType type) {
        ArrayNode refs = NODES.arrayNode();
        for (JsonNode parameter : parameters) {
            String name = parameterNames.get(parameter);
            if (name == null) {
                String base = parameter.path("in").asText().equals("path") ? "ResourceId"
                        : (parameter.path(EXTENSION).asBoolean() ? "Ext" : "") + pascal(parameter.path("name").asText());
                name = base;
                int n = 2;
                while (sharedParameters.has(name)) {
                    name = name.equals(base) ? base + schemaPrefix(type) : base + schemaPrefix(type) + n++;
                }
                sharedParameters.set(name, parameter);
                parameterNames.put(parameter, name);
            }
            refs.add(ref("parameters", name));
        }
        return refs;
    }

    /** "filter[identifier][system]" → "FilterIdentifierSystem". */
    private static String pascal(String parameterName) {
        StringBuilder name = new StringBuilder();
        for (String part : parameterName.split("[\\[\\]_]+")) {
            if (!part.isEmpty()) {
                name.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
            }
        }
        return name.toString();
    }

    /** Generated parameters the prose does not list as the reference's are marked as extensions. */
    private static void markExtensions(String operationId, ArrayNode parameters, JsonNode text) {
        Set<String> reference = new LinkedHashSet<>();
        text.path("referenceParameters").forEach(name -> reference.add(name.asText()));
        Set<String> generated = new LinkedHashSet<>();
        for (JsonNode parameter : parameters) {
            String name = parameter.path("name").asText();
            generated.add(name);
            if (parameter.path("in").asText().equals("query") && !reference.contains(name)) {
                ((ObjectNode) parameter).put(EXTENSION, true);
            }
        }
        for (String name : reference) {
            if (!generated.contains(name)) {
                throw new IllegalStateException(PROSE + ": " + operationId + " lists " + name
                        + " as a reference parameter, but the operation has no such parameter");
            }
        }
    }

    private static String defaultSummary(Operation operation) {
        String name = operation.type().name().replace('_', ' ');
        return switch (operation.kind()) {
            case FETCH -> "Get a " + name;
            case LIST, SUB_LIST -> "List " + name + " resources";
            case CREATE -> "Create a " + name;
            case UPDATE -> "Update a " + name;
            case DELETE -> "Delete a " + name;
            case CUSTOM -> operation.operationId();
        };
    }

    /**
     * Whether a collection of the type takes filters that may name an organization, group or resource outside
     * the caller's scope, which QueryParser answers with 403: a custom collection with such generated query
     * parameters declares 403, as generic lists and sub-collections do.
     */
    private static boolean filtersMayBeOutOfScope(ResourceType type) {
        return type.filters().stream().anyMatch(filter -> filter.kind() == FilterKind.ORGANIZATION
                || filter.kind() == FilterKind.GROUPS || filter.kind() == FilterKind.ID_LIST);
    }

    private static List<String> errorResponses(Operation operation) {
        List<String> names = new ArrayList<>(List.of("Unauthorized", "NotAcceptable"));
        switch (operation.kind()) {
            case FETCH -> names.add("NotFound");
            // A sub-collection takes the filters of its type: one naming an organization or group outside the
            // caller's scope answers 403, as on the collection itself.
            case SUB_LIST -> {
                names.add("Forbidden");
                names.add("NotFound");
            }
            case LIST -> names.add("Forbidden");
            case CREATE -> names.add("Forbidden");
            case UPDATE, DELETE -> {
                names.add("Forbidden");
                names.add("NotFound");
            }
            default -> {
            }
        }
        names.add("Invalid");
        if (operation.kind() == Operation.Kind.CREATE || operation.kind() == Operation.Kind.UPDATE) {
            names.add("PayloadTooLarge");
            names.add("UnsupportedMediaType");
        }
        names.add("TooManyRequests"); // failed bearer tokens are throttled per address
        names.add("ServiceUnavailable"); // the database is out of reach, or a write lost a conflict: send it again
        return names;
    }

    private static String errorStatus(String response) {
        return switch (response) {
            case "Unauthorized" -> "401";
            case "Forbidden" -> "403";
            case "NotFound" -> "404";
            case "NotAcceptable" -> "406";
            case "Invalid" -> "409";
            case "PayloadTooLarge" -> "413";
            case "UnsupportedMediaType" -> "415";
            case "TooManyRequests" -> "429";
            case "ServiceUnavailable" -> "503";
            default -> throw new IllegalStateException("unknown response " + response);
        };
    }

    private static ObjectNode success(String description, String schema) {
        return object("description", description).set("content",
                object().set(JSON_API, object().set("schema", ref(schema))));
    }

    private static ObjectNode requestBody(String schema, Operation operation, JsonNode text) {
        ObjectNode content = object();
        content.set(JSON_API, object().set("schema", ref(schema)));
        content.set("application/json", object().set("schema", ref(schema)));
        ObjectNode body = object("required", true).set("content", content);
        addExamples(operation, body, text);
        return body;
    }

    /**
     * The request examples of the prose ({@code example}, and {@code bulkExample} for a bulk create) on the body's
     * JSON media types: Swagger UI offers the first as the body to send. They name demo resources by id (the demo
     * data's ids are fixed: DemoData.seedOrganization), so each succeeds against {@code serve --demo}.
     */
    private static void addExamples(Operation operation, ObjectNode requestBody, JsonNode text) {
        if (!text.has("example")) {
            return; // OpenApiExamplesTest asks one of every operation the server routes
        }
        for (String mediaType : List.of(JSON_API, "application/json")) {
            JsonNode content = requestBody.path("content").path(mediaType);
            if (!content.isObject()) {
                continue;
            }
            if (text.has("bulkExample")) {
                ObjectNode examples = ((ObjectNode) content).putObject("examples");
                examples.set("one", object("summary", "One resource").set("value", dated(text.get("example"))));
                examples.set("bulk", object("summary", "Several resources (a bulk create)")
                        .set("value", dated(text.get("bulkExample"))));
            } else {
                ((ObjectNode) content).set("example", dated(text.get("example")));
            }
        }
    }

    /**
     * An example with its date tokens replaced: {@code ${now}} / {@code ${now-3}} (a timestamp, days from when the
     * document is generated) and {@code ${date+2}} (a UTC date). The demo data's times are relative to when it
     * was seeded, and its rules compare times (an activation lies within its program's dates, an answer is not
     * in the future): fixed dates in an example would stop succeeding.
     */
    private static JsonNode dated(JsonNode example) {
        if (example.isTextual()) {
            Matcher token = DATE_TOKEN.matcher(example.asText());
            StringBuilder replaced = new StringBuilder();
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            while (token.find()) {
                Instant at = now.plus(token.group(2) == null ? 0 : Long.parseLong(token.group(2)), ChronoUnit.DAYS);
                token.appendReplacement(replaced, token.group(1).equals("now") ? DateTimeFormatter.ISO_INSTANT.format(at)
                        : at.atOffset(ZoneOffset.UTC).toLocalDate().toString());
            }
            token.appendTail(replaced);
            return NODES.textNode(replaced.toString());
        }
        if (example.isObject()) {
            ObjectNode copy = NODES.objectNode();
            example.fields().forEachRemaining(member -> copy.set(member.getKey(), dated(member.getValue())));
            return copy;
        }
        if (example.isArray()) {
            ArrayNode copy = NODES.arrayNode();
            example.forEach(item -> copy.add(dated(item)));
            return copy;
        }
        return example;
    }

    // ---- query parameters ---------------------------------------------------------------------------------------

    private static String parameter(ResourceType type, String filterName) {
        return type.filter(filterName).map(FilterDef::parameter).orElseThrow();
    }

    /** The query parameters QueryParser accepts for the type: a collection's, or a single resource's. */
    List<ObjectNode> query(ResourceType type, boolean collection, boolean requiredFilters) {
        List<ObjectNode> parameters = new ArrayList<>();
        if (collection) {
            List<List<String>> choices = type.requiredFilterChoices();
            for (FilterDef filter : type.filters()) {
                boolean required = requiredFilters && choices.size() == 1 && choices.get(0).equals(List.of(filter.name()));
                parameters.add(filterParameter(filter, filter.parameter(), required, filter.description()));
                for (Map.Entry<String, String> alias : type.filterAliases().entrySet()) {
                    if (alias.getValue().equals(filter.name())) {
                        String aliasParameter = "filter[" + alias.getKey().replace(".", "][") + "]";
                        parameters.add(filterParameter(filter, aliasParameter, false,
                                "Alias of `" + filter.parameter() + "`."));
                    }
                }
            }
            parameters.add(queryParameter("page[number]", "Skip paging: the page, from 1.",
                    object("type", "integer", "minimum", 1, "maximum", Integer.MAX_VALUE, "default", 1)));
            parameters.add(queryParameter("page[size]", "Skip paging: resources per page (0 answers the count only).",
                    object("type", "integer", "minimum", 0, "maximum", type.maxPageSize(), "default",
                            type.defaultPageSize())));
            parameters.add(queryParameter("page[limit]",
                    "Cursor paging: resources per page (0 answers the count only); selects cursor paging.",
                    object("type", "integer", "minimum", 0, "maximum", QueryParser.MAX_CURSOR_LIMIT, "default",
                            QueryParser.DEFAULT_CURSOR_LIMIT)));
            parameters.add(queryParameter("page[after]", "The opaque cursor from `links.next`.",
                    object("type", "string", "minLength", 1)));
            parameters.add(queryParameter("page[cursor]", "Alias of `page[after]`.",
                    object("type", "string", "minLength", 1)));
            List<String> sorts = type.sorts().stream().map(SortField::name).toList();
            if (!sorts.isEmpty()) {
                String one = "-?" + alternatives(sorts);
                parameters.add(queryParameter("sort", "Comma-separated fields, `-` for descending, each once: "
                        + names(sorts) + ". The id always breaks ties.",
                        object("type", "string", "pattern", "^" + one + "(," + one + ")*$")));
            }
        }
        List<Relationship> includable = type.relationships().stream().filter(Relationship::includable).toList();
        if (!includable.isEmpty()) {
            List<String> names = includable.stream().map(Relationship::name).toList();
            String one = alternatives(names);
            // A polymorphic relationship names its types: its included resources may be of any of them.
            String described = String.join(", ", includable.stream().map(relationship -> "`" + relationship.name() + "`"
                    + (relationship.isPolymorphic() ? " (" + String.join(" or ", relationship.targetTypes().stream()
                            .map(target -> "`" + target + "`").toList()) + ")" : "")).toList());
            parameters.add(queryParameter("include", "Comma-separated relationships whose resources to include: "
                    + described + ".", object("type", "string", "pattern", "^" + one + "(," + one + ")*$")));
        }
        Set<ResourceType> fieldTypes = new LinkedHashSet<>();
        fieldTypes.add(type);
        includable.forEach(relationship -> fieldTypes.addAll(registry.targets(relationship)));
        for (ResourceType fieldType : fieldTypes) {
            List<String> fields = new ArrayList<>();
            fieldType.attributes().forEach(attribute -> fields.add(attribute.name()));
            fieldType.relationships().forEach(relationship -> fields.add(relationship.name()));
            String one = alternatives(fields);
            parameters.add(queryParameter("fields[" + fieldType.name() + "]", "Sparse fieldset: the comma-separated "
                    + "attributes and relationships of each `" + fieldType.name() + "` to answer (empty for none): "
                    + names(fields) + ".", object("type", "string", "pattern", "^(" + one + "(," + one + ")*)?$")));
        }
        return parameters;
    }

    private ObjectNode filterParameter(FilterDef filter, String name, boolean required, String description) {
        ObjectNode schema;
        String text = description;
        switch (filter.kind()) {
            case STRING -> schema = object("type", "string", "minLength", 1);
            case BOOLEAN -> schema = object("type", "string").set("enum", NODES.arrayNode().add("true").add("false"));
            case DATE_RANGE -> {
                schema = object("type", "string", "pattern",
                        "^(" + DATE_TIME + "\\.\\.(" + DATE_TIME + ")?|\\.\\." + DATE_TIME + ")$");
                text = text == null ? DATE_RANGE_TEXT : text;
            }
            case ORGANIZATION -> {
                schema = object("type", "string", "pattern", "^" + ID + "$");
                text = text == null ? "An organization id (the caller's own)." : text;
            }
            case ID_LIST, GROUPS -> {
                String id = filter.idTypes().isEmpty() ? ID : "(?:" + String.join("|",
                        filter.idTypes().stream().map(this::idPattern).distinct().toList()) + ")";
                schema = object("type", "string", "pattern", "^" + id + "(," + id + ")*$");
                text = text == null ? "Comma-separated ids." : text;
            }
            default -> throw new IllegalStateException("unhandled filter kind " + filter.kind());
        }
        if (filter.requires() != null && (text == null || !text.contains("filter["))) {
            String partner = "`filter[" + filter.requires().replace(".", "][") + "]`";
            text = (text == null ? "" : text + " ") + "Given together with " + partner + ".";
        }
        ObjectNode parameter = object("name", name, "in", "query", "required", required);
        if (text != null) {
            parameter.put("description", text);
        }
        return parameter.set("schema", schema);
    }

    private static ObjectNode queryParameter(String name, String description, ObjectNode schema) {
        return object("name", name, "in", "query", "required", false, "description", description).set("schema", schema);
    }

    private static String alternatives(List<String> names) {
        for (String name : names) {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalStateException("'" + name + "' cannot be written into a pattern as is");
            }
        }
        return "(" + String.join("|", names) + ")";
    }

    /** The pattern of a type's ids (most are 24 hex characters; a catalogue may keep numeric ones). */
    private String idPattern(String typeName) {
        return registry.get(typeName).idFormat().pattern().pattern();
    }

    /** The ids a relationship's identifiers may carry: its target's, or any of a polymorphic one's targets'. */
    private String idPattern(Relationship relationship) {
        List<String> patterns = relationship.targetTypes().stream().map(this::idPattern).distinct().toList();
        return patterns.size() == 1 ? patterns.get(0) : "(?:" + String.join("|", patterns) + ")";
    }

    /** The types a relationship's identifiers may name (several for a polymorphic to-one). */
    private static ArrayNode targetTypes(Relationship relationship) {
        return strings(relationship.targetTypes().toArray(String[]::new));
    }

    private static String names(List<String> names) {
        return String.join(", ", names.stream().map(name -> "`" + name + "`").toList());
    }

    // ---- schemas ------------------------------------------------------------------------------------------------

    private void resourceSchemas(ResourceType type) {
        String prefix = schemaPrefix(type);
        ObjectNode attributes = attributesSchema(type, false, true);
        if (type.description() != null) {
            attributes.put("description", type.description());
        }
        put(prefix + "Attributes", attributes);

        ObjectNode resource = object("type", "object", "additionalProperties", false);
        if (type.description() != null) {
            resource.put("description", type.description());
        }
        resource.set("required", strings("type", "id", "attributes", "links"));
        ObjectNode properties = resource.putObject("properties");
        properties.set("type", typeSchema(type));
        properties.set("id", object("type", "string"));
        properties.set("attributes", ref(prefix + "Attributes"));
        if (!type.relationships().isEmpty()) {
            ObjectNode relationships = object("type", "object", "additionalProperties", false);
            ObjectNode members = relationships.putObject("properties");
            type.relationships().forEach(relationship -> members.set(relationship.name(), relationshipSchema(relationship)));
            properties.set("relationships", relationships);
        }
        ObjectNode links = object("type", "object", "additionalProperties", false);
        links.set("required", strings("self"));
        ObjectNode linkMembers = links.putObject("properties");
        linkMembers.set("self", object("type", "string", "description", "`/pub/" + type.name() + "/{id}`."));
        if (type.webAppPath() != null) {
            linkMembers.set("twine_web_app", object("type", "string", "description",
                    "The resource in the coaching web app."));
        }
        properties.set("links", links);
        put(prefix + "Resource", resource);

        put(prefix + "Document", responseDocument(ref(prefix + "Resource"), false));
        put(prefix + "Collection", responseDocument(object("type", "array").set("items", ref(prefix + "Resource")), true));

        // Write schemas only where an operation (or the prose) takes them: a type without a create has none.
        boolean creatable = operates(type, Operation.Kind.CREATE) || proseRefers(prefix + "CreateInput");
        boolean updatable = operates(type, Operation.Kind.UPDATE) || proseRefers(prefix + "UpdateInput");
        if (creatable) {
            put(prefix + "CreateInput", inputSchema(type, true));
            put("Create" + prefix + "Request", requestDocument(type, true));
        }
        if (updatable) {
            put(prefix + "UpdateInput", inputSchema(type, false));
            put("Update" + prefix + "Request", requestDocument(type, false));
        }
        if (creatable && (type.bulkCreate() || type.duplicatesIgnorable())) {
            ArrayNode data = NODES.arrayNode().add(ref(prefix + "Resource"));
            if (type.bulkCreate()) {
                data.add(object("type", "array").set("items", ref(prefix + "Resource")));
            }
            if (type.duplicatesIgnorable()) {
                data.add(ref("NullData"));
            }
            ObjectNode document = responseDocument(object(
                    "description", "The " + type.name() + (type.duplicatesIgnorable()
                            ? " (null when meta.ignore_duplicates skipped it)" : "")
                            + (type.bulkCreate() ? ", or the array of a bulk create in request order" : "") + ".")
                    .set("oneOf", data), false);
            put("Create" + prefix + "Response", document);
        }
    }

    private boolean operates(ResourceType type, Operation.Kind kind) {
        return operations.stream().anyMatch(operation -> operation.type() == type && operation.kind() == kind);
    }

    private boolean proseRefers(String schema) {
        return operationProse.findValuesAsText("$ref").contains("#/components/schemas/" + schema)
                || prose.findValuesAsText("$ref").contains("#/components/schemas/" + schema);
    }

    private void put(String name, ObjectNode schema) {
        if (schemas.has(name)) {
            throw new IllegalStateException(PROSE + " defines schema " + name + ", which is generated");
        }
        schemas.set(name, schema);
    }

    private static ObjectNode typeSchema(ResourceType type) {
        return object("type", "string").set("enum", strings(type.name()));
    }

    /**
     * The attributes object; on create it lists the required attributes. As read ({@code read}), an attribute
     * that may be unset is nullable even where a request may not send null.
     */
    private ObjectNode attributesSchema(ResourceType type, boolean create, boolean read) {
        ObjectNode schema = object("type", "object", "additionalProperties", false);
        ArrayNode required = NODES.arrayNode();
        ObjectNode properties = NODES.objectNode();
        for (Attribute attribute : type.attributes()) {
            // A request may carry a read-only attribute with any value (a round-tripped resource): it is ignored.
            ObjectNode property = attributeSchema(attribute);
            if (!read && attribute.readOnly()) {
                property = object("readOnly", true, "description",
                        "Read-only: a sent value is ignored and listed in `meta.ignored`.");
                if (attribute.isExtension()) {
                    property.put(EXTENSION, true);
                }
            }
            if (read && attribute.nullableWhenRead() && !attribute.shape().isNullable()) {
                property.put("nullable", true);
                if (property.has("enum")) {
                    ((ArrayNode) property.get("enum")).addNull();
                }
            }
            properties.set(attribute.name(), property);
            if (create && attribute.required()) {
                required.add(attribute.name());
            }
        }
        if (!required.isEmpty()) {
            schema.set("required", required);
        }
        schema.set("properties", properties);
        return schema;
    }

    static ObjectNode attributeSchema(Attribute attribute) {
        ObjectNode schema = shape(attribute.shape());
        List<String> notes = new ArrayList<>();
        if (schema.has("description")) {
            notes.add(schema.get("description").asText());
        }
        if (attribute.description() != null) {
            notes.add(attribute.description());
        }
        if (attribute.readOnly()) {
            schema.put("readOnly", true);
            notes.add("Read-only: a sent value is ignored and listed in `meta.ignored`.");
        }
        if (attribute.isImmutable()) {
            notes.add("Set on create; cannot change afterwards.");
        }
        if (!notes.isEmpty()) {
            schema.put("description", String.join(" ", notes));
        }
        if (attribute.defaultValue() instanceof JsonNode value) {
            schema.set("default", value);
        } else if (attribute.defaultValue() instanceof String || attribute.defaultValue() instanceof Number
                || attribute.defaultValue() instanceof Boolean) {
            schema.set("default", new ObjectMapper().valueToTree(attribute.defaultValue()));
        }
        if (attribute.isExtension()) {
            schema.put(EXTENSION, true);
        }
        return schema;
    }

    /** The schema of a value of this shape: every rule Shape.read checks that OpenAPI 3.0 can state. */
    static ObjectNode shape(Shape shape) {
        ObjectNode schema = NODES.objectNode();
        switch (shape.kind()) {
            case STRING -> schema.put("type", "string");
            case INTEGER -> schema.put("type", "integer");
            case NUMBER -> schema.put("type", "number");
            case BOOLEAN -> schema.put("type", "boolean");
            case TIMESTAMP -> schema.put("type", "string").put("format", "date-time");
            case DATE -> schema.put("type", "string").put("format", "date");
            case OBJECT -> {
                // Free-form objects (e.g. an action's details) keep what is sent; all others refuse unknown members.
                schema.put("type", "object").put("additionalProperties", shape.allowsAnyMembers());
                ArrayNode required = NODES.arrayNode();
                ObjectNode properties = NODES.objectNode();
                if (shape.serverIdMember() != null) {
                    properties.set(shape.serverIdMember(), object("type", "string", "nullable", true, "readOnly", true,
                            "pattern", "^" + ID + "$", "description", "Assigned by the server."));
                }
                for (Shape.Member member : shape.members()) {
                    properties.set(member.name(), shape(member.shape()));
                    if (member.required()) {
                        required.add(member.name());
                    }
                }
                if (!required.isEmpty()) {
                    schema.set("required", required);
                }
                schema.set("properties", properties);
            }
            case ANY -> schema.put("description", "Any JSON value.");
            case ARRAY -> {
                schema.put("type", "array");
                schema.set("items", shape(shape.itemShape()));
                if (shape.minItems() != null && shape.minItems() > 0) {
                    schema.put("minItems", shape.minItems());
                }
                if (shape.maxItems() != null) {
                    schema.put("maxItems", shape.maxItems());
                }
                if (shape.isDistinct()) {
                    schema.put("uniqueItems", true);
                }
            }
            default -> throw new IllegalStateException("unhandled shape " + shape.kind());
        }
        if (shape.format() == Shape.Format.EMAIL) {
            schema.put("format", "email");
        } else if (shape.format() == Shape.Format.TIME_ZONE) {
            schema.put("description", "An IANA time zone such as America/New_York.");
        }
        if (shape.minLength() != null && shape.minLength() > 0) {
            // Shape refuses blank strings, not only empty ones: at least one character that is not white space.
            schema.put("minLength", shape.minLength());
            schema.put("pattern", "\\S");
        }
        if (shape.maxLength() != null && shape.allowedValues().isEmpty()) {
            schema.put("maxLength", shape.maxLength());
        }
        if (shape.minimum() != null) {
            schema.put("minimum", number(shape.minimum()));
            if (shape.exclusiveMinimum()) {
                schema.put("exclusiveMinimum", true);
            }
        }
        if (shape.maximum() != null) {
            schema.put("maximum", number(shape.maximum()));
        }
        if (!shape.allowedValues().isEmpty()) {
            ArrayNode values = strings(shape.allowedValues().toArray(String[]::new));
            if (shape.isNullable()) {
                values.addNull();
            }
            schema.set("enum", values);
        }
        if (shape.isNullable()) {
            schema.put("nullable", true);
        }
        return schema;
    }

    private static BigDecimal number(BigDecimal value) {
        return value.stripTrailingZeros().scale() <= 0 ? value.setScale(0) : value;
    }

    /** A relationship in a response: linkage, meta.primary where carried, links.related where present. */
    private ObjectNode relationshipSchema(Relationship relationship) {
        ObjectNode identifier = object("type", "object", "additionalProperties", false);
        identifier.set("required", relationship.primaryFlag() != null ? strings("type", "id", "meta") : strings("type", "id"));
        ObjectNode identifierMembers = identifier.putObject("properties");
        identifierMembers.set("type", object("type", "string").set("enum", targetTypes(relationship)));
        identifierMembers.set("id", object("type", "string"));
        if (relationship.primaryFlag() != null) {
            ObjectNode meta = object("type", "object", "additionalProperties", false);
            meta.set("required", strings("primary"));
            meta.putObject("properties").set("primary", object("type", "boolean"));
            identifierMembers.set("meta", meta);
        }
        ObjectNode schema = object("type", "object", "additionalProperties", false);
        schema.set("required", relationship.relatedPath() != null ? strings("data", "links") : strings("data"));
        ObjectNode members = schema.putObject("properties");
        members.set("data", relationship.toMany() ? object("type", "array").set("items", identifier)
                : identifier.put("nullable", true));
        if (relationship.relatedPath() != null) {
            ObjectNode links = object("type", "object", "additionalProperties", false);
            links.set("required", strings("related"));
            links.putObject("properties").set("related", object("type", "string", "description",
                    "`/pub/<type>/{id}/" + relationship.relatedPath() + "`."));
            members.set("links", links);
        }
        if (relationship.extension()) {
            schema.put(EXTENSION, true);
        }
        return schema;
    }

    /** A relationship in a request: resource identifiers checked by BodyReader, or the prose's schema (CUSTOM). */
    private ObjectNode relationshipInput(ResourceType type, Relationship relationship) {
        ObjectNode schema;
        if (relationship.input() == Relationship.Input.CUSTOM) {
            JsonNode given = relationshipInputs == null ? null : relationshipInputs.path(type.name()).get(relationship.name());
            if (given == null || !given.isObject()) {
                throw new IllegalStateException(PROSE + " has no relationshipInputs." + type.name() + "."
                        + relationship.name() + " (the relationship's input is custom)");
            }
            schema = given.deepCopy();
        } else {
            ObjectNode identifier = object("type", "object");
            identifier.set("required", strings("type", "id"));
            ObjectNode members = identifier.putObject("properties");
            members.set("type", object("type", "string").set("enum", targetTypes(relationship)));
            members.set("id", object("type", "string", "pattern", "^" + idPattern(relationship) + "$"));
            // A required relationship cannot be emptied by a PATCH either: BodyReader refuses null for a required
            // to-one and an empty array for a required to-many, whatever the operation.
            boolean needed = relationship.requiredOnCreate() && relationship.isWritable();
            ObjectNode data;
            if (relationship.toMany()) {
                data = object("type", "array").set("items", identifier);
                if (needed) {
                    data.put("minItems", 1);
                }
            } else {
                data = needed ? identifier : identifier.put("nullable", true);
            }
            schema = object("type", "object", "additionalProperties", false);
            schema.set("required", strings("data"));
            ObjectNode properties = schema.putObject("properties");
            properties.set("data", data);
            properties.set("links", object("type", "object"));
            properties.set("meta", object("type", "object"));
            if (!relationship.isWritable()) {
                schema.put("readOnly", true);
                schema.put("description", "Read-only: a sent relationship must be valid linkage; it is ignored and "
                        + "listed in `meta.ignored`.");
            }
        }
        if (relationship.extension()) {
            schema.put(EXTENSION, true);
        }
        return schema;
    }

    /** A resource object of a create or PATCH request, as BodyReader checks it. */
    private ObjectNode inputSchema(ResourceType type, boolean create) {
        ObjectNode schema = object("type", "object", "additionalProperties", false);
        ArrayNode required = strings("type");
        ObjectNode properties = NODES.objectNode();
        properties.set("type", typeSchema(type));
        properties.set("id", create
                ? object("type", "string", "nullable", true, "maxLength", 0, "description",
                        "Leave out, or send an empty string or null: the server assigns ids (a client-chosen id answers 403).")
                : object("type", "string", "nullable", true, "pattern", "^" + idPattern(type.name()) + "$",
                        "description", "When given, the id in the path."));
        if (create) {
            // The create's own copy of the attributes, with those it requires.
            ObjectNode attributes = attributesSchema(type, true, false);
            if (attributes.has("required")) {
                required.add("attributes");
            }
            properties.set("attributes", attributes);
        } else {
            // The request's own copy: null refused where a stored value may still be unset, read-only ones free.
            properties.set("attributes", attributesSchema(type, false, false));
        }
        if (!type.relationships().isEmpty()) {
            ObjectNode relationships = object("type", "object", "additionalProperties", false);
            ArrayNode requiredRelationships = NODES.arrayNode();
            ObjectNode members = NODES.objectNode();
            for (Relationship relationship : type.relationships()) {
                members.set(relationship.name(), relationshipInput(type, relationship));
                if (create && relationship.requiredOnCreate()) {
                    requiredRelationships.add(relationship.name());
                }
            }
            if (!requiredRelationships.isEmpty()) {
                relationships.set("required", requiredRelationships);
                required.add("relationships");
            }
            relationships.set("properties", members);
            properties.set("relationships", relationships);
        }
        properties.set("meta", object("type", "object"));
        properties.set("links", object("type", "object"));
        schema.set("required", required);
        schema.set("properties", properties);
        return schema;
    }

    private ObjectNode requestDocument(ResourceType type, boolean create) {
        String prefix = schemaPrefix(type);
        ObjectNode schema = object("type", "object", "additionalProperties", false);
        schema.set("required", strings("data"));
        ObjectNode properties = schema.putObject("properties");
        ObjectNode meta = object("type", "object");
        if (create && type.duplicatesIgnorable()) {
            meta.putObject("properties").set("ignore_duplicates", object("type", "boolean", "default", false,
                    "description", "Skip (answer null for) resources that duplicate a stored one instead of failing."));
        }
        properties.set("meta", meta);
        JsonNode input = ref(prefix + (create ? "CreateInput" : "UpdateInput"));
        if (create && type.bulkCreate()) {
            ObjectNode bulk = object("type", "array", "minItems", 1, "maxItems", maxBulkItems, "description",
                    "A bulk create: all or nothing, answered in request order.").set("items", input);
            properties.set("data", object().set("oneOf", NODES.arrayNode().add(input).add(bulk)));
        } else {
            properties.set("data", input);
        }
        properties.set("jsonapi", object("type", "object"));
        return schema;
    }

    private static ObjectNode responseDocument(JsonNode data, boolean collection) {
        ObjectNode schema = object("type", "object");
        schema.set("required", collection ? strings("meta", "data", "links") : strings("meta", "data"));
        ObjectNode properties = schema.putObject("properties");
        properties.set("meta", ref("Meta"));
        properties.set("links", ref("CollectionLinks"));
        properties.set("data", data);
        properties.set("included", ref("Included"));
        return schema;
    }

    // ---- JSON helpers -------------------------------------------------------------------------------------------

    private static ObjectNode ref(String schema) {
        return ref("schemas", schema);
    }

    private static ObjectNode ref(String section, String name) {
        return object("$ref", "#/components/" + section + "/" + name);
    }

    private static ArrayNode strings(String... values) {
        ArrayNode array = NODES.arrayNode();
        for (String value : values) {
            array.add(value);
        }
        return array;
    }

    /** An object of name/value pairs (String, Boolean, Integer or Long values). */
    static ObjectNode object(Object... pairs) {
        ObjectNode node = NODES.objectNode();
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            values.put((String) pairs[i], pairs[i + 1]);
        }
        values.forEach((key, value) -> {
            if (value instanceof String text) {
                node.put(key, text);
            } else if (value instanceof Boolean bool) {
                node.put(key, bool);
            } else if (value instanceof Integer number) {
                node.put(key, number);
            } else if (value instanceof Long number) {
                node.put(key, number);
            } else {
                throw new IllegalArgumentException("unsupported value for " + key + ": " + value);
            }
        });
        return node;
    }
}
