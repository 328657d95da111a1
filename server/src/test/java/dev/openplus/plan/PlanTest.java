package dev.openplus.plan;

import static dev.openplus.support.CarePlans.action;
import static dev.openplus.support.CarePlans.ref;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.support.Api;
import dev.openplus.support.CarePlans;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/** Plan summaries (one per patient), actions and bundles: reads, writes, every validation rule, includes, scopes. */
class PlanTest {
    static Api api;
    static Fixtures fixtures;
    static CarePlans plans;
    static Fixtures.Tenant tenant;
    static String groupA;
    static String groupB;
    static String patientA;
    static String patientB;
    static String planA;
    static String planB;

    @BeforeAll
    static void setUp() {
        TestServer server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        plans = new CarePlans(api);
        tenant = fixtures.tenant("Plan Org");
        groupA = fixtures.group(tenant.organizationId(), "Plan A");
        groupB = fixtures.group(tenant.organizationId(), "Plan B");
        patientA = plans.patient(tenant.token(), groupA);
        patientB = plans.patient(tenant.token(), groupB);
        planA = plans.planOf(tenant.token(), patientA);
        planB = plans.planOf(tenant.token(), patientB);
    }

    private static Api.Response patch(String path, Object data) {
        return api.send("PATCH", path, tenant.token(), Api.JSON_API, Api.json(Map.of("data", data)), List.of());
    }

