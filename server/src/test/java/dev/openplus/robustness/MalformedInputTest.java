package dev.openplus.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * Every bad input gets the right 4xx with its code and source, never a 5xx, and changes nothing. Table-driven:
 * a new endpoint joins by adding a {@link Write} or a {@link Collection} row.
 */
class MalformedInputTest {
    static TestServer server;
    static Api api;
    static Fixtures.Tenant tenant;
    static String group;
    static String patient;
    static String email;

    /** A write endpoint and a valid resource object for it, which the cases spoil one way each. */
    record Write(String name, String method, String path, String type, Map<String, Object> valid,
            Map<String, Object> wrongTypes, Map<String, Object> invalidValues, List<String> required, String stringAttribute) {
    }

    /** A collection endpoint with the filters it requires, its resource type, and its largest page[size]. */
    record Collection(String path, String type, boolean dateFilters, int maxPageSize) {
        Collection(String path, String type, boolean dateFilters) {
            this(path, type, dateFilters, 50);
        }
    }

    @BeforeAll
    static void setUp() {
        server = TestServer.get();
        api = server.api();
        Fixtures fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Malformed Input Org");
        group = fixtures.group(tenant.organizationId(), "Robust");
        patient = api.post("/pub/patient", tenant.token(), Api.json(Map.of("data", Map.of("type", "patient",
                "attributes", Map.of("first_name", "Rob"),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group))))))))
                .at("/data/id").asText();
        Api.Response recorded = api.post("/pub/email_history", tenant.token(), Api.json(Map.of("data", Map.of(
                "type", "email_history", "attributes", Map.of("email_address", "rob@example.com", "email_type", "invite",
                        "send_time", "2017-01-01T00:00:00Z"),
                "relationships", Map.of("receiver", Map.of("data", Map.of("type", "patient", "id", patient)))))));
        assertThat(recorded.status()).as(recorded.body()).isEqualTo(201);
        email = recorded.at("/data/id").asText();
    }

    static List<Write> writes() {
        Map<String, Object> patientRelationships = Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", "GROUP"))));
        Map<String, Object> patientWrongTypes = new LinkedHashMap<>();
        patientWrongTypes.put("first_name", 1);
        patientWrongTypes.put("last_name", List.of());
        patientWrongTypes.put("email_address", false);
        patientWrongTypes.put("phone_numbers", "555");
        patientWrongTypes.put("addresses", Map.of());
        patientWrongTypes.put("identifiers", 3);
        patientWrongTypes.put("birth_date", 19440306);
        patientWrongTypes.put("gender", true);
        patientWrongTypes.put("note", Map.of());
        patientWrongTypes.put("archive_history", "archived");
        Map<String, Object> patientInvalid = new LinkedHashMap<>();
        patientInvalid.put("gender", "unknown");
        patientInvalid.put("birth_date", "1944-02-30");
        patientInvalid.put("email_address", "fiona-at-example");
        Map<String, Object> validEmail = Map.of("type", "email_history", "attributes", Map.of(
                "email_address", "rob@example.com", "email_type", "invite", "send_time", "2017-01-01T00:00:00Z"),
                "relationships", Map.of("receiver", Map.of("data", Map.of("type", "patient", "id", "PATIENT"))));
        Map<String, Object> emailWrongTypes = new LinkedHashMap<>();
        emailWrongTypes.put("email_address", 5);
        emailWrongTypes.put("email_type", true);
        emailWrongTypes.put("send_time", 1_500_000_000);
        emailWrongTypes.put("status_times", "open");
        Map<String, Object> validPatient = Map.of("type", "patient", "attributes", Map.of("first_name", "Ok"),
                "relationships", patientRelationships);
        return List.of(
                new Write("create group", "POST", "/pub/group", "group",
                        Map.of("type", "group", "attributes", Map.of("name", "Fine")),
                        Map.of("name", 5, "bio", List.of(1)), Map.of(), List.of("name"), "name"),
                new Write("create patient", "POST", "/pub/patient", "patient", validPatient, patientWrongTypes,
                        patientInvalid, List.of(), "first_name"),
                new Write("update patient", "PATCH", "/pub/patient/PATIENT", "patient",
                        Map.of("type", "patient", "id", "PATIENT", "attributes", Map.of("note", "x")), patientWrongTypes,
                        patientInvalid, List.of(), "note"),
                new Write("upsert patient", "PUT", "/pub/patient", "patient", validPatient, patientWrongTypes,
                        patientInvalid, List.of(), "last_name"),
                new Write("create health profile answer", "POST", "/pub/health_profile_answer", "health_profile_answer",
                        Map.of("type", "health_profile_answer", "attributes", Map.of("question_id", "4", "value", "1"),
                                "relationships", Map.of("patient", Map.of("data", Map.of("type", "patient", "id", "PATIENT")))),
                        Map.of("question_id", 4, "value", List.of("1"), "answered_at", 1_500_000_000),
                        Map.of("value", "9", "question_id", "999", "answered_at", "2017-02-30T00:00:00Z"),
                        List.of("question_id"), "value"),
                new Write("create email history", "POST", "/pub/email_history", "email_history", validEmail,
                        emailWrongTypes, Map.of("email_address", "rob-at-example", "send_time", "2017-02-30T00:00:00Z"),
                        List.of("email_address"), "email_type"),
                new Write("update email history", "PATCH", "/pub/email_history/EMAIL", "email_history",
                        Map.of("type", "email_history", "id", "EMAIL",
                                "attributes", Map.of("status_times", Map.of("open", "2017-01-01T01:00:00Z"))),
                        emailWrongTypes, Map.of("email_address", "rob-at-example", "send_time", "2017-02-30T00:00:00Z"),
                        List.of(), "email_type"));
    }

    /** One case: a body, and the status, code and pointer it must answer with. */
    record Case(String write, String description, String method, String path, String body, int status, String code,
            String pointer) {
        @Override
        public String toString() {
            return write + ": " + description;
        }
    }

    static String bind(String text) {
        return text.replace("GROUP", group).replace("PATIENT", patient).replace("EMAIL", email);
    }

    static String document(Write write, Object data) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("data", data);
        if (write.method().equals("PUT")) {
            document.put("meta", Map.of("query", Map.of("identifier", Map.of("system", "ROBUST", "value", "1"),
                    "groups", List.of("GROUP"))));
        }
        return Api.json(document);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> withAttributes(Write write, Map<String, Object> attributes) {
        Map<String, Object> data = new LinkedHashMap<>(write.valid());
        Map<String, Object> merged = new LinkedHashMap<>((Map<String, Object>) write.valid().get("attributes"));
        merged.putAll(attributes);
        data.put("attributes", merged);
        return data;
    }

    static Stream<Arguments> bodyCases() {
        List<Case> cases = new ArrayList<>();
        for (Write write : writes()) {
            String n = write.name();
            String m = write.method();
            String p = write.path();
            cases.add(new Case(n, "not JSON", m, p, "{\"data\":", 409, "InvalidBodyParameter", ""));
            cases.add(new Case(n, "JSON that is not an object", m, p, "\"patient\"", 409, "InvalidBodyParameter", ""));
            cases.add(new Case(n, "empty body", m, p, "", 409, "InvalidBodyParameter", ""));
            cases.add(new Case(n, "no data", m, p, write.method().equals("PUT") ? document(write, null).replace("\"data\":null,", "")
                    : "{\"meta\":{}}", 409, "InvalidBodyParameter", "/data"));
            Map<String, Object> wrongType = new LinkedHashMap<>(write.valid());
            wrongType.put("type", "planet");
            cases.add(new Case(n, "wrong data.type", m, p, document(write, wrongType), 409, "InvalidBodyParameter", "/data/type"));
            cases.add(new Case(n, "unknown attribute", m, p, document(write, withAttributes(write, Map.of("shoe_size", 42))),
                    409, "InvalidBodyParameter", "/data/attributes/shoe_size"));
            cases.add(new Case(n, "a 1 MB string", m, p, document(write, withAttributes(write,
                    Map.of(write.stringAttribute(), "x".repeat(1024 * 1024)))), 409, "InvalidBodyParameter",
                    "/data/attributes/" + write.stringAttribute()));
            cases.add(new Case(n, "nested 10 000 deep", m, p, "[".repeat(10_000) + "]".repeat(10_000), 409,
                    "InvalidBodyParameter", ""));
            cases.add(new Case(n, "body over the limit", m, p, "{\"data\":{\"type\":\"x\",\"attributes\":{\"note\":\""
                    + "y".repeat(4 * 1024 * 1024 + 10) + "\"}}}", 413, "PayloadTooLarge", null));
            write.wrongTypes().forEach((attribute, value) -> cases.add(new Case(n, attribute + " of the wrong type", m, p,
                    document(write, withAttributes(write, Map.of(attribute, value))), 409, "InvalidBodyParameter",
                    "/data/attributes/" + attribute)));
            write.invalidValues().forEach((attribute, value) -> cases.add(new Case(n, "invalid " + attribute, m, p,
                    document(write, withAttributes(write, Map.of(attribute, value))), 409, "InvalidBodyParameter",
                    "/data/attributes/" + attribute)));
            for (String attribute : write.required()) {
                Map<String, Object> data = new LinkedHashMap<>(write.valid());
                data.put("attributes", Map.of());
                cases.add(new Case(n, "missing " + attribute, m, p, document(write, data), 409, "InvalidBodyParameter",
                        "/data/attributes/" + attribute));
            }
            if (m.equals("PATCH")) {
                Map<String, Object> otherId = new LinkedHashMap<>(write.valid());
                otherId.put("id", "000000000000000000000000");
                cases.add(new Case(n, "id that is not the path's", m, p, document(write, otherId), 409,
                        "InvalidBodyParameter", "/data/id"));
            }
        }
        cases.add(new Case("token", "not JSON", "POST", "/pub/oauth/token", "{", 409, "InvalidBodyParameter", ""));
        cases.add(new Case("token", "wrong data.type", "POST", "/pub/oauth/token",
                "{\"data\":{\"type\":\"user\",\"attributes\":{}}}", 409, "InvalidBodyParameter", "/data/type"));
        cases.add(new Case("token", "grant of the wrong type", "POST", "/pub/oauth/token",
                "{\"grant_type\":7,\"client_id\":\"x\"}", 409, "InvalidBodyParameter", "/grant_type"));
        cases.add(new Case("token", "unknown grant", "POST", "/pub/oauth/token",
                "{\"grant_type\":\"password\",\"client_id\":\"x\"}", 409, "InvalidGrantType", "/grant_type"));
        return cases.stream().map(Arguments::of);
    }

    /** Rows in every table: nothing may change when a request is refused. */
    static Map<String, Long> rowCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : List.of("organization", "patient_group", "coach", "coach_group", "api_client", "oauth_token",
                "patient", "patient_group_member", "patient_coach", "patient_identifier", "health_profile",
                "health_profile_item", "health_profile_answer", "email_history")) {
            counts.put(table, server.database.dsl().fetchCount(org.jooq.impl.DSL.table(org.jooq.impl.DSL.name(table))) * 1L);
        }
        return counts;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodyCases")
    void badBodiesAreRefusedAndChangeNothing(Case c) {
        Map<String, Long> before = rowCounts();
        String contentType = c.path().equals("/pub/oauth/token") && !c.body().contains("\"data\"")
                ? "application/json" : Api.JSON_API;
        Api.Response response = api.send(c.method(), bind(c.path()), tenant.token(), contentType, bind(c.body()), List.of());
        assertThat(response.status()).as(response.body()).isEqualTo(c.status());
        assertThat(response.at("/errors/0/code").asText()).as(response.body()).isEqualTo(c.code());
        if (c.pointer() != null) {
            assertThat(response.at("/errors/0/source/pointer").asText()).as(response.body()).isEqualTo(c.pointer());
        }
        assertThat(rowCounts()).isEqualTo(before);
    }

    static List<Collection> collections() {
        return List.of(
                new Collection("/pub/group?filter[organization]=ORG", "group", true),
                new Collection("/pub/coach?filter[organization]=ORG", "coach", true),
                new Collection("/pub/patient?filter[organization]=ORG", "patient", true),
                new Collection("/pub/patient/PATIENT/groups?x=", "group", true),
                new Collection("/pub/patient/PATIENT/coaches?x=", "coach", true),
                new Collection("/pub/health_question_definition?x=", "health_question_definition", false, 100),
                new Collection("/pub/health_profile?filter[organization]=ORG", "health_profile", true),
                new Collection("/pub/health_profile_question?filter[patient]=PATIENT", "health_profile_question", false),
                new Collection("/pub/health_profile_answer?filter[groups]=GROUP", "health_profile_answer", true, 100),
                new Collection("/pub/email_history?filter[receiver]=PATIENT", "email_history", true));
    }

    /** One collection case: extra query text and the parameter the error must name. */
    record QueryCase(String description, String path, String query, String parameter) {
        @Override
        public String toString() {
            return path.substring(0, path.indexOf('?')) + ": " + description;
        }
    }

    static Stream<Arguments> queryCases() {
        List<QueryCase> cases = new ArrayList<>();
        for (Collection collection : collections()) {
            String p = collection.path();
            cases.add(new QueryCase("non-numeric page[number]", p, "page[number]=two", "page[number]"));
            cases.add(new QueryCase("negative page[size]", p, "page[size]=-5", "page[size]"));
            cases.add(new QueryCase("too large page[size]", p, "page[size]=" + (collection.maxPageSize() + 1),
                    "page[size]"));
            cases.add(new QueryCase("too large page[limit]", p, "page[limit]=100000", "page[limit]"));
            cases.add(new QueryCase("non-numeric page[limit]", p, "page[limit]=lots", "page[limit]"));
            cases.add(new QueryCase("mixed paging", p, "page[number]=3&page[limit]=10", "page[number]"));
            cases.add(new QueryCase("unknown filter", p, "filter[colour]=red", "filter[colour]"));
            cases.add(new QueryCase("unknown include", p, "include=planets", "include"));
            cases.add(new QueryCase("unknown sort", p, "sort=shoe_size", "sort"));
            cases.add(new QueryCase("unknown fields type", p, "fields[planet]=name", "fields[planet]"));
            cases.add(new QueryCase("unknown field", p, "fields[" + collection.type() + "]=shoe_size",
                    "fields[" + collection.type() + "]"));
            cases.add(new QueryCase("malformed cursor", p, "page[after]=bm90IGEgY3Vyc29y", "page[after]"));
            cases.add(new QueryCase("repeated parameter", p, "sort=created_at&sort=updated_at", "sort"));
            cases.add(new QueryCase("unknown parameter", p, "verbose=true", "verbose"));
            if (collection.dateFilters()) {
                cases.add(new QueryCase("date range without ..", p, "filter[created_at]=2017-01-01T00:00:00Z", "filter[created_at]"));
                cases.add(new QueryCase("date range end before start", p,
                        "filter[updated_at]=2018-01-01T00:00:00Z..2017-01-01T00:00:00Z", "filter[updated_at]"));
                cases.add(new QueryCase("date without time", p, "filter[created_at]=2017-01-01..", "filter[created_at]"));
            }
        }
        return cases.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queryCases")
    void badQueriesAreRefusedWithTheParameterNamed(QueryCase c) {
        String path = c.path().replace("ORG", tenant.organizationId()).replace("PATIENT", patient).replace("GROUP", group)
                .replace("?x=", "?");
        String separator = path.endsWith("?") ? "" : "&";
        Api.Response response = api.get(path + separator + c.query(), tenant.token());
        assertThat(response.status()).as(response.body()).isEqualTo(409);
        assertThat(response.at("/errors/0/code").asText()).isEqualTo("InvalidParameter");
        assertThat(response.json().get("errors").findValuesAsText("parameter")).as(response.body()).contains(c.parameter());
    }
}
