package dev.openplus.metric;

import static dev.openplus.support.CarePlans.metric;
import static dev.openplus.support.CarePlans.ref;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.support.Api;
import dev.openplus.support.CarePlans;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/** Metrics (single, bulk, patient by query, duplicates) and the results they create; lifestyle results; scopes. */
class MetricTest {
    static Api api;
    static Fixtures fixtures;
    static CarePlans plans;
    static Fixtures.Tenant tenant;
    static Fixtures.Tenant other;
    static String groupA;
    static String groupB;
    static String patientA;
    static String patientB;
    static String mrn;

    @BeforeAll
    static void setUp() {
        TestServer server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        plans = new CarePlans(api);
        tenant = fixtures.tenant("Metric Org");
        other = fixtures.tenant("Metric Other Org");
        groupA = fixtures.group(tenant.organizationId(), "Metric A");
        groupB = fixtures.group(tenant.organizationId(), "Metric B");
        mrn = "MRN-" + tenant.organizationId();
        patientA = plans.patient(tenant.token(), List.of(Map.of("system", "mrn", "value", mrn)), groupA);
        patientB = plans.patient(tenant.token(), groupB);
    }

    private static Api.Response create(Object data) {
        return api.post("/pub/patient_health_metric", tenant.token(), Api.json(Map.of("data", data)));
    }