    private static void assertProblem(Api.Response response, int status, String code, String pointer) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.at("/errors/0/code").asText()).as(response.body()).isEqualTo(code);
        assertThat(response.at("/errors/0/source/pointer").asText()).as(response.body()).isEqualTo(pointer);
    }

    @Test
    void everyPatientHasExactlyOnePlanSummaryWithItsDefaults() {
        String patient = plans.patient(tenant.token(), groupA);
        String planId = plans.planOf(tenant.token(), patient);
        Api.Response plan = api.get("/pub/patient_plan_summary/" + planId, tenant.token());
        assertThat(plan.status()).as(plan.body()).isEqualTo(200);
        JsonNode attributes = plan.at("/data/attributes");
        assertThat(attributes.get("time_zone").asText()).isEqualTo("UTC");
        assertThat(attributes.get("window_order").isArray()).isTrue();
        assertThat(attributes.get("window_order")).isEmpty();
        assertThat(attributes.get("critical").isNull()).isTrue();
        assertThat(attributes.at("/window_notification_times/morning").asInt()).isEqualTo(25200);
        assertThat(attributes.at("/window_notification_times/afternoon").asInt()).isEqualTo(43200);
        assertThat(attributes.at("/window_notification_times/evening").asInt()).isEqualTo(64800);
        assertThat(attributes.at("/window_notification_times/night").asInt()).isEqualTo(75600);
        assertThat(attributes.get("adherence").toString()).isEqualTo("{\"due\":0,\"streak\":{\"count\":0},\"complete\":0}");
        assertThat(attributes.get("effective_from").asText()).endsWith("Z");
        assertThat(plan.at("/data/relationships/patient/data/id").asText()).isEqualTo(patient);
        assertThat(plan.at("/data/relationships/actions/data").isArray()).isTrue();
        assertThat(plan.at("/data/relationships/bundles/data").isArray()).isTrue();
        assertThat(plan.at("/data/relationships/current_results/data").isArray()).isTrue();
        assertThat(plan.at("/data/links/self").asText()).isEqualTo("/pub/patient_plan_summary/" + planId);

        // A bulk create makes one plan each.
        Api.Response bulk = api.post("/pub/patient", tenant.token(), Api.json(Map.of("data", List.of(
                Map.of("type", "patient", "relationships", Map.of("groups", Map.of("data", List.of(ref("group", groupA))))),
                Map.of("type", "patient", "relationships", Map.of("groups", Map.of("data", List.of(ref("group", groupA)))))))));
        assertThat(bulk.status()).as(bulk.body()).isEqualTo(201);
        String ids = bulk.at("/data/0/id").asText() + "," + bulk.at("/data/1/id").asText();
        Api.Response both = api.get("/pub/patient_plan_summary?filter[patient]=" + ids, tenant.token());
        assertThat(both.at("/meta/count").asLong()).isEqualTo(2);
    }

    @Test
    void listNeedsAFilterAndFiltersByPatientGroupsAndOrganization() {
        Api.Response none = api.get("/pub/patient_plan_summary", tenant.token());
        assertThat(none.status()).isEqualTo(409);
        assertThat(none.at("/errors/0/code").asText()).isEqualTo("InvalidParameter");
        assertThat(none.at("/errors/0/source/parameter").asText()).isEqualTo("filter[patient]");
        assertThat(api.get("/pub/patient_plan_summary?filter[groups]=" + groupB, tenant.token()).ids())
                .containsExactly(planB);
        assertThat(api.get("/pub/patient_plan_summary?filter[group]=" + groupA + "," + groupB, tenant.token()).ids())
                .contains(planA, planB);
        Api.Response organization = api.get("/pub/patient_plan_summary?filter[organization]=" + tenant.organizationId()
                + "&page[size]=1", tenant.token());
        assertThat(organization.at("/data").size()).isEqualTo(1);
        long count = organization.at("/meta/count").asLong();
        assertThat(count).isGreaterThanOrEqualTo(2);
        List<String> skip = api.pageThrough("/pub/patient_plan_summary?filter[organization]=" + tenant.organizationId()
                + "&page[size]=1", tenant.token());
        List<String> cursor = api.pageThrough("/pub/patient_plan_summary?filter[organization]=" + tenant.organizationId()
                + "&page[limit]=1", tenant.token());
        assertThat(skip).hasSize((int) count).isEqualTo(cursor);
        assertThat(api.get("/pub/patient_plan_summary?filter[patient]=" + patientA + "&filter[updated_at]=2000-01-01T00:00:00Z..",
                tenant.token()).ids()).containsExactly(planA);
    }

    @Test
    void patchChangesCriticalTimeZoneAndWindowOrder() {
        String patient = plans.patient(tenant.token(), groupA);
        String plan = plans.planOf(tenant.token(), patient);
        String actionId = plans.createAction(tenant.token(), plan, Map.of());
        Map<String, Object> critical = Map.of("blood_glucose", Map.of("data", Map.of(
                "minimum", Map.of("value", 70, "unit", "mg/dL"), "maximum", Map.of("value", 300, "unit", "mg/dL"))));
        Api.Response changed = patch("/pub/patient_plan_summary/" + plan, Map.of("type", "patient_plan_summary",
                "id", plan, "attributes", Map.of("critical", critical, "time_zone", "America/New_York",
                        "window_order", List.of(Map.of("type", "morning", "_actions", List.of(actionId))),
                        "adherence", Map.of("due", 99))));
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.at("/data/attributes/critical/blood_glucose/data/maximum/value").asInt()).isEqualTo(300);
        assertThat(changed.at("/data/attributes/time_zone").asText()).isEqualTo("America/New_York");
        assertThat(changed.at("/data/attributes/window_order/0/_actions/0").asText()).isEqualTo(actionId);
        assertThat(changed.at("/meta/ignored/0").asText()).isEqualTo("/data/attributes/adherence");
        assertThat(changed.at("/data/attributes/adherence"))
                .isEqualTo(api.get("/pub/patient_plan_summary/" + plan, tenant.token()).at("/data/attributes/adherence"));

        String path = "/pub/patient_plan_summary/" + plan;
        assertProblem(patch(path, Map.of("type", "patient_plan_summary", "attributes", Map.of("time_zone", "Mars/Olympus"))),
                409, "InvalidBodyParameter", "/data/attributes/time_zone");
        assertProblem(patch(path, Map.of("type", "patient_plan_summary", "attributes", Map.of("time_zone", "SystemV/EST5"))),
                409, "InvalidBodyParameter", "/data/attributes/time_zone");
        assertProblem(patch(path, Map.of("type", "patient_plan_summary", "attributes", Map.of("time_zone", (Object) "UTC",
                "window_order", List.of(Map.of("type", "night", "_actions", List.of("000000000000000000000000")))))),
                409, "InvalidBodyParameter", "/data/attributes/window_order/0/_actions/0");
        assertProblem(patch(path, Map.of("type", "patient_plan_summary", "attributes", Map.of("critical",
                Map.of("weight", Map.of("data", Map.of("minimum", Map.of("value", "low"))))))),
                409, "InvalidBodyParameter", "/data/attributes/critical/weight/data/minimum/value");
        assertProblem(patch(path, Map.of("type", "patient_plan_summary", "attributes", Map.of("critical",
                Map.of("shoe_size", Map.of("data", Map.of()))))),
                409, "InvalidBodyParameter", "/data/attributes/critical/shoe_size");
        Map<String, Object> nullZone = new LinkedHashMap<>();
        nullZone.put("time_zone", null);
        assertProblem(patch(path, Map.of("type", "patient_plan_summary", "attributes", nullZone)),
                409, "InvalidBodyParameter", "/data/attributes/time_zone");
        assertThat(api.get(path, tenant.token()).at("/data/attributes/time_zone").asText()).isEqualTo("America/New_York");
        assertThat(api.send("POST", "/pub/patient_plan_summary", tenant.token(), Api.JSON_API, "{}", List.of()).status())
                .isEqualTo(405);
    }

    @Test
    void createAndFetchATrackingAction() {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("frequency_goal", Map.of("weeks", Map.of("days", List.of(0, 3))));
        attributes.put("metrics", List.of(Map.of("metric_type", "weight", "unit", "lb",
                "goal", Map.of("data", Map.of("value", 210, "unit", "lb")),
                "validations", Map.of("minimum", Map.of("value", 0, "unit", "lb")))));
        attributes.put("windows", List.of(Map.of("type", "morning", "title", "Morning")));
        attributes.put("identifiers", List.of(Map.of("system", "http://actions.example", "value", "a-1")));
        attributes.put("details", Map.of("some", "mixed value", "nested", Map.of("n", 1)));
        attributes.put("static_title", "ignored");
        Api.Response created = api.post("/pub/action", tenant.token(), Api.json(Map.of("data", action(planA, attributes))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode a = created.at("/data/attributes");
        assertThat(a.get("type").asText()).isEqualTo("weight");
        assertThat(a.get("_thread").asText()).isEqualTo("weight");
        assertThat(a.get("static_title").asText()).isEqualTo("Measure Weight");
        assertThat(a.get("tracking").asBoolean()).isTrue();
        assertThat(a.get("metric_required").asBoolean()).isFalse();
        assertThat(a.at("/metrics/0/_id").asText()).hasSize(24);
        assertThat(a.at("/windows/0/_id").asText()).hasSize(24);
        assertThat(a.at("/identifiers/0/_id").asText()).hasSize(24);
        assertThat(a.at("/details/nested/n").asInt()).isEqualTo(1);
        assertThat(a.get("options").toString()).isEqualTo("[]");
        // 2024-03-01 is a Friday: of Sunday and Wednesday, none is left in that week.
        assertThat(a.get("frequency_goal_prorated").asInt()).isZero();
        assertThat(a.get("effective_to").isNull()).isTrue();
        assertThat(a.at("/adherence/streak/count").asInt()).isZero();
        assertThat(created.at("/meta/ignored/0").asText()).isEqualTo("/data/attributes/static_title");
        assertThat(created.at("/data/relationships/plan/data/id").asText()).isEqualTo(planA);
        String id = created.at("/data/id").asText();
        Api.Response fetched = api.get("/pub/action/" + id, tenant.token());
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.at("/data/attributes/metrics/0/_id").asText()).isEqualTo(a.at("/metrics/0/_id").asText());
        Api.Response plan = api.get("/pub/patient_plan_summary/" + planA + "?include=actions", tenant.token());
        assertThat(plan.at("/data/relationships/actions/data").findValuesAsText("id")).contains(id);
        assertThat(plan.at("/included").findValuesAsText("id")).contains(id);
    }

    @Test
    void lifestyleActionsGetANewThreadAndTrackingCanBeOff() {
        Api.Response created = api.post("/pub/action", tenant.token(), Api.json(Map.of("data", action(planA,
                Map.of("type", "medication", "title", "Take Metformin", "tracking", false,
                        "effective_from", "2024-03-03T12:00:00Z")))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.at("/data/attributes/_thread").asText()).matches("[0-9a-f]{24}");
        assertThat(created.at("/data/attributes/tracking").asBoolean()).isFalse();
        // Sunday: every day of that week is left.
        assertThat(created.at("/data/attributes/frequency_goal_prorated").asInt()).isEqualTo(7);
        Api.Response threaded = api.post("/pub/action", tenant.token(), Api.json(Map.of("data", action(planA,
                Map.of("type", "blood_glucose", "_thread", "glucose-thread")))));
        assertThat(threaded.at("/data/attributes/_thread").asText()).isEqualTo("glucose-thread");
    }

    @Test
    void actionValidation() {
        assertProblem(api.post("/pub/action", tenant.token(), Api.json(Map.of("data", action(planA,
                Map.of("type", "juggling"))))), 409, "InvalidBodyParameter", "/data/attributes/type");
        assertProblem(api.post("/pub/action", tenant.token(), Api.json(Map.of("data", Map.of("type", "action",
                "attributes", Map.of("type", "weight", "title", "T", "effective_from", "2024-03-01T00:00:00Z"))))),
                409, "InvalidBodyParameter", "/data/relationships/plan");
        assertProblem(api.post("/pub/action", tenant.token(), Api.json(Map.of("data", Map.of("type", "action",
                "attributes", Map.of("type", "weight", "effective_from", "2024-03-01T00:00:00Z"),
                "relationships", Map.of("plan", Map.of("data", ref("patient_plan_summary", planA))))))),
                409, "InvalidBodyParameter", "/data/attributes/title");
        assertProblem(api.post("/pub/action", tenant.token(), Api.json(Map.of("data", action(planA,
                Map.of("effective_to", "2024-02-01T00:00:00Z"))))), 409, "InvalidBodyParameter",
                "/data/attributes/effective_to");
        assertProblem(api.post("/pub/action", tenant.token(), Api.json(Map.of("data", action(planA,
                Map.of("frequency_goal", Map.of("weeks", Map.of("days", List.of(1, 7)))))))), 409,
                "InvalidBodyParameter", "/data/attributes/frequency_goal/weeks/days/1");
        assertProblem(api.post("/pub/action", tenant.token(), Api.json(Map.of("data", action(planA,
                Map.of("frequency_goal", Map.of("weeks", Map.of("days", List.of(2, 2)))))))), 409,
                "InvalidBodyParameter", "/data/attributes/frequency_goal/weeks/days/1");
        assertProblem(api.post("/pub/action", tenant.token(), Api.json(Map.of("data", action(planA,
                Map.of("metrics", List.of(Map.of("metric_type", "weight"), Map.of("metric_type", "steps"))))))),
                409, "InvalidBodyParameter", "/data/attributes/metrics/1/metric_type");
        assertProblem(api.post("/pub/action", tenant.token(), Api.json(Map.of("data", action(planA,
                Map.of("windows", List.of(Map.of("title", "no type"))))))), 409, "InvalidBodyParameter",
                "/data/attributes/windows/0/type");
        assertProblem(api.post("/pub/action", tenant.token(), Api.json(Map.of("data", action("000000000000000000000000",
                Map.of())))), 403, "Forbidden", "/data/relationships/plan/data/id");
        String bundleOfB = api.post("/pub/bundle", tenant.token(), Api.json(Map.of("data", bundle(planB, List.of()))))
                .at("/data/id").asText();
        Map<String, Object> withBundle = new LinkedHashMap<>(action(planA, Map.of()));
        withBundle.put("relationships", Map.of("plan", Map.of("data", ref("patient_plan_summary", planA)),
                "bundles", Map.of("data", List.of(ref("bundle", bundleOfB)))));
        assertProblem(api.post("/pub/action", tenant.token(), Api.json(Map.of("data", withBundle))), 409,
                "InvalidBodyParameter", "/data/relationships/bundles/data/0/id");
    }

    @Test
    void patchAnActionEndingItAndKeepingItsPlanTypeAndStaticTitle() {
        String id = plans.createAction(tenant.token(), planA, Map.of("title", "Weigh In"));
        String path = "/pub/action/" + id;
        Api.Response renamed = patch(path, Map.of("type", "action", "id", id, "attributes", Map.of("title", "Weigh Yourself",
                "effective_to", "2024-04-01T00:00:00Z", "details", Map.of("k", "v"))));
        assertThat(renamed.status()).as(renamed.body()).isEqualTo(200);
        assertThat(renamed.at("/data/attributes/title").asText()).isEqualTo("Weigh Yourself");
        assertThat(renamed.at("/data/attributes/static_title").asText()).isEqualTo("Weigh In");
        assertThat(renamed.at("/data/attributes/effective_to").asText()).isEqualTo("2024-04-01T00:00:00.000Z");
        assertProblem(patch(path, Map.of("type", "action", "attributes", Map.of("type", "heart_rate"))), 409,
                "InvalidBodyParameter", "/data/attributes/type");
        assertProblem(patch(path, Map.of("type", "action", "attributes", Map.of("effective_to", "2024-02-01T00:00:00Z"))),
                409, "InvalidBodyParameter", "/data/attributes/effective_to");
        assertProblem(patch(path, Map.of("type", "action", "relationships", Map.of("plan",
                Map.of("data", ref("patient_plan_summary", planB))))), 409, "InvalidBodyParameter",
                "/data/relationships/plan/data");
        Map<String, Object> reopen = new LinkedHashMap<>();
        reopen.put("effective_to", null);
        assertThat(patch(path, Map.of("type", "action", "attributes", reopen)).at("/data/attributes/effective_to").isNull())
                .isTrue();
        assertProblem(patch("/pub/action/000000000000000000000000", Map.of("type", "action", "attributes", Map.of())),
                404, "ResourceNotFound", "");
    }

    private static Map<String, Object> bundle(String planId, List<String> actionIds) {
        return Map.of("type", "bundle", "attributes", Map.of("type", "weight", "title", "Weight",
                        "effective_from", "2024-03-01T00:00:00Z", "_thread", "123"),
                "relationships", Map.of("plan", Map.of("data", ref("patient_plan_summary", planId)),
                        "actions", Map.of("data", actionIds.stream().map(id -> ref("action", id)).toList())));
    }

    @Test
    void bundlesKeepBothSidesOfTheirMembershipConsistent() {
        String first = plans.createAction(tenant.token(), planA, Map.of());
        String second = plans.createAction(tenant.token(), planA, Map.of("type", "medication"));
        Api.Response created = api.post("/pub/bundle", tenant.token(), Api.json(Map.of("data", bundle(planA, List.of(first)))));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String bundle = created.at("/data/id").asText();
        assertThat(created.at("/data/attributes/_actions").toString()).isEqualTo("[\"" + first + "\"]");
        assertThat(created.at("/data/attributes/_thread").asText()).isEqualTo("123");
        assertThat(created.at("/data/relationships/actions/data/0/id").asText()).isEqualTo(first);
        assertThat(api.get("/pub/action/" + first, tenant.token()).at("/data/relationships/bundles/data/0/id").asText())
                .isEqualTo(bundle);

        Api.Response moved = patch("/pub/bundle/" + bundle, Map.of("type", "bundle", "relationships",
                Map.of("actions", Map.of("data", List.of(ref("action", second))))));
        assertThat(moved.status()).as(moved.body()).isEqualTo(200);
        assertThat(moved.at("/data/attributes/_actions").toString()).isEqualTo("[\"" + second + "\"]");
        assertThat(api.get("/pub/action/" + first, tenant.token()).at("/data/relationships/bundles/data")).isEmpty();
        assertThat(api.get("/pub/action/" + second, tenant.token()).at("/data/relationships/bundles/data/0/id").asText())
                .isEqualTo(bundle);

        Api.Response fromAction = patch("/pub/action/" + first, Map.of("type", "action", "relationships",
                Map.of("bundles", Map.of("data", List.of(ref("bundle", bundle))))));
        assertThat(fromAction.status()).as(fromAction.body()).isEqualTo(200);
        assertThat(api.get("/pub/bundle/" + bundle, tenant.token()).at("/data/relationships/actions/data")
                .findValuesAsText("id")).containsExactlyInAnyOrder(first, second);

        Api.Response plan = api.get("/pub/patient_plan_summary/" + planA + "?include=bundles,actions,patient,current_results",
                tenant.token());
        assertThat(plan.status()).isEqualTo(200);
        assertThat(plan.at("/data/relationships/bundles/data").findValuesAsText("id")).contains(bundle);
        assertThat(plan.at("/included").findValuesAsText("type")).contains("bundle", "action", "patient");

        String otherPlansAction = plans.createAction(tenant.token(), planB, Map.of());
        assertProblem(patch("/pub/bundle/" + bundle, Map.of("type", "bundle", "relationships",
                Map.of("actions", Map.of("data", List.of(ref("action", second), ref("action", otherPlansAction)))))),
                409, "InvalidBodyParameter", "/data/relationships/actions/data/1/id");
        assertProblem(api.post("/pub/bundle", tenant.token(), Api.json(Map.of("data", Map.of("type", "bundle",
                "attributes", Map.of("title", "T", "effective_from", "2024-03-01T00:00:00Z"),
                "relationships", Map.of("plan", Map.of("data", ref("patient_plan_summary", planA))))))),
                409, "InvalidBodyParameter", "/data/attributes/type");
        assertProblem(api.post("/pub/bundle", tenant.token(), Api.json(Map.of("data", Map.of("type", "bundle",
                "attributes", Map.of("type", "x", "title", "T", "effective_from", "2024-03-01T00:00:00Z",
                        "effective_to", "2024-01-01T00:00:00Z"),
                "relationships", Map.of("plan", Map.of("data", ref("patient_plan_summary", planA))))))),
                409, "InvalidBodyParameter", "/data/attributes/effective_to");
        assertProblem(patch("/pub/bundle/" + bundle, Map.of("type", "bundle", "relationships", Map.of("plan",
                Map.of("data", ref("patient_plan_summary", planB))))), 409, "InvalidBodyParameter",
                "/data/relationships/plan/data");
    }

    @Test
    void aGroupScopedClientSeesAndWritesOnlyItsPatientsPlans() {
        String token = fixtures.token(fixtures.client(tenant.organizationId(), groupA));
        assertThat(api.get("/pub/patient_plan_summary/" + planA, token).status()).isEqualTo(200);
        assertThat(api.get("/pub/patient_plan_summary/" + planB, token).status()).isEqualTo(404);
        Api.Response outOfScope = api.get("/pub/patient_plan_summary?filter[groups]=" + groupB, token);
        assertThat(outOfScope.status()).isEqualTo(403);
        assertThat(outOfScope.at("/errors/0/source/parameter").asText()).isEqualTo("filter[groups]");
        assertThat(api.get("/pub/patient_plan_summary?filter[organization]=" + tenant.organizationId() + "&page[size]=50",
                token).ids()).contains(planA).doesNotContain(planB);
        Api.Response byPatient = api.get("/pub/patient_plan_summary?filter[patient]=" + patientB, token);
        assertThat(byPatient.status()).isEqualTo(403);
        assertThat(byPatient.at("/errors/0/source/parameter").asText()).isEqualTo("filter[patient]");
        assertProblem(api.post("/pub/action", token, Api.json(Map.of("data", action(planB, Map.of())))), 403, "Forbidden",
                "/data/relationships/plan/data/id");
        String actionOfB = plans.createAction(tenant.token(), planB, Map.of());
        assertThat(api.get("/pub/action/" + actionOfB, token).status()).isEqualTo(404);
        assertThat(api.send("PATCH", "/pub/patient_plan_summary/" + planB, token, Api.JSON_API,
                "{\"data\":{\"type\":\"patient_plan_summary\",\"attributes\":{\"time_zone\":\"UTC\"}}}", List.of()).status())
                .isEqualTo(404);
        Api.Response own = api.post("/pub/action", token, Api.json(Map.of("data", action(planA, Map.of()))));
        assertThat(own.status()).as(own.body()).isEqualTo(201);
    }
}
