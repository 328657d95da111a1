package dev.openplus.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The Fitbit Plus API's own facts (reference-facts.json, reduced from the reference by tools/reference-facts.py)
 * and the differences OpenPlus makes on purpose (deviations.yaml, each with its reason). The server's OpenAPI
 * document is generated from the same descriptions the server enforces, so holding exchanges to it cannot catch
 * a wrong description; these facts come from outside it.
 *
 * <p>A difference is a short key: {@code <operationId> status 403}, {@code <type> /attributes/gender enum-extra}
 * (the forms are listed in deviations.yaml). A difference that no deviation names is a failure.
 */
public final class ReferenceFacts {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern DATE_TIME = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static ReferenceFacts instance;

    /** operationId → method, path, statuses, parameters, data {type, many}, included. */
    public final JsonNode operations;
    /** type name → attributes (schema facts), relationships (name → to-one / to-many), required members. */
    public final JsonNode types;
    private final List<Deviation> deviations;

    /** A deliberate difference from the reference: the keys it covers (a {@code *} matches anything) and why. */
    public record Deviation(List<String> differences, String reason) {
        boolean covers(String difference) {
            return differences.stream().anyMatch(glob -> glob(glob).matcher(difference).matches());
        }

        boolean covers(String glob, String difference) {
            return glob(glob).matcher(difference).matches();
        }

        private static Pattern glob(String glob) {
            return Pattern.compile(Pattern.quote(glob).replace("*", "\\E.*\\Q"));
        }
    }

    private ReferenceFacts(JsonNode facts, JsonNode deviations) {
        this.operations = facts.get("operations");
        this.types = facts.get("types");
        List<Deviation> list = new ArrayList<>();
        for (JsonNode deviation : deviations.path("deviations")) {
            List<String> keys = new ArrayList<>();
            deviation.path("differences").forEach(key -> keys.add(key.asText()));
            String reason = deviation.path("reason").asText("");
            if (keys.isEmpty() || reason.isBlank()) {
                throw new IllegalStateException("deviations.yaml: every deviation names its differences and a reason: "
                        + deviation);
            }
            list.add(new Deviation(List.copyOf(keys), reason));
        }
        this.deviations = List.copyOf(list);
    }

    public static synchronized ReferenceFacts get() {
        if (instance == null) {
            instance = new ReferenceFacts(read(JSON, "/reference/reference-facts.json"),
                    read(YAML, "/reference/deviations.yaml"));
        }
        return instance;
    }