    private static void assertProblem(Api.Response response, int status, String code, String pointer) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.at("/errors/0/code").asText()).as(response.body()).isEqualTo(code);
        assertThat(response.at("/errors/0/source/pointer").asText()).as(response.body()).isEqualTo(pointer);
    }

    @Test
    void aMetricCreatesItsResultLinkedToTheTrackingAction() {
        String patient = plans.patient(tenant.token(), groupA);
        String plan = plans.planOf(tenant.token(), patient);
        String action = plans.createAction(tenant.token(), plan, Map.of("effective_from", "2024-01-01T00:00:00Z",
                "effective_to", "2024-06-01T00:00:00Z"));
        Map<String, Object> data = new LinkedHashMap<>(metric(patient, "weight", 182.5, "2024-03-14T11:00:57.000Z"));
        Map<String, Object> attributes = new LinkedHashMap<>((Map<String, Object>) data.get("attributes"));
        attributes.put("code", Map.of("system", "LOINC", "value", "29463-7"));
        data.put("attributes", attributes);
        Api.Response created = create(data);
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String metricId = created.at("/data/id").asText();
        assertThat(created.at("/data/attributes/value").asDouble()).isEqualTo(182.5);
        assertThat(created.at("/data/attributes/code/value").asText()).isEqualTo("29463-7");
        assertThat(created.at("/data/attributes/occurred_at").asText()).isEqualTo("2024-03-14T11:00:57.000Z");
        assertThat(created.at("/data/relationships/patient/data/id").asText()).isEqualTo(patient);
        Api.Response fetched = api.get("/pub/patient_health_metric/" + metricId, tenant.token());
        assertThat(fetched.at("/data/id").asText()).as("a single resource").isEqualTo(metricId);

        Api.Response results = api.get("/pub/result?filter[patient]=" + patient, tenant.token());
        assertThat(results.at("/meta/count").asLong()).isEqualTo(1);
        assertThat(results.at("/data/0/attributes/metric_type").asText()).isEqualTo("weight");
        assertThat(results.at("/data/0/attributes/type").asText()).isEqualTo("weight");
        assertThat(results.at("/data/0/attributes/data/value").asDouble()).isEqualTo(182.5);
        assertThat(results.at("/data/0/attributes/_thread").asText()).isEqualTo("weight");
        assertThat(results.at("/data/0/attributes/skipped").asBoolean()).isFalse();
        assertThat(results.at("/data/0/relationships/action/data/id").asText()).isEqualTo(action);
        assertThat(results.at("/data/0/relationships/metric/data/id").asText()).isEqualTo(metricId);
        assertThat(results.at("/data/0/relationships/patient/data/id").asText()).isEqualTo(patient);
        String resultId = results.at("/data/0/id").asText();
        assertThat(api.get("/pub/result/" + resultId, tenant.token()).at("/data/id").asText()).isEqualTo(resultId);

        // Outside the action's period no action is linked, and the thread is the metric type.
        create(metric(patient, "weight", 180, "2024-07-01T00:00:00Z"));
        Api.Response later = api.get("/pub/result?filter[patient]=" + patient + "&filter[start_at]=2024-06-30T00:00:00Z",
                tenant.token());
        assertThat(later.at("/data/0/relationships/action/data").isNull()).isTrue();
        assertThat(later.at("/data/0/attributes/_thread").asText()).isEqualTo("weight");

        Api.Response plansWithResults = api.get("/pub/patient_plan_summary/" + plan + "?include=current_results", tenant.token());
        assertThat(plansWithResults.at("/data/relationships/current_results/data/0/id").asText()).isEqualTo(resultId);
        assertThat(plansWithResults.at("/included/0/type").asText()).isEqualTo("result");
    }

    @Test
    void bloodPressureNeedsSystolicAndDiastolicAndOtherTypesAValue() {
        Map<String, Object> pressure = new LinkedHashMap<>(metric(patientA, "blood_pressure", null, "2024-03-01T08:00:00Z"));
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("type", "blood_pressure");
        attributes.put("systolic", 120);
        attributes.put("diastolic", 80);
        attributes.put("unit", "mmHg");
        attributes.put("occurred_at", "2024-03-01T08:00:00Z");
        pressure.put("attributes", attributes);
        Api.Response created = create(pressure);
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        Api.Response result = api.get("/pub/result?filter[patient]=" + patientA + "&filter[threads]=blood_pressure",
                tenant.token());
        assertThat(result.at("/data/0/attributes/data/value/systolic").asInt()).isEqualTo(120);
        assertThat(result.at("/data/0/attributes/data/value/diastolic").asInt()).isEqualTo(80);

        Map<String, Object> noDiastolic = new LinkedHashMap<>(attributes);
        noDiastolic.remove("diastolic");
        assertProblem(create(Map.of("type", "patient_health_metric", "attributes", noDiastolic, "relationships",
                pressure.get("relationships"))), 409, "InvalidBodyParameter", "/data/attributes/diastolic");
        Map<String, Object> withValue = new LinkedHashMap<>(attributes);
        withValue.put("value", 1);
        assertProblem(create(Map.of("type", "patient_health_metric", "attributes", withValue, "relationships",
                pressure.get("relationships"))), 409, "InvalidBodyParameter", "/data/attributes/value");
        assertProblem(create(metric(patientA, "weight", null, "2024-03-01T08:00:00Z")), 409, "InvalidBodyParameter",
                "/data/attributes/value");
        Map<String, Object> weight = new LinkedHashMap<>(metric(patientA, "weight", 1, "2024-03-01T08:00:00Z"));
        Map<String, Object> weightAttributes = new LinkedHashMap<>((Map<String, Object>) weight.get("attributes"));
        weightAttributes.put("systolic", 1);
        weight.put("attributes", weightAttributes);
        assertProblem(create(weight), 409, "InvalidBodyParameter", "/data/attributes/systolic");
        assertProblem(create(metric(patientA, "steps", 1, "2024-03-01T08:00:00Z")), 409, "InvalidBodyParameter",
                "/data/attributes/type");
        assertProblem(create(metric(patientA, "weight", "heavy", "2024-03-01T08:00:00Z")), 409, "InvalidBodyParameter",
                "/data/attributes/value");
        assertProblem(create(metric(patientA, "weight", 1, "yesterday")), 409, "InvalidBodyParameter",
                "/data/attributes/occurred_at");
        assertProblem(create(Map.of("type", "patient_health_metric", "attributes", Map.of("type", "weight", "value", 1,
                "occurred_at", "2024-03-01T08:00:00Z"))), 409, "InvalidBodyParameter", "/data/relationships/patient");
        assertProblem(create(metric("000000000000000000000000", "weight", 1, "2024-03-01T08:00:00Z")), 403, "Forbidden",
                "/data/relationships/patient/data/id");
    }

    @Test
    void bulkCreatesAreAllOrNothingAndAnswerInRequestOrder() {
        String patient = plans.patient(tenant.token(), groupA);
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            items.add(metric(patient, "heart_rate", 60 + i, "2024-03-0" + (i + 1) + "T07:00:00Z"));
        }
        Api.Response created = create(items);
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.at("/data").size()).isEqualTo(5);
        assertThat(created.at("/data/4/attributes/value").asInt()).isEqualTo(64);
        assertThat(api.get("/pub/result?filter[patient]=" + patient, tenant.token()).at("/meta/count").asLong()).isEqualTo(5);

        List<Object> spoiled = new ArrayList<>(items);
        spoiled.set(3, metric(patient, "heart_rate", "fast", "2024-03-09T07:00:00Z"));
        assertProblem(create(spoiled), 409, "InvalidBodyParameter", "/data/3/attributes/value");
        assertThat(api.get("/pub/patient_health_metric?filter[patient]=" + patient, tenant.token()).at("/meta/count")
                .asLong()).isEqualTo(5);
        List<Object> tooMany = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            tooMany.add(items.get(0));
        }
        assertProblem(create(tooMany), 409, "InvalidBodyParameter", "/data");
    }

    @Test
    void duplicatesAreSkippedOnlyWhenAsked() {
        String patient = plans.patient(tenant.token(), groupA);
        assertThat(create(metric(patient, "weight", 200, "2024-02-01T07:00:00Z")).status()).isEqualTo(200);
        Api.Response again = api.post("/pub/patient_health_metric", tenant.token(), Api.json(Map.of(
                "meta", Map.of("ignore_duplicates", true),
                "data", List.of(metric(patient, "weight", 201, "2024-02-01T07:00:00.000+00:00"),
                        metric(patient, "weight", 202, "2024-02-02T07:00:00Z"),
                        metric(patient, "weight", 203, "2024-02-02T08:00:00+01:00"),
                        metric(patient, "heart_rate", 70, "2024-02-01T07:00:00Z")))));
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.at("/data").size()).isEqualTo(2);
        assertThat(again.at("/data/0/attributes/value").asInt()).isEqualTo(202);
        assertThat(again.at("/data/1/attributes/type").asText()).isEqualTo("heart_rate");
        assertThat(again.at("/meta/ignored").toString()).isEqualTo("[\"/data/0\",\"/data/2\"]");
        assertThat(api.get("/pub/patient_health_metric?filter[patient]=" + patient, tenant.token()).at("/meta/count")
                .asLong()).isEqualTo(3);
        Api.Response single = api.post("/pub/patient_health_metric", tenant.token(), Api.json(Map.of(
                "meta", Map.of("ignore_duplicates", true), "data", metric(patient, "weight", 1, "2024-02-01T07:00:00Z"))));
        assertThat(single.status()).as(single.body()).isEqualTo(200);
        assertThat(single.at("/data").isNull()).isTrue();
        assertThat(single.at("/meta/ignored/0").asText()).isEqualTo("/data");
        // Without the flag a repeated measurement is stored.
        assertThat(create(metric(patient, "weight", 200, "2024-02-01T07:00:00Z")).status()).isEqualTo(200);
        assertThat(api.get("/pub/patient_health_metric?filter[patient]=" + patient, tenant.token()).at("/meta/count")
                .asLong()).isEqualTo(4);
        assertProblem(api.post("/pub/patient_health_metric", tenant.token(), Api.json(Map.of(
                "meta", Map.of("ignore_duplicates", "yes"), "data", metric(patient, "weight", 1, "2024-02-01T07:00:00Z")))),
                409, "InvalidBodyParameter", "/meta/ignore_duplicates");
    }

    private static Map<String, Object> byQuery(Map<String, Object> query) {
        Map<String, Object> data = new LinkedHashMap<>(metric(patientA, "weight", 150, "2024-05-01T07:00:00Z"));
        data.put("relationships", Map.of("patient", Map.of("data", Map.of("type", "patient", "meta", Map.of("query", query)))));
        return data;
    }

    @Test
    void thePatientCanBeFoundByIdentifier() {
        Map<String, Object> identifier = Map.of("system", "mrn", "value", mrn);
        Api.Response byOrganization = create(byQuery(Map.of("identifier", identifier, "organization", tenant.organizationId())));
        assertThat(byOrganization.status()).as(byOrganization.body()).isEqualTo(200);
        assertThat(byOrganization.at("/data/relationships/patient/data/id").asText()).isEqualTo(patientA);
        Api.Response byGroups = create(byQuery(Map.of("identifier", identifier, "groups", List.of(groupA))));
        assertThat(byGroups.at("/data/relationships/patient/data/id").asText()).isEqualTo(patientA);
        // The item's own meta.query works too.
        Map<String, Object> itemMeta = new LinkedHashMap<>(metric(patientA, "weight", 151, "2024-05-02T07:00:00Z"));
        itemMeta.remove("relationships");
        itemMeta.put("meta", Map.of("query", Map.of("identifier", identifier, "organization", tenant.organizationId())));
        Api.Response viaItem = create(itemMeta);
        assertThat(viaItem.status()).as(viaItem.body()).isEqualTo(200);
        assertThat(viaItem.at("/data/relationships/patient/data/id").asText()).isEqualTo(patientA);

        assertProblem(create(byQuery(Map.of("identifier", identifier, "groups", List.of(groupB)))), 409,
                "InvalidBodyParameter", "/data");
        assertProblem(create(List.of(metric(patientA, "weight", 1, "2024-05-01T07:00:00Z"), byQuery(Map.of("identifier",
                Map.of("system", "mrn", "value", "nobody"), "organization", tenant.organizationId())))), 409,
                "InvalidBodyParameter", "/data/1");
        String shared = "SHARED-" + tenant.organizationId();
        plans.patient(tenant.token(), List.of(Map.of("system", "mrn", "value", shared, "unique", false)), groupA);
        plans.patient(tenant.token(), List.of(Map.of("system", "mrn", "value", shared, "unique", false)), groupA);
        assertProblem(create(byQuery(Map.of("identifier", Map.of("system", "mrn", "value", shared),
                "organization", tenant.organizationId()))), 409, "InvalidBodyParameter", "/data");
        assertProblem(create(byQuery(Map.of("identifier", identifier, "organization", other.organizationId()))), 403,
                "Forbidden", "/data/relationships/patient/data/meta/query/organization");
        assertProblem(create(byQuery(Map.of("identifier", Map.of("system", "mrn"), "organization", tenant.organizationId()))),
                409, "InvalidBodyParameter", "/data/relationships/patient/data/meta/query/identifier/value");
        assertProblem(create(byQuery(Map.of("identifier", identifier))), 409, "InvalidBodyParameter",
                "/data/relationships/patient/data/meta/query");
        // Another organization's client finds nothing by the same identifier.
        Api.Response foreign = api.post("/pub/patient_health_metric", other.token(), Api.json(Map.of("data",
                byQuery(Map.of("identifier", identifier, "organization", other.organizationId())))));
        assertProblem(foreign, 409, "InvalidBodyParameter", "/data");
    }

    @Test
    void metricListsFilterAndPageBothWays() {
        String patient = plans.patient(tenant.token(), groupB);
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            items.add(metric(patient, i % 2 == 0 ? "weight" : "heart_rate", 70 + i, "2024-04-1" + i + "T07:00:00Z"));
        }
        assertThat(create(items).status()).isEqualTo(200);
        String base = "/pub/patient_health_metric?filter[patient]=" + patient;
        assertThat(api.get(base, tenant.token()).at("/meta/count").asLong()).isEqualTo(6);
        assertThat(api.get(base + "&filter[type]=weight", tenant.token()).at("/meta/count").asLong()).isEqualTo(3);
        assertThat(api.get(base + "&filter[occurred_at]=2024-04-12T00:00:00Z..2024-04-14T00:00:00Z", tenant.token())
                .at("/meta/count").asLong()).isEqualTo(2);
        List<String> skip = api.pageThrough(base + "&page[size]=4&sort=-occurred_at", tenant.token());
        List<String> cursor = api.pageThrough(base + "&page[limit]=4&sort=-occurred_at", tenant.token());
        assertThat(skip).hasSize(6).isEqualTo(cursor);
        Api.Response latest = api.get(base + "&sort=-occurred_at&page[limit]=1", tenant.token());
        assertThat(latest.at("/data/0/attributes/occurred_at").asText()).isEqualTo("2024-04-15T07:00:00.000Z");
        assertThat(api.get("/pub/patient_health_metric?filter[groups]=" + groupB + "&page[size]=50", tenant.token()).ids())
                .containsAll(skip);
        assertThat(api.get("/pub/patient_health_metric?filter[organization]=" + tenant.organizationId(), tenant.token())
                .at("/meta/count").asLong()).isGreaterThanOrEqualTo(6);
        Api.Response none = api.get("/pub/patient_health_metric", tenant.token());
        assertThat(none.status()).isEqualTo(409);
        assertThat(none.at("/errors/0/source/parameter").asText()).isEqualTo("filter[patient]");
    }

    @Test
    void resultListsFilterAndPageBothWays() {
        String patient = plans.patient(tenant.token(), groupB);
        String plan = plans.planOf(tenant.token(), patient);
        String walk = plans.createAction(tenant.token(), plan, Map.of("type", "physical_activity", "title", "Walk"));
        String weight = plans.createAction(tenant.token(), plan, Map.of("effective_from", "2024-01-01T00:00:00Z"));
        for (int i = 1; i <= 4; i++) {
            Api.Response recorded = plans.result(tenant.token(), walk, Map.of("occurred_at", "2024-03-0" + i + "T12:00:00Z",
                    "data", Map.of("value", 30 * i), "occurred_at_time_zone", "America/New_York", "window", "morning",
                    "annotations", List.of(Map.of("title", "felt", "text", "good")), "channel", "app",
                    "external_id", "walk-" + i, "source", Map.of("source_id", "s", "name", "Phone")));
            assertThat(recorded.status()).as(recorded.body()).isEqualTo(201);
        }
        create(List.of(metric(patient, "weight", 170, "2024-03-02T06:00:00Z"), metric(patient, "weight", 171,
                "2024-03-03T06:00:00Z")));
        String base = "/pub/result?filter[patient]=" + patient;
        Api.Response all = api.get(base, tenant.token());
        assertThat(all.at("/meta/count").asLong()).isEqualTo(6);
        Api.Response walks = api.get(base + "&filter[actions]=" + walk + "&sort=occurred_at", tenant.token());
        assertThat(walks.at("/meta/count").asLong()).isEqualTo(4);
        assertThat(walks.at("/data/0/attributes/type").asText()).isEqualTo("physical_activity");
        assertThat(walks.at("/data/0/attributes/metric_type").isNull()).isTrue();
        assertThat(walks.at("/data/0/attributes/data/value").asInt()).isEqualTo(30);
        assertThat(walks.at("/data/0/attributes/source/name").asText()).isEqualTo("Phone");
        assertThat(walks.at("/data/0/attributes/occurred_at_time_zone").asText()).isEqualTo("America/New_York");
        String walkThread = walks.at("/data/0/attributes/_thread").asText();
        assertThat(api.get("/pub/action/" + walk, tenant.token()).at("/data/attributes/_thread").asText()).isEqualTo(walkThread);
        assertThat(api.get(base + "&filter[threads]=" + walkThread + ",weight", tenant.token()).at("/meta/count").asLong())
                .isEqualTo(6);
        assertThat(api.get(base + "&filter[threads]=weight", tenant.token()).at("/data/0/relationships/action/data/id")
                .asText()).isEqualTo(weight);
        assertThat(api.get(base + "&filter[start_at]=2024-03-02T12:00:00Z&filter[end_at]=2024-03-04T12:00:00Z",
                tenant.token()).at("/meta/count").asLong()).isEqualTo(2);
        assertThat(api.get(base + "&filter[created_at]=2000-01-01T00:00:00Z..", tenant.token()).at("/meta/count").asLong())
                .isEqualTo(6);
        assertThat(api.get(base + "&filter[updated_at]=..2000-01-01T00:00:00Z", tenant.token()).at("/meta/count").asLong())
                .isZero();
        List<String> skip = api.pageThrough(base + "&page[size]=4", tenant.token());
        List<String> cursor = api.pageThrough(base + "&page[limit]=4", tenant.token());
        assertThat(skip).hasSize(6).isEqualTo(cursor);
        String next = api.get(base + "&page[limit]=2", tenant.token()).at("/links/next").asText();
        assertThat(next).contains("page[after]=");
        Api.Response bad = api.get(base + "&filter[start_at]=yesterday", tenant.token());
        assertThat(bad.status()).isEqualTo(409);
        assertThat(bad.at("/errors/0/source/parameter").asText()).isEqualTo("filter[start_at]");
        Api.Response none = api.get("/pub/result", tenant.token());
        assertThat(none.status()).isEqualTo(409);
        assertThat(none.at("/errors/0/source/parameter").asText()).isEqualTo("filter[patient]");
    }

    @Test
    void lifestyleResultValidation() {
        String plan = plans.planOf(tenant.token(), patientA);
        String tracking = plans.createAction(tenant.token(), plan, Map.of());
        String lifestyle = plans.createAction(tenant.token(), plan, Map.of("type", "sleep"));
        assertProblem(plans.result(tenant.token(), tracking, Map.of("occurred_at", "2024-03-01T00:00:00Z")), 409,
                "InvalidBodyParameter", "/data/relationships/action/data/id");
        assertProblem(plans.result(tenant.token(), lifestyle, Map.of()), 409, "InvalidBodyParameter",
                "/data/attributes/occurred_at");
        assertProblem(plans.result(tenant.token(), lifestyle, Map.of("occurred_at", "2024-03-01T00:00:00Z",
                "occurred_at_time_zone", "Nowhere/Land")), 409, "InvalidBodyParameter", "/data/attributes/occurred_at_time_zone");
        assertProblem(plans.result(tenant.token(), lifestyle, Map.of("occurred_at", "2024-03-01T00:00:00Z",
                "data", Map.of("value", 1, "extra", 2))), 409, "InvalidBodyParameter", "/data/attributes/data/extra");
        assertProblem(plans.result(tenant.token(), "000000000000000000000000", Map.of("occurred_at", "2024-03-01T00:00:00Z")),
                403, "Forbidden", "/data/relationships/action/data/id");
        assertProblem(api.post("/pub/result", tenant.token(), Api.json(Map.of("data", Map.of("type", "result",
                "attributes", Map.of("occurred_at", "2024-03-01T00:00:00Z"))))), 409, "InvalidBodyParameter",
                "/data/relationships/action");
        Api.Response skipped = plans.result(tenant.token(), lifestyle, Map.of("occurred_at", "2024-03-01T00:00:00Z",
                "skipped", true, "metric_type", "weight"));
        assertThat(skipped.status()).as(skipped.body()).isEqualTo(201);
        assertThat(skipped.at("/data/attributes/skipped").asBoolean()).isTrue();
        assertThat(skipped.at("/meta/ignored/0").asText()).isEqualTo("/data/attributes/metric_type");
    }

    @Test
    void scopesHoldForMetricsAndResults() {
        String token = fixtures.token(fixtures.client(tenant.organizationId(), groupA));
        Api.Response own = api.post("/pub/patient_health_metric", token, Api.json(Map.of("data",
                metric(patientA, "weight", 150, "2024-06-01T07:00:00Z"))));
        assertThat(own.status()).as(own.body()).isEqualTo(200);
        assertProblem(api.post("/pub/patient_health_metric", token, Api.json(Map.of("data",
                metric(patientB, "weight", 150, "2024-06-01T07:00:00Z")))), 403, "Forbidden",
                "/data/relationships/patient/data/id");
        String metricOfB = create(metric(patientB, "weight", 150, "2024-06-01T07:00:00Z")).at("/data/id").asText();
        assertThat(api.get("/pub/patient_health_metric/" + metricOfB, token).status()).isEqualTo(404);
        assertThat(api.get("/pub/patient_health_metric/" + metricOfB, other.token()).status()).isEqualTo(404);
        String resultOfB = api.get("/pub/result?filter[patient]=" + patientB, tenant.token()).at("/data/0/id").asText();
        assertThat(api.get("/pub/result/" + resultOfB, token).status()).isEqualTo(404);
        assertThat(api.get("/pub/result/" + resultOfB, other.token()).status()).isEqualTo(404);
        assertThat(api.get("/pub/result?filter[patient]=" + patientB, token).at("/meta/count").asLong()).isZero();
        assertThat(api.get("/pub/patient_health_metric?filter[organization]=" + tenant.organizationId() + "&page[size]=50",
                token).ids()).doesNotContain(metricOfB).contains(own.at("/data/id").asText());
        Api.Response groups = api.get("/pub/patient_health_metric?filter[groups]=" + groupB, token);
        assertThat(groups.status()).isEqualTo(403);
        Api.Response organization = api.get("/pub/patient_health_metric?filter[organization]=" + tenant.organizationId(),
                other.token());
        assertThat(organization.status()).isEqualTo(403);
        // A query does not find a patient outside the client's groups.
        Map<String, Object> data = new LinkedHashMap<>(metric(patientA, "weight", 150, "2024-05-01T07:00:00Z"));
        String identifierB = "B-" + tenant.organizationId();
        plans.patient(tenant.token(), List.of(Map.of("system", "mrn", "value", identifierB)), groupB);
        data.put("relationships", Map.of("patient", Map.of("data", Map.of("type", "patient", "meta", Map.of("query",
                Map.of("identifier", Map.of("system", "mrn", "value", identifierB), "organization", tenant.organizationId()))))));
        assertProblem(api.post("/pub/patient_health_metric", token, Api.json(Map.of("data", data))), 409,
                "InvalidBodyParameter", "/data");
        String planB = plans.planOf(tenant.token(), patientB);
        String sleepOfB = plans.createAction(tenant.token(), planB, Map.of("type", "sleep"));
        assertProblem(plans.result(token, sleepOfB, Map.of("occurred_at", "2024-03-01T00:00:00Z")), 403, "Forbidden",
                "/data/relationships/action/data/id");
        data.put("relationships", Map.of("patient", Map.of("data", Map.of("type", "patient", "meta", Map.of("query",
                Map.of("identifier", Map.of("system", "mrn", "value", identifierB), "groups", List.of(groupB)))))));
        assertProblem(api.post("/pub/patient_health_metric", token, Api.json(Map.of("data", data))), 403,
                "Forbidden", "/data/relationships/patient/data/meta/query/groups");
    }
}
