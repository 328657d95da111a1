package dev.openplus.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.support.Api;
import dev.openplus.support.CarePlans;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * What a client generated from the document sends: for every operation in the served document, a request built
 * from the document's own schemas alone (the required members, the first value of each enum, a value of each
 * format, and real ids of a fixture organization wherever a path, an identifier or an id-shaped member needs
 * one) is answered 2xx, never refused for its shape; the same request with an unknown member or a value outside
 * an enum is answered 4xx. Every exchange is also held to the document by {@link Api} (responses, and the
 * requests that succeeded), so a status the document does not declare fails here too.
 */
class DocumentDrivenRequestTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final JsonNode DOCUMENT = TestServer.get().openApiDocument();
    static Api api;
    static String token;
    /** Fixture ids by resource type (and a few by the member that holds them). */
    static final Map<String, String> IDS = new HashMap<>();
    /** Values of members and query parameters that only the fixtures can give (credentials, filters). */
    static final Map<String, String> VALUES = new HashMap<>();
    /**
     * Rules between members or resources that a JSON schema cannot state, by operation: the member (a JSON
     * pointer into the minimal request) and a value that keeps them. Each is the server's domain rule, answered
     * as a 409 at that member when broken.
     */
    static final Map<String, Map<String, Object>> RULES_BEYOND_THE_SCHEMA = new HashMap<>();
    /** Creates that a target admits once (an activation per program, an earning per reward, …): a fresh target each. */
    static final Map<String, Runnable> FRESH_TARGETS = new HashMap<>();

    /** One operation of the document, with one of the media types of its request body (null without one). */
    record Call(String method, String path, String operationId, JsonNode operation, String mediaType) {
        @Override
        public String toString() {
            return operationId + " (" + method + " " + path + (mediaType == null ? "" : ", " + mediaType) + ")";
        }

        boolean form() {
            return "application/x-www-form-urlencoded".equals(mediaType);
        }
    }

    @BeforeAll
    static void setUp() {
        TestServer server = TestServer.get();
        api = server.api();
        Fixtures fixtures = new Fixtures(server);
        Fixtures.Tenant tenant = fixtures.tenant("Document Driven Org");
        // The token the requests carry, whose id /pub/oauth/token/{id}/… needs.
        Api.Response issued = fixtures.tokenResponse(tenant.client());
        token = issued.at("/data/attributes/access_token").asText();
        String group = fixtures.group(tenant.organizationId(), "Document Driven Group");
        String coach = fixtures.coach(tenant.organizationId(), "Doc", "Coach", group);
        CarePlans plans = new CarePlans(api);
        String patient = plans.patient(token, group);
        String plan = plans.planOf(token, patient);
        String action = plans.createAction(token, plan, Map.of());
        String lifestyle = plans.createAction(token, plan, Map.of("type", "sleep", "title", "Sleep"));
        String bundle = created("/pub/bundle", Map.of("type", "bundle", "attributes", Map.of("type", "weight",
                "title", "B", "effective_from", "2024-03-01T00:00:00Z"),
                "relationships", Map.of("plan", one("patient_plan_summary", plan))));
        String metric = created("/pub/patient_health_metric", CarePlans.metric(patient, "weight", 80, "2024-03-05T10:00:00Z"));
        Api.Response event = api.post("/pub/calendar_event", token, Api.json(Map.of("data", Map.of("type",
                "calendar_event", "attributes", Map.of("type", "reminder", "all_day", true, "start_at",
                        "2024-05-06T00:00:00Z", "title", "Visit", "attendees", List.of(Map.of("user", coach))),
                "relationships", Map.of("owner", one("patient", patient))))));
        assertThat(event.status()).as(event.body()).isEqualTo(201);
        String program = program(group);
        String activation = created("/pub/reward_program_activation", Map.of("type", "reward_program_activation",
                "attributes", Map.of("activated_at", "2021-01-01T00:00:00Z"), "relationships", Map.of(
                        "reward_program", one("reward_program", program), "patient", one("patient", patient))));
        // Each id the creates link to is still free for them: a program not yet activated for the patient, a
        // reward not yet earned, an earning not yet fulfilled.
        String fulfilledEarning = earning(reward(activation));
        String fulfillment = created("/pub/reward_earning_fulfillment", Map.of("type", "reward_earning_fulfillment",
                "attributes", Map.of("fulfilled_value", 1, "fulfilled_at", "2021-01-04T00:00:00Z"),
                "relationships", Map.of("reward_earning", one("reward_earning", fulfilledEarning))));
        String earning = earning(reward(activation));
        String reward = reward(activation);
        String freeProgram = program(group);
        String profile = api.get("/pub/health_profile?filter[patient]=" + patient, token).at("/data/0/id").asText();
        String question = api.get("/pub/health_profile_question?filter[patient]=" + patient, token)
                .at("/data/0/id").asText();
        String answer = created("/pub/health_profile_answer", Map.of("type", "health_profile_answer",
                "attributes", Map.of("question_id", "4", "value", "1"), "relationships", Map.of("patient",
                        one("patient", patient))));
        String email = created("/pub/email_history", Map.of("type", "email_history", "attributes", Map.of(
                "email_address", "doc@example.com", "email_type", "invite", "send_time", "2017-01-01T00:00:00Z"),
                "relationships", Map.of("receiver", one("patient", patient))));
        String result = api.get("/pub/result?filter[patient]=" + patient, token).at("/data/0/id").asText();
        String definition = api.get("/pub/health_question_definition", token).at("/data/0/id").asText();

        IDS.putAll(Map.ofEntries(Map.entry("organization", tenant.organizationId()), Map.entry("group", group),
                Map.entry("coach", coach), Map.entry("user", coach), Map.entry("patient", patient),
                Map.entry("patient_plan_summary", plan), Map.entry("action", lifestyle), Map.entry("bundle", bundle),
                Map.entry("patient_health_metric", metric), Map.entry("result", result),
                Map.entry("calendar_event", event.at("/data/id").asText()),
                Map.entry("attendee", event.at("/data/attributes/attendees/0/_id").asText()),
                Map.entry("reward_program", freeProgram), Map.entry("reward_program_activation", activation),
                Map.entry("reward", reward), Map.entry("reward_earning", earning),
                Map.entry("reward_earning_fulfillment", fulfillment), Map.entry("health_profile", profile),
                Map.entry("health_profile_question", question), Map.entry("health_profile_answer", answer),
                Map.entry("health_question_definition", definition), Map.entry("email_history", email),
                Map.entry("oauth/token", issued.at("/data/id").asText())));
        IDS.put("groups", group);
        IDS.put("other organization", fixtures.organization("Document Driven Other Org"));
        // The first calendar event type (a plan check-in) is an all-day event.
        RULES_BEYOND_THE_SCHEMA.put("createCalendarEvent", Map.of("/data/attributes/all_day", true));
        // An earning falls within its activation (which expires in 2022 with the fixture's program rules).
        RULES_BEYOND_THE_SCHEMA.put("createRewardEarning", Map.of("/data/attributes/earned_at", "2021-06-01T00:00:00Z"));
        // A program ends after it starts; a reward is allocated within its activation; an answer is one of
        // its question's choices.
        RULES_BEYOND_THE_SCHEMA.put("createRewardProgram", Map.of("/data/attributes/end_at", "2099-01-01T00:00:00Z"));
        RULES_BEYOND_THE_SCHEMA.put("createReward", Map.of("/data/attributes/allocated_at", "2021-06-01T00:00:00Z"));
        RULES_BEYOND_THE_SCHEMA.put("createHealthProfileAnswer", Map.of("/data/attributes/value", "1"));
        // A metric names its patient by id or by meta.query (one of the two), and a weight has a value.
        RULES_BEYOND_THE_SCHEMA.put("createPatientHealthMetric", Map.of("/data/relationships/patient",
                one("patient", patient), "/data/attributes/value", 80));
        FRESH_TARGETS.put("createRewardProgramActivation", () -> IDS.put("reward_program", program(group)));
        FRESH_TARGETS.put("createRewardEarning", () -> IDS.put("reward", reward(activation)));
        FRESH_TARGETS.put("createRewardEarningFulfillment", () -> IDS.put("reward_earning", earning(reward(activation))));
        VALUES.put("question_id", "4");
        VALUES.put("client_id", tenant.client().get("client_id"));
        VALUES.put("client_secret", tenant.client().get("client_secret"));
        VALUES.put("filter[organization]", tenant.organizationId());
        VALUES.put("filter[patient]", patient);
        VALUES.put("filter[receiver]", patient);
        // The change feed's oldest change of the organization (its creation).
        IDS.put("change", api.get("/pub/change?filter[organization]=" + tenant.organizationId() + "&page[limit]=1",
                token).at("/data/0/id").asText());
        assertThat(action).hasSize(24);
    }

    private static String program(String group) {
        return created("/pub/reward_program", Map.of("type", "reward_program", "attributes", Map.of("name",
                "Steps", "start_at", "2020-01-01T00:00:00Z", "end_at", "2099-01-01T00:00:00Z", "budget_value", 1000,
                "fulfill_as_earned", true), "relationships", Map.of("group", one("group", group))));
    }

    private static String reward(String activation) {
        return created("/pub/reward", Map.of("type", "reward", "attributes", Map.of("description", "R",
                "allocated_value", 10, "allocated_at", "2021-01-02T00:00:00Z"),
                "relationships", Map.of("reward_program_activation", one("reward_program_activation", activation))));
    }

    private static String earning(String reward) {
        return created("/pub/reward_earning", Map.of("type", "reward_earning", "attributes", Map.of(
                "earned_value", 10, "earned_at", "2021-01-03T00:00:00Z"), "relationships", Map.of("reward",
                        one("reward", reward))));
    }

    private static Map<String, Object> one(String type, String id) {
        return Map.of("data", Map.of("type", type, "id", id));
    }

    private static String created(String path, Map<String, Object> data) {
        Api.Response response = api.post(path, token, Api.json(Map.of("data", data)));
        assertThat(response.status()).as(path + " " + response.body()).isBetween(200, 201);
        return response.at("/data/id").asText();
    }

    static Stream<Call> calls() {
        List<Call> calls = new ArrayList<>();
        DOCUMENT.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(entry -> {
            String method = entry.getKey().toUpperCase(java.util.Locale.ROOT);
            JsonNode operation = entry.getValue();
            String id = operation.path("operationId").asText();
            JsonNode content = operation.path("requestBody").path("content");
            if (content.isObject()) {
                content.fieldNames().forEachRemaining(type -> calls.add(new Call(method, path.getKey(), id, operation, type)));
            } else {
                calls.add(new Call(method, path.getKey(), id, operation, null));
            }
        }));
        // Deletes last: what they remove is what the other operations work on.
        calls.sort(Comparator.comparing(call -> call.method().equals("DELETE")));
        // The engine's own test types (ProbeResource) are the engine tests' business.
        return calls.stream().filter(call -> !call.path().startsWith("/pub/probe"));
    }

    @Test
    void everyOperationOfTheApplicationIsExercised() {
        List<String> exercised = calls().map(Call::operationId).distinct().toList();
        List<String> operations = TestServer.get().application.operations().stream()
                .filter(operation -> !operation.path().startsWith("/pub/probe"))
                .map(dev.openplus.jsonapi.Operation::operationId).toList();
        assertThat(exercised).containsExactlyInAnyOrderElementsOf(operations).hasSizeGreaterThanOrEqualTo(62);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("calls")
    void aRequestBuiltFromTheDocumentIsAccepted(Call call) {
        if (FRESH_TARGETS.containsKey(call.operationId())) {
            FRESH_TARGETS.get(call.operationId()).run();
        }
        Api.Response response = send(call, body(call), "");
        assertThat(response.status()).as(call + " → " + response.body()).isBetween(200, 299);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("calls")
    void anUnknownMemberOrAWrongEnumValueIsRefused(Call call) {
        JsonNode body = body(call);
        if (body == null) {
            if (hasQueryParameters(call)) {
                Api.Response response = send(call, null, "&filter[not_a_filter]=1");
                assertThat(response.status()).as(call + " → " + response.body()).isBetween(400, 499);
            }
            return;
        }
        // A form request follows RFC 6749, which has the server ignore parameters it does not know.
        if (!call.form()) {
            ObjectNode unknownAtTop = body.deepCopy();
            unknownAtTop.put("not_a_member", 1);
            List<ObjectNode> unknowns = new ArrayList<>(List.of(unknownAtTop));
            if (body.path("data").isObject()) {
                ObjectNode unknownInData = body.deepCopy();
                ((ObjectNode) unknownInData.get("data")).put("not_a_member", 1);
                unknowns.add(unknownInData);
            }
            for (ObjectNode unknown : unknowns) {
                Api.Response refused = send(call, unknown, "");
                assertThat(refused.status()).as(call + " with an unknown member " + unknown + " → " + refused.body())
                        .isBetween(400, 499);
            }
        }

        ObjectNode wrongEnum = body.deepCopy();
        if (replaceFirstEnum(wrongEnum, schemaOf(call))) {
            Api.Response wrong = send(call, wrongEnum, "");
            assertThat(wrong.status()).as(call + " with a value outside an enum → " + wrong.body()).isBetween(400, 499);
        }
    }

    /**
     * Every id a request names has its format in the document: a resource identifier's id (a create's own,
     * which must stay empty, aside), and every member or list of ids (meta.query's organization and groups, an
     * attendee's _id).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("calls")
    void everyIdOfARequestHasItsFormat(Call call) {
        List<String> unformatted = new ArrayList<>();
        if (call.mediaType() != null) {
            idsWithoutFormat(schemaOf(call), "", unformatted, new java.util.HashSet<>());
        }
        assertThat(unformatted).as(call.toString()).isEmpty();
    }

    private static final java.util.Set<String> ID_MEMBERS = java.util.Set.of("id", "organization", "groups", "attendee");

    private static void idsWithoutFormat(JsonNode given, String at, List<String> unformatted, java.util.Set<JsonNode> seen) {
        JsonNode schema = resolve(given);
        if (!seen.add(schema)) {
            return;
        }
        for (String combinator : List.of("oneOf", "anyOf", "allOf")) {
            schema.path(combinator).forEach(part -> idsWithoutFormat(part, at, unformatted, seen));
        }
        idsWithoutFormat(schema.path("items"), at + "/0", unformatted, seen);
        schema.path("properties").fields().forEachRemaining(member -> {
            JsonNode value = resolve(member.getValue());
            JsonNode text = value.path("type").asText().equals("array") ? resolve(value.path("items")) : value;
            boolean id = ID_MEMBERS.contains(member.getKey()) && text.path("type").asText().equals("string")
                    && !text.has("enum") && text.path("maxLength").asInt(1) > 0 && !text.path("readOnly").asBoolean();
            if (id && text.path("pattern").asText().isEmpty()) {
                unformatted.add(at + "/" + member.getKey());
            }
            idsWithoutFormat(member.getValue(), at + "/" + member.getKey(), unformatted, seen);
        });
    }

    /** Every {@code include} parameter, generated or written in the prose, lists what may be included. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("calls")
    void everyIncludeParameterStatesItsRelationships(Call call) {
        for (JsonNode parameter : parameters(call)) {
            if (parameter.path("name").asText().equals("include")) {
                assertThat(parameter.path("schema").path("pattern").asText()).as(call.toString()).startsWith("^(");
            }
        }
    }

    /** A relationship a resource cannot be without may not be cleared by a PATCH, and the document says so. */
    @Test
    void aRequiredToOneIsNotNullableInAnUpdate() {
        List<String> nullable = new ArrayList<>();
        for (dev.openplus.jsonapi.ResourceType type : dev.openplus.Application.registry().types()) {
            JsonNode update = DOCUMENT.path("components").path("schemas")
                    .path(DocumentGenerator.schemaPrefix(type) + "UpdateInput");
            for (dev.openplus.jsonapi.Relationship relationship : type.relationships()) {
                JsonNode data = resolve(update.path("properties").path("relationships").path("properties")
                        .path(relationship.name())).path("properties").path("data");
                if (!update.isMissingNode() && relationship.requiredOnCreate() && relationship.isWritable()
                        && !relationship.toMany() && data.path("nullable").asBoolean()) {
                    nullable.add(type.name() + "." + relationship.name());
                }
            }
        }
        assertThat(nullable).isEmpty();
    }

    /** Operations whose query takes an organization filter: naming another organization is a declared 403. */
    static Stream<Call> organizationFiltered() {
        return calls().filter(call -> call.mediaType() == null && parameters(call).stream()
                .anyMatch(parameter -> parameter.path("name").asText().equals("filter[organization]")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("organizationFiltered")
    void anotherOrganizationInAFilterIsADeclared403(Call call) {
        Api.Response response = send(call, null, "&filter[organization]=" + IDS.get("other organization"));
        assertThat(response.status()).as(call + " → " + response.body()).isEqualTo(403);
        assertThat(call.operation().path("responses").has("403")).as(call + " declares 403").isTrue();
    }

    // ---- requests ---------------------------------------------------------------------------------------------

    private static Api.Response send(Call call, JsonNode body, String extraQuery) {
        String path = call.path();
        if (path.contains("{id}")) {
            String type = path.substring("/pub/".length(), path.indexOf("/{id}"));
            assertThat(IDS).as("a fixture id of " + type).containsKey(type);
            path = path.replace("{id}", IDS.get(type));
        }
        StringBuilder query = new StringBuilder();
        boolean list = parameters(call).stream().anyMatch(p -> p.path("name").asText().equals("page[number]")
                || p.path("name").asText().equals("page[limit]"));
        for (JsonNode parameter : parameters(call)) {
            String name = parameter.path("name").asText();
            if (!parameter.path("in").asText().equals("query")) {
                continue;
            }
            if (extraQuery.contains(name + "=")) {
                continue;
            }
            // A list takes one of its filters where it requires one of several: the first the fixtures can fill.
            boolean wanted = parameter.path("required").asBoolean() || (list && VALUES.containsKey(name)
                    && query.indexOf("filter[") < 0 && !extraQuery.contains("filter[") && name.startsWith("filter["));
            if (wanted) {
                String value = VALUES.containsKey(name) ? VALUES.get(name) : instance(parameter.path("schema"), name).asText();
                query.append(query.length() == 0 ? "?" : "&").append(name).append('=')
                        .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        }
        if (!extraQuery.isEmpty()) {
            query.append(query.length() == 0 ? "?" + extraQuery.substring(1) : extraQuery);
        }
        String contentType = body == null ? null : call.mediaType();
        String text = body == null ? null : contentType.equals("application/x-www-form-urlencoded") ? form(body)
                : body.toString();
        return api.send(call.method(), path + query, token, contentType, text, List.of());
    }

    private static List<JsonNode> parameters(Call call) {
        List<JsonNode> parameters = new ArrayList<>();
        for (JsonNode parameter : call.operation().path("parameters")) {
            parameters.add(parameter.has("$ref") ? DOCUMENT.at(parameter.get("$ref").asText().substring(1)) : parameter);
        }
        return parameters;
    }

    private static boolean hasQueryParameters(Call call) {
        return parameters(call).stream().anyMatch(p -> p.path("in").asText().equals("query"));
    }

    private static JsonNode schemaOf(Call call) {
        return call.mediaType() == null ? null
                : call.operation().path("requestBody").path("content").path(call.mediaType()).path("schema");
    }

    private static JsonNode body(Call call) {
        JsonNode schema = schemaOf(call);
        if (schema == null) {
            return null;
        }
        JsonNode body = instance(schema, "");
        RULES_BEYOND_THE_SCHEMA.getOrDefault(call.operationId(), Map.of()).forEach((pointer, value) -> {
            int slash = pointer.lastIndexOf('/');
            JsonNode parent = body.at(pointer.substring(0, slash));
            if (parent.isMissingNode()) {
                parent = ((ObjectNode) body.at(pointer.substring(0, pointer.lastIndexOf('/', slash - 1))))
                        .putObject(pointer.substring(pointer.lastIndexOf('/', slash - 1) + 1, slash));
            }
            ((ObjectNode) parent).set(pointer.substring(slash + 1), new com.fasterxml.jackson.databind.ObjectMapper()
                    .valueToTree(value));
        });
        return body;
    }

    private static String form(JsonNode body) {
        List<String> pairs = new ArrayList<>();
        body.fields().forEachRemaining(member -> pairs.add(member.getKey() + "="
                + URLEncoder.encode(member.getValue().asText(), StandardCharsets.UTF_8)));
        return String.join("&", pairs);
    }

    // ---- instances of schemas ---------------------------------------------------------------------------------

    private static JsonNode resolve(JsonNode schema) {
        JsonNode resolved = schema;
        while (resolved.has("$ref")) {
            resolved = DOCUMENT.at(resolved.get("$ref").asText().substring(1));
        }
        if (resolved.has("oneOf")) {
            return resolve(resolved.get("oneOf").get(0));
        }
        if (resolved.has("allOf")) {
            ObjectNode merged = NODES.objectNode();
            ObjectNode properties = merged.putObject("properties");
            ArrayNode required = merged.putArray("required");
            for (JsonNode part : resolved.get("allOf")) {
                JsonNode one = resolve(part);
                one.fields().forEachRemaining(member -> {
                    if (!member.getKey().equals("properties") && !member.getKey().equals("required")) {
                        merged.set(member.getKey(), member.getValue());
                    }
                });
                one.path("properties").fields().forEachRemaining(p -> properties.set(p.getKey(), p.getValue()));
                one.path("required").forEach(required::add);
            }
            return merged;
        }
        return resolved;
    }

    /**
     * A minimal valid instance: required members only (and optional ones the fixtures have a value for), the
     * first enum value, a value of the format or id pattern, the minimum of numbers and of arrays.
     */
    static JsonNode instance(JsonNode given, String name) {
        JsonNode schema = resolve(given);
        if (schema.has("enum")) {
            for (JsonNode value : schema.get("enum")) {
                if (!value.isNull()) {
                    return value;
                }
            }
        }
        String type = schema.path("type").asText(schema.has("properties") ? "object" : "string");
        switch (type) {
            case "object" -> {
                ObjectNode object = NODES.objectNode();
                List<String> required = new ArrayList<>();
                schema.path("required").forEach(member -> required.add(member.asText()));
                JsonNode properties = schema.path("properties");
                // A resource identifier's id goes with its type, also where meta.query could stand in for it.
                if (properties.has("type") && properties.has("id") && !properties.has("attributes")
                        && !required.contains("id") && resolve(properties.get("id")).path("maxLength").asInt(1) > 0) {
                    required.add("id");
                }
                Iterator<String> names = properties.fieldNames();
                while (names.hasNext()) {
                    String member = names.next();
                    if (!required.contains(member) && VALUES.containsKey(member)) {
                        required.add(member);
                    }
                }
                for (String member : required) {
                    if (member.equals("id") && object.has("type") && IDS.containsKey(object.get("type").asText())) {
                        object.put("id", IDS.get(object.get("type").asText()));
                    } else {
                        object.set(member, instance(properties.path(member), member));
                    }
                }
                return object;
            }
            case "array" -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = 0; i < Math.max(1, schema.path("minItems").asInt(0)) && schema.path("minItems").asInt(0) > 0; i++) {
                    array.add(instance(schema.path("items"), name));
                }
                return array;
            }
            case "integer", "number" -> {
                if (!schema.has("minimum")) {
                    return NODES.numberNode(1);
                }
                return schema.path("exclusiveMinimum").asBoolean()
                        ? NODES.numberNode(schema.get("minimum").decimalValue().add(java.math.BigDecimal.ONE))
                        : schema.get("minimum");
            }
            case "boolean" -> {
                return NODES.booleanNode(false);
            }
            default -> {
                if (VALUES.containsKey(name)) {
                    return NODES.textNode(VALUES.get(name));
                }
                String format = schema.path("format").asText();
                String pattern = schema.path("pattern").asText();
                if (format.equals("date-time")) {
                    return NODES.textNode("2024-03-01T00:00:00.000Z");
                }
                if (format.equals("date")) {
                    return NODES.textNode("2024-03-01");
                }
                if (format.equals("email")) {
                    return NODES.textNode("someone@example.com");
                }
                if (pattern.contains("[0-9a-f]{24}")) {
                    assertThat(IDS).as("a fixture id for the member " + name).containsKey(name);
                    return NODES.textNode(IDS.get(name));
                }
                return NODES.textNode(schema.path("maxLength").asInt(1) == 0 ? "" : "x");
            }
        }
    }

    /** Puts a value outside the enum of the first enum-valued member (in document order); false if none. */
    private static boolean replaceFirstEnum(JsonNode instance, JsonNode given) {
        if (given == null || instance == null) {
            return false;
        }
        JsonNode schema = resolve(given);
        if (instance.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> members = instance.fields();
            while (members.hasNext()) {
                Map.Entry<String, JsonNode> member = members.next();
                JsonNode memberSchema = schema.path("properties").path(member.getKey());
                if (memberSchema.isMissingNode()) {
                    continue;
                }
                if (resolve(memberSchema).has("enum") && member.getValue().isTextual()) {
                    ((ObjectNode) instance).put(member.getKey(), "not-a-listed-value");
                    return true;
                }
                if (replaceFirstEnum(member.getValue(), memberSchema)) {
                    return true;
                }
            }
        } else if (instance.isArray()) {
            for (JsonNode item : instance) {
                if (replaceFirstEnum(item, schema.path("items"))) {
                    return true;
                }
            }
        }
        return false;
    }
}
