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

    /**
     * The statements one read costs. A checked token is cached for a minute, so once a minute a request also
     * looks its token up; of two runs in a row at most one can include that, so the smaller count is the read's.
     */
    private static long statements(Supplier<Api.Response> request) {
        request.get(); // warms the token cache and the JIT
        return Math.min(measured(request), measured(request));
    }

    /**
     * A token checked a moment ago, for measuring a write (which cannot be run twice like a read): a checked token
     * is cached for a minute, and a measured request must not be the one that looks it up again.
     */
    private static String freshToken(Fixtures.Tenant owner) {
        String token = new Fixtures(server).token(owner.client());
        Api.Response warm = api.get("/pub/organization/" + owner.organizationId(), token);
        assertThat(warm.status()).as(warm.body()).isEqualTo(200);
        return token;
    }

    private static long measured(Supplier<Api.Response> request) {
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
        String token = freshToken(tenant);
        long before = server.database.statementCount();
        Api.Response response = api.post("/pub/patient", token, Api.json(Map.of("data", items)));
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

    @Test
    void calendarEventReadsAndWritesCostAFixedNumberOfStatements() {
        String patientId = api.post("/pub/patient", tenant.token(), Api.json(Map.of("data", patient("calendar-owner"))))
                .at("/data/id").asText();
        Map<String, Object> event = Map.of("type", "calendar_event", "attributes", Map.of("type", "reminder",
                        "all_day", true, "start_at", "2024-05-06T00:00:00Z", "title", "Counted",
                        "attendees", List.of(Map.of("user", coach), Map.of("user", patientId))),
                "relationships", Map.of("owner", Map.of("data", Map.of("type", "patient", "id", patientId))));
        // The owner check, one check of every attendee at once, the insert, the answer's read.
        assertThat(counted("POST", "/pub/calendar_event", event, 201)).isEqualTo(4);
        String eventId = null;
        for (int i = 0; i < 12; i++) {
            eventId = api.post("/pub/calendar_event", tenant.token(), Api.json(Map.of("data", event))).at("/data/id").asText();
        }
        String id = eventId;
        assertThat(statements(() -> api.get("/pub/calendar_event/" + id, tenant.token()))).isEqualTo(1);
        assertThat(statements(() -> api.get("/pub/calendar_event/" + id + "?include=owner", tenant.token()))).isEqualTo(2);
        String base = "/pub/calendar_event?filter[organization]=" + tenant.organizationId();
        long small = statements(() -> api.get(base + "&page[limit]=1", tenant.token()));
        assertThat(small).isEqualTo(statements(() -> api.get(base + "&page[limit]=500", tenant.token()))).isEqualTo(2);
        assertThat(statements(() -> api.get(base + "&page[limit]=1&include=owner", tenant.token())))
                .isEqualTo(statements(() -> api.get(base + "&page[limit]=500&include=owner", tenant.token()))).isEqualTo(3);
        assertThat(statements(() -> api.get(base + "&page[size]=1&include=owner&sort=-start_at", tenant.token())))
                .isEqualTo(statements(() -> api.get(base + "&page[size]=50&include=owner&sort=-start_at", tenant.token())));
        // Two more statements check that the named users are patients or coaches in the caller's scope.
        assertThat(statements(() -> api.get("/pub/calendar_event?filter[attendees]=" + coach + "," + patientId
                + "&page[limit]=500&include=owner", tenant.token()))).isEqualTo(5);
        // The locked read, the attendee check, the update, the answer's read.
        assertThat(counted("PATCH", "/pub/calendar_event/" + id, Map.of("type", "calendar_event", "attributes",
                Map.of("attendees", List.of(Map.of("user", coach)))), 200)).isEqualTo(4);
        String attendee = api.get("/pub/calendar_event/" + id, tenant.token()).at("/data/attributes/attendees/0/_id").asText();
        // The locked event, the user's kind, the update, the response row.
        assertThat(counted("POST", "/pub/calendar_event_response", Map.of("type", "calendar_event_response",
                "attributes", Map.of("attendee", attendee, "response_status", "accepted"),
                "relationships", Map.of("user", Map.of("data", Map.of("type", "coach", "id", coach)),
                        "calendar_event", Map.of("data", Map.of("type", "calendar_event", "id", id)))), 201)).isEqualTo(4);
    }

    private static Map<String, Object> probe(String patientId) {
        return Map.of("type", "probe", "attributes", Map.of("name", "Counted", "kind", "beta",
                        "settings", Map.of("mode", "daily", "metrics", List.of(Map.of("metric_type", "steps")))),
                "relationships", Map.of("owner", Map.of("data", Map.of("type", "patient", "id", patientId)),
                        "groups", Map.of("data", List.of(Map.of("type", "group", "id", group1)))));
    }

    private static long counted(String method, String path, Object data, int expectedStatus) {
        String token = freshToken(tenant);
        long before = server.database.statementCount();
        Api.Response response = api.send(method, path, token, Api.JSON_API, Api.json(Map.of("data", data)),
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

    private static String rewardCreated(String type, Object data) {
        Api.Response response = api.post("/pub/" + type, tenant.token(), Api.json(Map.of("data", data)));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.at("/data/0/id").isMissingNode() ? response.at("/data/id").asText() : response.at("/data/0/id").asText();
    }

    private static Map<String, Object> one(String type, String id) {
        return Map.of("data", Map.of("type", type, "id", id));
    }

    private static Map<String, Object> reward(String activation) {
        return Map.of("type", "reward", "attributes", Map.of("description", "Counted", "allocated_value", 1,
                "allocated_at", "2021-01-02T00:00:00Z"),
                "relationships", Map.of("reward_program_activation", one("reward_program_activation", activation)));
    }

    private static Map<String, Object> earning(String reward) {
        return Map.of("type", "reward_earning", "attributes", Map.of("earned_value", 1, "earned_at", "2021-01-03T00:00:00Z"),
                "relationships", Map.of("reward", one("reward", reward)));
    }

    @Test
    void rewardCollectionsIncludesAndWritesCostAFixedNumberOfStatements() {
        String patientId = api.post("/pub/patient", tenant.token(), Api.json(Map.of("data", patient("reward-owner"))))
                .at("/data/id").asText();
        String program = rewardCreated("reward_program", Map.of("type", "reward_program", "attributes", Map.of(
                "name", "Counted", "start_at", "2020-01-01T00:00:00Z", "end_at", "2099-01-01T00:00:00Z",
                "budget_value", 1000, "fulfill_as_earned", true), "relationships", Map.of("group", one("group", group1))));
        String activation = rewardCreated("reward_program_activation", Map.of("type", "reward_program_activation",
                "attributes", Map.of("activated_at", "2021-01-01T00:00:00Z"), "relationships",
                Map.of("reward_program", one("reward_program", program), "patient", one("patient", patientId))));
        List<String> rewards = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            rewards.add(rewardCreated("reward", reward(activation)));
        }
        long oneReward = counted("POST", "/pub/reward", reward(activation), 200);
        // The activation check, the activation's lock, the insert, the totals, the answer's read.
        assertThat(oneReward).isEqualTo(5);

        List<Object> tenEarnings = new ArrayList<>();
        for (int i = 2; i < 12; i++) {
            tenEarnings.add(earning(rewards.get(i)));
        }
        long oneEarning = counted("POST", "/pub/reward_earning", List.of(earning(rewards.get(1))), 200);
        assertThat(counted("POST", "/pub/reward_earning", tenEarnings, 200)).as("bulk of 10 costs what one costs")
                .isEqualTo(oneEarning);
        String earning = rewardCreated("reward_earning", earning(rewards.get(0)));
        rewardCreated("reward_earning_fulfillment", Map.of("type", "reward_earning_fulfillment", "attributes",
                Map.of("fulfilled_value", 1, "fulfilled_at", "2021-01-04T00:00:00Z"),
                "relationships", Map.of("reward_earning", one("reward_earning", earning))));

        String organization = "filter[organization]=" + tenant.organizationId();
        String byPatient = "filter[patient]=" + patientId;
        // The count and the page; a filter[patient] adds the check that its patients are in the caller's scope.
        Map<String, String> lists = new java.util.LinkedHashMap<>();
        lists.put("/pub/reward_program?" + organization, "group");
        lists.put("/pub/reward_program_activation?" + organization, "patient,reward_program");
        lists.put("/pub/reward?" + organization, "patient,reward_program_activation");
        lists.put("/pub/reward_earning?" + byPatient, "group,patient,reward_program_activation,reward");
        lists.put("/pub/reward_earning_fulfillment?" + byPatient, "patient,reward_earning");
        for (Map.Entry<String, String> list : lists.entrySet()) {
            String base = list.getKey();
            int includes = list.getValue().split(",").length;
            long small = statements(() -> api.get(base + "&page[limit]=1", tenant.token()));
            long fixed = base.contains(byPatient) ? 3 : 2;
            assertThat(small).as(base).isEqualTo(fixed);
            assertThat(statements(() -> api.get(base + "&page[limit]=500", tenant.token()))).as(base).isEqualTo(fixed);
            assertThat(statements(() -> api.get(base + "&page[size]=50", tenant.token()))).as(base).isEqualTo(fixed);
            long included = statements(() -> api.get(base + "&page[limit]=1&include=" + list.getValue(), tenant.token()));
            assertThat(included).as(base).isEqualTo(fixed + includes);
            assertThat(statements(() -> api.get(base + "&page[limit]=500&include=" + list.getValue(), tenant.token())))
                    .as(base).isEqualTo(included);
        }
        // The program's visibility, then the count and the page of its one group.
        assertThat(statements(() -> api.get("/pub/reward_program/" + program + "/group", tenant.token()))).isEqualTo(3);
        assertThat(statements(() -> api.get("/pub/reward_earning/" + earning, tenant.token()))).isEqualTo(1);
        assertThat(statements(() -> api.get("/pub/reward_earning?filter[groups]=" + group1 + "&page[limit]=500",
                tenant.token()))).isEqualTo(3);
    }

    private static long metricStatements(Fixtures.Tenant tenant, List<Object> items, boolean ignoreDuplicates) {
        Map<String, Object> document = new java.util.LinkedHashMap<>();
        document.put("data", items);
        if (ignoreDuplicates) {
            document.put("meta", Map.of("ignore_duplicates", true));
        }
        String token = freshToken(tenant);
        long before = server.database.statementCount();
        Api.Response response = api.post("/pub/patient_health_metric", token, Api.json(document));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return server.database.statementCount() - before;
    }

    @Test
    void carePlanReadsAndMetricWritesDoNotDependOnSizes() {
        // An organization of its own: the other tests' first pages must not change.
        Fixtures fixtures = new Fixtures(server);
        Fixtures.Tenant tenant = fixtures.tenant("Care Plan Count Org");
        String group1 = fixtures.group(tenant.organizationId(), "Counted");
        dev.openplus.support.CarePlans plans = new dev.openplus.support.CarePlans(api);
        String small = plans.patient(tenant.token(), List.of(Map.of("system", "COUNT-PLAN", "value", tenant.organizationId())),
                group1);
        String large = plans.patient(tenant.token(), group1);
        String smallPlan = plans.planOf(tenant.token(), small);
        String largePlan = plans.planOf(tenant.token(), large);
        String smallAction = plans.createAction(tenant.token(), smallPlan, Map.of("type", "sleep"));
        assertThat(plans.result(tenant.token(), smallAction, Map.of("occurred_at", "2024-03-01T00:00:00Z")).status())
                .isEqualTo(201);
        assertThat(api.post("/pub/bundle", tenant.token(), Api.json(Map.of("data", Map.of("type", "bundle",
                "attributes", Map.of("type", "sleep", "title", "One", "effective_from", "2024-03-01T00:00:00Z"),
                "relationships", Map.of("plan", Map.of("data", Map.of("type", "patient_plan_summary", "id", smallPlan)),
                        "actions", Map.of("data", List.of(Map.of("type", "action", "id", smallAction)))))))).status())
                .isEqualTo(200);
        List<Map<String, Object>> largeActions = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String action = plans.createAction(tenant.token(), largePlan, Map.of("type", "sleep"));
            largeActions.add(Map.of("type", "action", "id", action));
            assertThat(plans.result(tenant.token(), action, Map.of("occurred_at", "2024-03-01T00:00:00Z")).status())
                    .isEqualTo(201);
        }
        Api.Response bundle = api.post("/pub/bundle", tenant.token(), Api.json(Map.of("data", Map.of("type", "bundle",
                "attributes", Map.of("type", "sleep", "title", "All", "effective_from", "2024-03-01T00:00:00Z"),
                "relationships", Map.of("plan", Map.of("data", Map.of("type", "patient_plan_summary", "id", largePlan)),
                        "actions", Map.of("data", largeActions))))));
        assertThat(bundle.status()).as(bundle.body()).isEqualTo(200);
        String include = "include=actions,bundles,patient,current_results";
        long one = statements(() -> api.get("/pub/patient_plan_summary/" + smallPlan + "?" + include, tenant.token()));
        assertThat(one).as("the plan, then one statement per include").isEqualTo(5);
        assertThat(statements(() -> api.get("/pub/patient_plan_summary/" + largePlan + "?" + include, tenant.token())))
                .as("100 actions cost what one costs").isEqualTo(one);
        assertThat(statements(() -> api.get("/pub/patient_plan_summary/" + largePlan, tenant.token()))).isEqualTo(1);
        String plansOf = "/pub/patient_plan_summary?filter[organization]=" + tenant.organizationId() + "&" + include;
        assertThat(statements(() -> api.get(plansOf + "&page[limit]=1", tenant.token())))
                .isEqualTo(statements(() -> api.get(plansOf + "&page[limit]=500", tenant.token())));

        // The metrics' results link to this action, so that every page includes an action, a metric and a patient.
        plans.createAction(tenant.token(), largePlan, Map.of("effective_from", "2024-01-01T00:00:00Z"));
        List<Object> forty = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            forty.add(dev.openplus.support.CarePlans.metric(large, "weight", 100 + i,
                    String.format("2024-04-01T00:%02d:00Z", i)));
        }
        long single = metricStatements(tenant, List.of(forty.get(0)), false);
        assertThat(metricStatements(tenant, forty, false)).as("a bulk of 40 metrics costs what one costs").isEqualTo(single);
        List<Object> fresh = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            fresh.add(dev.openplus.support.CarePlans.metric(large, "weight", 100 + i,
                    String.format("2024-04-02T00:%02d:00Z", i)));
        }
        assertThat(metricStatements(tenant, fresh, true)).as("ignoring duplicates costs two more: the lock, the lookup")
                .isEqualTo(single + 2);
        assertThat(metricStatements(tenant, forty, true)).as("all skipped: nothing written, nothing read back")
                .isEqualTo(single - 1);
        Map<String, Object> byQuery = new java.util.LinkedHashMap<>(dev.openplus.support.CarePlans.metric(small, "weight",
                1, "2024-04-01T00:00:00Z"));
        byQuery.put("relationships", Map.of("patient", Map.of("data", Map.of("type", "patient", "meta", Map.of("query",
                Map.of("identifier", Map.of("system", "COUNT-PLAN", "value", tenant.organizationId()),
                        "organization", tenant.organizationId()))))));
        List<Object> queried = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            queried.add(byQuery);
        }
        assertThat(metricStatements(tenant, queried, false)).isEqualTo(metricStatements(tenant, List.of(byQuery), false));

        String metrics = "/pub/patient_health_metric?filter[patient]=" + large + "&include=patient";
        assertThat(statements(() -> api.get(metrics + "&page[limit]=1", tenant.token())))
                .isEqualTo(statements(() -> api.get(metrics + "&page[limit]=500", tenant.token())));
        String results = "/pub/result?filter[patient]=" + large + "&include=patient,action,metric&sort=-occurred_at";
        assertThat(statements(() -> api.get(results + "&page[limit]=1", tenant.token())))
                .isEqualTo(statements(() -> api.get(results + "&page[limit]=500", tenant.token())));
        assertThat(statements(() -> api.get(results + "&page[size]=1", tenant.token())))
                .isEqualTo(statements(() -> api.get(results + "&page[size]=50", tenant.token())));
    }

    private static String answer(String patientId, String questionId) {
        return Api.json(Map.of("type", "health_profile_answer", "attributes", Map.of("question_id", questionId, "value", "1"),
                "relationships", Map.of("patient", Map.of("data", Map.of("type", "patient", "id", patientId)))));
    }

    /**
     * A full page costs the count, the page and one statement per include, whatever its size; a one-row page costs
     * no more (an include whose linkage on that row is empty needs no statement at all).
     */
    /** {@code base} filters by ids of a type: the scope check of those ids, the count and the page. */
    private static void constantPages(String base, String includes) {
        assertThat(statements(() -> api.get(base + "&page[limit]=1", tenant.token())))
                .isEqualTo(statements(() -> api.get(base + "&page[limit]=500", tenant.token()))).isEqualTo(3);
        for (String include : includes.split(",")) {
            long large = statements(() -> api.get(base + "&page[limit]=500&include=" + include, tenant.token()));
            assertThat(large).as(include).isEqualTo(4);
            assertThat(statements(() -> api.get(base + "&page[limit]=1&include=" + include, tenant.token())))
                    .as(include).isLessThanOrEqualTo(large);
        }
        long all = statements(() -> api.get(base + "&page[size]=50&include=" + includes, tenant.token()));
        assertThat(all).isEqualTo(3 + includes.split(",").length);
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
                String token = freshToken(tenant);
                long before = server.database.statementCount();
                Api.Response response = api.post("/pub/health_profile_answer", token,
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
        // A profile question's id is derived (profile and question number), decoded into one lookup.
        String question = api.get("/pub/health_profile_question?filter[patient]=" + patients.get(0) + "&page[limit]=1",
                tenant.token()).at("/data/0/id").asText();
        assertThat(statements(() -> api.get("/pub/health_profile_question/" + question, tenant.token()))).isEqualTo(1);
        assertThat(statements(() -> api.get("/pub/health_profile_question/" + question
                + "?include=question_definition,answer,profile", tenant.token()))).isEqualTo(4);
        assertThat(statements(() -> api.get("/pub/health_question_definition/21", tenant.token()))).isEqualTo(1);

        List<String> emails = new ArrayList<>();
        for (String patientId : patients) {
            Map<String, Object> email = Map.of("type", "email_history",
                    "attributes", Map.of("email_address", "count@example.com", "email_type", "invite",
                            "send_time", "2017-01-01T00:00:00Z"),
                    "relationships", Map.of("receiver", Map.of("data", Map.of("type", "patient", "id", patientId)),
                            "sender", Map.of("data", Map.of("type", "coach", "id", coach))));
            // One check per related type (patient, coach), the insert, the answer's read.
            String token = freshToken(tenant);
            long before = server.database.statementCount();
            Api.Response response = api.post("/pub/email_history", token, Api.json(Map.of("data", email)));
            assertThat(response.status()).as(response.body()).isEqualTo(201);
            assertThat(server.database.statementCount() - before).isEqualTo(4);
            emails.add(response.at("/data/id").asText());
        }
        constantPages("/pub/email_history?filter[sender]=" + coach, "receiver,sender");

        // A coach receiver: one check covers the receiver and the sender (both coaches), the insert, the read.
        List<String> coaches = new ArrayList<>(api.get("/pub/coach?filter[organization]=" + tenant.organizationId()
                + "&page[limit]=4", tenant.token()).ids());
        coaches.remove(coach);
        for (String receiver : coaches) {
            Map<String, Object> email = Map.of("type", "email_history",
                    "attributes", Map.of("email_address", "coach@example.com", "email_type", "coach_digest",
                            "send_time", "2017-01-02T00:00:00Z"),
                    "relationships", Map.of("receiver", Map.of("data", Map.of("type", "coach", "id", receiver)),
                            "sender", Map.of("data", Map.of("type", "coach", "id", coach))));
            assertThat(counted("POST", "/pub/email_history", email, 201)).isEqualTo(3);
        }
        // Patient and coach receivers on one page: the sender check, the count, the page, one statement per
        // receiver type, whatever the page size; a page of one type needs one include statement.
        String mixed = "/pub/email_history?filter[sender]=" + coach + "&include=receiver&sort=-send_time";
        assertThat(statements(() -> api.get(mixed + "&page[limit]=500", tenant.token()))).isEqualTo(5);
        assertThat(statements(() -> api.get(mixed + "&page[size]=50", tenant.token()))).isEqualTo(5);
        assertThat(statements(() -> api.get(mixed + "&page[limit]=1", tenant.token()))).isEqualTo(4);
        // filter[receiver] checks its ids against both types.
        assertThat(statements(() -> api.get("/pub/email_history?filter[receiver]=" + patients.get(0) + "," + coaches.get(0)
                + "&include=receiver&page[limit]=500", tenant.token()))).isEqualTo(6);
        String toCoach = api.get("/pub/email_history?filter[receiver]=" + coaches.get(0), tenant.token()).ids().get(0);
        assertThat(statements(() -> api.get("/pub/email_history/" + toCoach + "?include=receiver,sender", tenant.token())))
                .isEqualTo(3);
        // The locked read, the update, the answer's read.
        assertThat(counted("PATCH", "/pub/email_history/" + emails.get(0), Map.of("type", "email_history",
                "attributes", Map.of("status_times", Map.of("open", "2017-01-01T01:00:00Z"))), 200)).isEqualTo(3);
    }
}
