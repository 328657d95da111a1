package dev.openplus.jsonapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * Each request costs a fixed number of SQL statements, whatever the page size and includes (DESIGN §7).
 * Tests run one at a time, so the server's statement counter moves only for the request under test.
 */
class StatementCountTest {
    static TestServer server;
    static Api api;
    static Fixtures.Tenant tenant;
    static String group1;
    static String coach;

    @BeforeAll
    static void setUp() {
        server = TestServer.get();
        api = server.api();
        Fixtures fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Statement Count Org");
        group1 = fixtures.group(tenant.organizationId(), "One");
        String group2 = fixtures.group(tenant.organizationId(), "Two");
        for (int i = 0; i < 12; i++) {
            String id = fixtures.coach(tenant.organizationId(), "C" + i, "L" + i, group1, group2);
            if (i == 0) {
                coach = id;
            }
        }
    }

    private static long statements(Supplier<Api.Response> request) {
        request.get(); // warms the token cache and the JIT
        long before = server.database.statementCount();
        Api.Response response = request.get();
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return server.database.statementCount() - before;
    }

    @Test
    void fetchByIdIsOneStatementAndEachIncludeOneMore() {
        assertThat(statements(() -> api.get("/pub/coach/" + coach, tenant.token()))).isEqualTo(1);
        assertThat(statements(() -> api.get("/pub/coach/" + coach + "?include=groups,organization", tenant.token())))
                .isEqualTo(3);
    }

    private static Map<String, Object> patient(String identifierValue) {
        return Map.of("type", "patient",
                "attributes", Map.of("first_name", "P", "identifiers",
                        List.of(Map.of("system", "COUNT", "value", tenant.organizationId() + identifierValue))),
                "relationships", Map.of(
                        "groups", Map.of("data", List.of(Map.of("type", "group", "id", group1))),
                        "coaches", Map.of("data", List.of(Map.of("type", "coach", "id", coach,
                                "meta", Map.of("primary", true))))));
    }

    private static long createStatements(List<Object> items) {
        long before = server.database.statementCount();
        Api.Response response = api.post("/pub/patient", tenant.token(), Api.json(Map.of("data", items)));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return server.database.statementCount() - before;
    }

    @Test
    void patientFetchIsOneStatementAndListsAndBulkCreatesAreConstant() {
        List<Object> forty = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            forty.add(patient("bulk" + i));
        }
        assertThat(createStatements(forty)).as("bulk of 40 costs what a bulk of one costs")
                .isEqualTo(createStatements(List.of(patient("solo"))));