    private static JsonNode read(ObjectMapper mapper, String resource) {
        try (InputStream in = ReferenceFacts.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the test classpath");
            }
            return mapper.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Deviation> deviations() {
        return deviations;
    }

    /** Whether a deviation names this difference. */
    public boolean deliberate(String difference) {
        return deviations.stream().anyMatch(deviation -> deviation.covers(difference));
    }

    /** The differences no deviation names. */
    public List<String> undeclared(Set<String> differences) {
        return differences.stream().filter(difference -> !deliberate(difference)).toList();
    }

    /** Deviation keys that match none of these differences (a deviation the server no longer makes). */
    public List<String> stale(Set<String> differences) {
        List<String> stale = new ArrayList<>();
        for (Deviation deviation : deviations) {
            for (String key : deviation.differences()) {
                if (differences.stream().noneMatch(difference -> deviation.covers(key, difference))) {
                    stale.add(key);
                }
            }
        }
        return stale;
    }

    // ---- (b) an answer's resources against the facts ----------------------------------------------------------------

    /**
     * The differences from the reference's facts in one response body: the attributes of each resource in
     * {@code data} and {@code included} that the reference describes (type, format, enum, nested members) and the
     * linkage kind of its relationships. Attributes the reference does not know are the server document's business.
     */
    public Set<String> responseDifferences(JsonNode body) {
        Set<String> differences = new TreeSet<>();
        JsonNode data = body.path("data");
        if (data.isArray()) {
            data.forEach(resource -> resource(resource, differences));
        } else if (data.isObject()) {
            resource(data, differences);
        }
        body.path("included").forEach(resource -> resource(resource, differences));
        return differences;
    }

    private void resource(JsonNode resource, Set<String> differences) {
        String type = resource.path("type").asText();
        JsonNode facts = types.get(type);
        if (facts == null) {
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> attributes = facts.path("attributes").fields();
        while (attributes.hasNext()) {
            Map.Entry<String, JsonNode> attribute = attributes.next();
            JsonNode value = resource.path("attributes").get(attribute.getKey());
            if (value != null) {
                value(type, "/attributes/" + attribute.getKey(), attribute.getValue(), value, differences);
            }
        }
        Iterator<Map.Entry<String, JsonNode>> relationships = facts.path("relationships").fields();
        while (relationships.hasNext()) {
            Map.Entry<String, JsonNode> relationship = relationships.next();
            JsonNode linkage = resource.path("relationships").path(relationship.getKey()).get("data");
            if (linkage != null && !linkage.isNull()
                    && linkage.isArray() != relationship.getValue().asText().equals("to-many")) {
                differences.add(type + " /relationships/" + relationship.getKey() + " linkage");
            }
        }
    }

    private static void value(String type, String pointer, JsonNode facts, JsonNode value, Set<String> differences) {
        if (value.isNull()) {
            return;
        }
        String expected = facts.path("type").asText("");
        boolean fits = switch (expected) {
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            default -> true;
        };
        if (!fits) {
            differences.add(type + " " + pointer + " type");
            return;
        }
        String format = facts.path("format").asText("");
        if (value.isTextual() && ((format.equals("date-time") && !DATE_TIME.matcher(value.asText()).matches())
                || (format.equals("date") && !DATE.matcher(value.asText()).matches()))) {
            differences.add(type + " " + pointer + " format");
        }
        if (facts.has("enum") && value.isValueNode() && !contains(facts.get("enum"), value)) {
            differences.add(type + " " + pointer + " enum-extra");
        }
        if (value.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> members = facts.path("properties").fields();
            while (members.hasNext()) {
                Map.Entry<String, JsonNode> member = members.next();
                JsonNode memberValue = value.get(member.getKey());
                if (memberValue != null) {
                    value(type, pointer + "/" + member.getKey(), member.getValue(), memberValue, differences);
                }
            }
        } else if (value.isArray() && facts.has("items")) {
            value.forEach(item -> value(type, pointer + "/items", facts.get("items"), item, differences));
        }
    }

    private static boolean contains(JsonNode values, JsonNode value) {
        for (JsonNode candidate : values) {
            if (candidate.equals(value) || (candidate.isNumber() && value.isNumber()
                    && candidate.decimalValue().compareTo(value.decimalValue()) == 0)) {
                return true;
            }
        }
        return false;
    }

    // ---- (a) the server's OpenAPI document against the facts --------------------------------------------------------

    /** Every difference between the server's OpenAPI 3 document and the reference's facts. */
    public Set<String> documentDifferences(JsonNode document) {
        return new DocumentComparison(document).differences();
    }

    private final class DocumentComparison {
        private final JsonNode document;
        private final Set<String> differences = new TreeSet<>();
        private final Set<String> typesChecked = new LinkedHashSet<>();

        DocumentComparison(JsonNode document) {
            this.document = document;
        }

        Set<String> differences() {
            Iterator<Map.Entry<String, JsonNode>> entries = operations.fields();
            while (entries.hasNext()) {
                Map.Entry<String, JsonNode> entry = entries.next();
                operation(entry.getKey(), entry.getValue());
            }
            Iterator<String> names = types.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!typesChecked.contains(name)) {
                    differences.add(name + " missing");
                }
            }
            return differences;
        }

        private void operation(String id, JsonNode facts) {
            JsonNode found = null;
            String foundKey = null;
            Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
            while (paths.hasNext() && found == null) {
                Map.Entry<String, JsonNode> path = paths.next();
                Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields();
                while (methods.hasNext()) {
                    Map.Entry<String, JsonNode> method = methods.next();
                    if (id.equals(method.getValue().path("operationId").asText())) {
                        found = method.getValue();
                        foundKey = method.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
                    }
                }
            }
            if (found == null) {
                differences.add(id + " missing");
                return;
            }
            // The reference's paths are relative to its basePath, /pub.
            if (!foundKey.equals(facts.get("method").asText() + " /pub" + facts.get("path").asText())) {
                differences.add(id + " path");
            }
            JsonNode responses = found.path("responses");
            for (JsonNode status : facts.get("statuses")) {
                if (!responses.has(status.asText())) {
                    differences.add(id + " status " + status.asText());
                }
            }
            Set<String> parameters = new LinkedHashSet<>();
            for (JsonNode parameter : found.path("parameters")) {
                JsonNode resolved = resolve(parameter);
                if (resolved.path("in").asText().equals("query")) {
                    parameters.add(resolved.path("name").asText());
                }
            }
            for (JsonNode parameter : facts.path("parameters")) {
                if (!parameters.contains(parameter.asText())) {
                    differences.add(id + " parameter " + parameter.asText());
                }
            }
            JsonNode data = facts.get("data");
            if (data == null) {
                return;
            }
            boolean referencePages = false;
            for (JsonNode parameter : facts.path("parameters")) {
                referencePages |= parameter.asText().startsWith("page[");
            }
            if (data.path("many").asBoolean() && !referencePages && parameters.contains("page[size]")) {
                differences.add(id + " paged");
            }
            JsonNode success = successSchema(responses, facts.get("statuses"));
            if (success == null) {
                differences.add(id + " data");
                return;
            }
            String type = data.get("type").asText();
            List<JsonNode> resources = new ArrayList<>();
            boolean[] many = {false, false};
            dataResources(resolve(success.path("properties").path("data")), type, resources, many);
            if (resources.isEmpty()) {
                differences.add(id + " data " + type);
                return;
            }
            if (data.path("many").asBoolean() ? !many[0] : !many[1]) {
                differences.add(id + " data " + (data.path("many").asBoolean() ? "many" : "one"));
            }
            if (facts.has("included")) {
                // The reference types this answer's included resources: the server allows those, and no others.
                JsonNode included = resolve(success.path("properties").path("included"));
                Set<String> referenceTypes = strings(facts.get("included"));
                for (String includedType : referenceTypes) {
                    List<JsonNode> allowed = new ArrayList<>();
                    dataResources(included, includedType, allowed, new boolean[2]);
                    if (allowed.isEmpty()) {
                        differences.add(id + " included " + includedType);
                    }
                }
                Iterator<String> names = types.fieldNames();
                while (names.hasNext()) {
                    String other = names.next();
                    List<JsonNode> allowed = new ArrayList<>();
                    dataResources(included, other, allowed, new boolean[2]);
                    if (!referenceTypes.contains(other) && !allowed.isEmpty()) {
                        differences.add(id + " included-extra " + other);
                    }
                }
            }
            if (typesChecked.add(type)) {
                type(type, types.get(type), resources.get(0));
            }
            if (facts.get("method").asText().equals("POST")
                    && types.get(type).path("requiredIn").asText().equals("create")) {
                JsonNode request = found.path("requestBody").path("content").path("application/vnd.api+json")
                        .path("schema");
                List<JsonNode> inputs = new ArrayList<>();
                dataResources(resolve(resolve(request).path("properties").path("data")), type, inputs, new boolean[2]);
                if (!inputs.isEmpty()) {
                    createRequirements(type, types.get(type), inputs.get(0));
                }
            }
        }

        /** The schema of the success answer the reference declares (or, failing that, the server's first 2xx). */
        private JsonNode successSchema(JsonNode responses, JsonNode statuses) {
            List<String> candidates = new ArrayList<>();
            statuses.forEach(status -> candidates.add(status.asText()));
            responses.fieldNames().forEachRemaining(candidates::add);
            for (String status : candidates) {
                if (status.startsWith("2") && responses.has(status)) {
                    JsonNode schema = resolve(resolve(responses.get(status)).path("content")
                            .path("application/vnd.api+json").path("schema"));
                    if (!schema.isMissingNode()) {
                        return schema;
                    }
                }
            }
            return null;
        }

        /**
         * The resource schemas of this type a data (or included) schema allows; many[0] is set where an array of
         * them is allowed, many[1] where a single one is.
         */
        private void dataResources(JsonNode schema, String type, List<JsonNode> found, boolean[] many) {
            for (String combinator : List.of("oneOf", "anyOf", "allOf")) {
                for (JsonNode part : schema.path(combinator)) {
                    dataResources(resolve(part), type, found, many);
                }
            }
            if (schema.path("type").asText().equals("array")) {
                List<JsonNode> items = new ArrayList<>();
                dataResources(resolve(schema.path("items")), type, items, new boolean[2]);
                if (!items.isEmpty()) {
                    many[0] = true;
                    found.addAll(items);
                }
            } else if (schema.path("properties").has("type")) {
                JsonNode typeSchema = resolve(schema.path("properties").path("type"));
                if (!typeSchema.has("enum") || contains(typeSchema.get("enum"), JsonNodeFactory.instance.textNode(type))) {
                    many[1] = true;
                    found.add(schema);
                }
            }
        }

        private void type(String type, JsonNode facts, JsonNode resource) {
            JsonNode attributes = resolve(resource.path("properties").path("attributes"));
            Iterator<Map.Entry<String, JsonNode>> members = facts.path("attributes").fields();
            while (members.hasNext()) {
                Map.Entry<String, JsonNode> member = members.next();
                JsonNode server = attributes.path("properties").get(member.getKey());
                if (server == null) {
                    differences.add(type + " /attributes/" + member.getKey() + " missing");
                } else {
                    schema(type, "/attributes/" + member.getKey(), member.getValue(), resolve(server));
                }
            }
            Iterator<Map.Entry<String, JsonNode>> serverMembers = attributes.path("properties").fields();
            while (serverMembers.hasNext()) {
                Map.Entry<String, JsonNode> member = serverMembers.next();
                if (!facts.path("attributes").has(member.getKey())
                        && !resolve(member.getValue()).path("x-openplus-extension").asBoolean()) {
                    differences.add(type + " /attributes/" + member.getKey() + " extra");
                }
            }
            JsonNode relationships = resolve(resource.path("properties").path("relationships")).path("properties");
            Iterator<Map.Entry<String, JsonNode>> links = facts.path("relationships").fields();
            while (links.hasNext()) {
                Map.Entry<String, JsonNode> link = links.next();
                JsonNode server = relationships.get(link.getKey());
                if (server == null) {
                    differences.add(type + " /relationships/" + link.getKey() + " missing");
                    continue;
                }
                boolean toMany = resolve(resolve(server).path("properties").path("data")).path("type").asText()
                        .equals("array");
                if (toMany != link.getValue().asText().equals("to-many")) {
                    differences.add(type + " /relationships/" + link.getKey() + " linkage");
                }
            }
            Iterator<Map.Entry<String, JsonNode>> serverLinks = relationships.fields();
            while (serverLinks.hasNext()) {
                Map.Entry<String, JsonNode> link = serverLinks.next();
                if (!facts.path("relationships").has(link.getKey())
                        && !resolve(link.getValue()).path("x-openplus-extension").asBoolean()) {
                    differences.add(type + " /relationships/" + link.getKey() + " extra");
                }
            }
            if (facts.path("requiredIn").asText().equals("response")) {
                // Every answer carries these, with a value.
                Set<String> required = strings(attributes.path("required"));
                for (JsonNode name : facts.path("required")) {
                    JsonNode server = resolve(attributes.path("properties").path(name.asText()));
                    if (!required.contains(name.asText()) && (server.isMissingNode() || server.path("nullable").asBoolean())) {
                        differences.add(type + " required " + name.asText());
                    }
                }
            }
        }

        private void createRequirements(String type, JsonNode facts, JsonNode input) {
            Set<String> reference = strings(facts.path("required"));
            Set<String> server = strings(resolve(input.path("properties").path("attributes")).path("required"));
            if (!reference.equals(server)) {
                differences.add(type + " required");
            }
            Set<String> referenceLinks = strings(facts.path("requiredRelationships"));
            Set<String> serverLinks = strings(resolve(input.path("properties").path("relationships")).path("required"));
            if (!referenceLinks.equals(serverLinks)) {
                differences.add(type + " required-relationships");
            }
        }

        /** A value's schema: type, format, enum and (nested) members. */
        private void schema(String type, String pointer, JsonNode facts, JsonNode server) {
            String expected = facts.path("type").asText("");
            String actual = server.path("type").asText("");
            if (!expected.isEmpty() && !expected.equals(actual) && !(expected.equals("number") && actual.equals("integer"))) {
                differences.add(type + " " + pointer + " type");
                return;
            }
            if (facts.has("format") && !facts.get("format").asText().equals(server.path("format").asText())) {
                differences.add(type + " " + pointer + " format");
            }
            if (facts.has("enum")) {
                if (!server.has("enum") && rangeOf(facts.get("enum"), server)) {
                    // e.g. week days 0…6: the server states the same values as minimum and maximum
                } else if (!server.has("enum")) {
                    differences.add(type + " " + pointer + " enum-extra");
                } else {
                    Set<JsonNode> serverValues = new LinkedHashSet<>();
                    server.get("enum").forEach(value -> {
                        if (!value.isNull()) {
                            serverValues.add(value);
                        }
                    });
                    for (JsonNode value : facts.get("enum")) {
                        if (!contains(server.get("enum"), value)) {
                            differences.add(type + " " + pointer + " enum-missing");
                            break;
                        }
                    }
                    if (serverValues.stream().anyMatch(value -> !contains(facts.get("enum"), value))) {
                        differences.add(type + " " + pointer + " enum-extra");
                    }
                }
            }
            if (facts.has("properties")) {
                Iterator<Map.Entry<String, JsonNode>> members = facts.get("properties").fields();
                while (members.hasNext()) {
                    Map.Entry<String, JsonNode> member = members.next();
                    JsonNode serverMember = server.path("properties").get(member.getKey());
                    if (serverMember == null) {
                        if (!server.path("additionalProperties").asBoolean(true) || server.has("properties")) {
                            differences.add(type + " " + pointer + "/" + member.getKey() + " missing");
                        }
                    } else {
                        schema(type, pointer + "/" + member.getKey(), member.getValue(), resolve(serverMember));
                    }
                }
                Iterator<String> serverNames = server.path("properties").fieldNames();
                while (serverNames.hasNext()) {
                    String name = serverNames.next();
                    if (!facts.get("properties").has(name)) {
                        differences.add(type + " " + pointer + "/" + name + " extra");
                    }
                }
            }
            if (facts.has("items")) {
                schema(type, pointer + "/items", facts.get("items"), resolve(server.path("items")));
            }
        }

        /** Whether integer enum values are exactly the server's minimum…maximum. */
        private static boolean rangeOf(JsonNode values, JsonNode server) {
            if (!server.has("minimum") || !server.has("maximum") || server.path("exclusiveMinimum").asBoolean()) {
                return false;
            }
            Set<Long> expected = new TreeSet<>();
            for (JsonNode value : values) {
                if (!value.isIntegralNumber()) {
                    return false;
                }
                expected.add(value.asLong());
            }
            Set<Long> range = new TreeSet<>();
            for (long value = server.get("minimum").asLong(); value <= server.get("maximum").asLong() && range.size() <= expected.size(); value++) {
                range.add(value);
            }
            return range.equals(expected);
        }

        /** A schema with its $ref followed (within the document). */
        private JsonNode resolve(JsonNode schema) {
            JsonNode current = schema;
            int hops = 0;
            while (current.has("$ref") && hops++ < 20) {
                current = document.at(current.get("$ref").asText().substring(1));
            }
            return current;
        }
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> values = new TreeSet<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