        String base = "/pub/patient?filter[organization]=" + tenant.organizationId();
        String patientId = api.get(base + "&page[limit]=1", tenant.token()).at("/data/0/id").asText();
        assertThat(statements(() -> api.get("/pub/patient/" + patientId, tenant.token()))).isEqualTo(1);
        assertThat(statements(() -> api.get(base + "&page[limit]=1&include=groups,coaches", tenant.token())))
                .isEqualTo(statements(() -> api.get(base + "&page[limit]=500&include=groups,coaches", tenant.token())));
    }

    @Test
    void listStatementsDoNotDependOnPageSize() {
        String base = "/pub/coach?filter[organization]=" + tenant.organizationId();
        long small = statements(() -> api.get(base + "&page[limit]=1", tenant.token()));
        long large = statements(() -> api.get(base + "&page[limit]=500", tenant.token()));
        assertThat(small).isEqualTo(large).isEqualTo(2);
        long smallIncluded = statements(() -> api.get(base + "&page[limit]=1&include=groups,organization", tenant.token()));
        long largeIncluded = statements(() -> api.get(base + "&page[limit]=500&include=groups,organization", tenant.token()));
        assertThat(smallIncluded).isEqualTo(largeIncluded).isEqualTo(4);
        long skipSmall = statements(() -> api.get(base + "&page[size]=1&include=groups", tenant.token()));
        long skipLarge = statements(() -> api.get(base + "&page[size]=50&include=groups", tenant.token()));
        assertThat(skipSmall).isEqualTo(skipLarge);
        long byGroup = statements(() -> api.get("/pub/coach?filter[groups]=" + group1 + "&page[limit]=500&include=groups",
                tenant.token()));
        // One more statement checks that the named groups are in the caller's scope.
        assertThat(byGroup).isEqualTo(4);
    }

    private static Map<String, Object> probe(String patientId) {
        return Map.of("type", "probe", "attributes", Map.of("name", "Counted", "kind", "beta",
                        "settings", Map.of("mode", "daily", "metrics", List.of(Map.of("metric_type", "steps")))),
                "relationships", Map.of("owner", Map.of("data", Map.of("type", "patient", "id", patientId)),
                        "groups", Map.of("data", List.of(Map.of("type", "group", "id", group1)))));
    }

    private static long counted(String method, String path, Object data, int expectedStatus) {
        long before = server.database.statementCount();
        Api.Response response = api.send(method, path, tenant.token(), Api.JSON_API, Api.json(Map.of("data", data)),
                List.of());
        assertThat(response.status()).as(response.body()).isEqualTo(expectedStatus);
        return server.database.statementCount() - before;
    }

    @Test
    void genericWritesCostAFixedNumberOfStatements() {
        String patientId = api.post("/pub/patient", tenant.token(), Api.json(Map.of("data", patient("probe-owner"))))
                .at("/data/id").asText();
        List<Object> forty = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            forty.add(probe(patientId));
        }
        // One check per related type (patient, group), the row insert, the join-row insert, the answer's read.
        long single = counted("POST", "/pub/probe", probe(patientId), 201);
        assertThat(single).isEqualTo(5);
        assertThat(counted("POST", "/pub/probe", forty, 201)).as("bulk of 40 costs what one costs").isEqualTo(single);
        String probeId = api.post("/pub/probe", tenant.token(), Api.json(Map.of("data", probe(patientId))))
                .at("/data/id").asText();
        // The locked read, the group check, the update, replacing the join rows (delete, insert), the answer's read.
        assertThat(counted("PATCH", "/pub/probe/" + probeId, Map.of("type", "probe", "attributes", Map.of("name", "N"),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group1))))), 200))
                .isEqualTo(6);
    }

    private static String answer(String patientId, String questionId) {
        return Api.json(Map.of("type", "health_profile_answer", "attributes", Map.of("question_id", questionId, "value", "1"),
                "relationships", Map.of("patient", Map.of("data", Map.of("type", "patient", "id", patientId)))));
    }

    /**
     * A full page costs the count, the page and one statement per include, whatever its size; a one-row page costs
     * no more (an include whose linkage on that row is empty needs no statement at all).
     */
    private static void constantPages(String base, String includes) {
        assertThat(statements(() -> api.get(base + "&page[limit]=1", tenant.token())))
                .isEqualTo(statements(() -> api.get(base + "&page[limit]=500", tenant.token()))).isEqualTo(2);
        for (String include : includes.split(",")) {
            long large = statements(() -> api.get(base + "&page[limit]=500&include=" + include, tenant.token()));
            assertThat(large).as(include).isEqualTo(3);
            assertThat(statements(() -> api.get(base + "&page[limit]=1&include=" + include, tenant.token())))
                    .as(include).isLessThanOrEqualTo(large);
        }
        long all = statements(() -> api.get(base + "&page[size]=50&include=" + includes, tenant.token()));
        assertThat(all).isEqualTo(2 + includes.split(",").length);
        assertThat(statements(() -> api.get(base + "&page[size]=1&include=" + includes, tenant.token())))
                .isLessThanOrEqualTo(all);
    }

    @Test
    void healthProfileAndEmailReadsAndWritesAreConstant() {
        List<String> patients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            patients.add(api.post("/pub/patient", tenant.token(), Api.json(Map.of("data", patient("health" + i))))
                    .at("/data/id").asText());
        }
        // Checks of the patient, of the question, the upsert, the answer's read.
        for (String patientId : patients) {
            for (String question : List.of("1", "2", "4")) {
                long before = server.database.statementCount();
                Api.Response response = api.post("/pub/health_profile_answer", tenant.token(),
                        "{\"data\":" + answer(patientId, question) + "}");
                assertThat(response.status()).as(response.body()).isEqualTo(201);
                assertThat(server.database.statementCount() - before).isEqualTo(4);
            }
        }
        String answered = "filter[patient]=" + String.join(",", patients);
        constantPages("/pub/health_profile?" + answered, "patient,questions");
        constantPages("/pub/health_profile_question?" + answered, "question_definition,answer,profile");
        constantPages("/pub/health_profile_answer?" + answered, "patient");

        assertThat(statements(() -> api.get("/pub/health_question_definition?page[size]=1", tenant.token())))
                .isEqualTo(statements(() -> api.get("/pub/health_question_definition?page[size]=100", tenant.token())))
                .isEqualTo(2);

        String profile = api.get("/pub/health_profile?filter[patient]=" + patients.get(0), tenant.token()).at("/data/0/id").asText();
        assertThat(statements(() -> api.get("/pub/health_profile/" + profile, tenant.token()))).isEqualTo(1);
        assertThat(statements(() -> api.get("/pub/health_profile/" + profile + "?include=patient,questions", tenant.token())))
                .isEqualTo(3);
        assertThat(statements(() -> api.get("/pub/health_question_definition/21", tenant.token()))).isEqualTo(1);

        List<String> emails = new ArrayList<>();
        for (String patientId : patients) {
            Map<String, Object> email = Map.of("type", "email_history",
                    "attributes", Map.of("email_address", "count@example.com", "email_type", "invite",
                            "send_time", "2017-01-01T00:00:00Z"),
                    "relationships", Map.of("receiver", Map.of("data", Map.of("type", "patient", "id", patientId)),
                            "sender", Map.of("data", Map.of("type", "coach", "id", coach))));
            // One check per related type (patient, coach), the insert, the answer's read.
            long before = server.database.statementCount();
            Api.Response response = api.post("/pub/email_history", tenant.token(), Api.json(Map.of("data", email)));
            assertThat(response.status()).as(response.body()).isEqualTo(201);
            assertThat(server.database.statementCount() - before).isEqualTo(4);
            emails.add(response.at("/data/id").asText());
        }
        constantPages("/pub/email_history?filter[sender]=" + coach, "receiver,sender");
        // The locked read, the update, the answer's read.
        assertThat(counted("PATCH", "/pub/email_history/" + emails.get(0), Map.of("type", "email_history",
                "attributes", Map.of("status_times", Map.of("open", "2017-01-01T01:00:00Z"))), 200)).isEqualTo(3);
    }
}
