package dev.openplus.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * The generic write path, through HTTP on the test-only {@code probe} type: every kind of rule a description
 * states, with its exact status, code and pointer; several problems at once; nested pointers; relationships
 * outside the caller's scope answered exactly like missing ones; PATCH and DELETE semantics; and that a
 * refused request changes nothing.
 */
class EngineWriteTest {
    static TestServer server;
    static Api api;
    static Fixtures fixtures;
    static Fixtures.Tenant tenant;
    static Fixtures.Tenant other;
    static String group;
    static String secondGroup;
    static String patient;
    static String otherPatient;
    static String otherGroup;

    @BeforeAll
    static void setUp() {
        server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Engine Org");
        other = fixtures.tenant("Engine Other Org");
        group = fixtures.apiGroup(tenant, "Engine A");
        secondGroup = fixtures.apiGroup(tenant, "Engine B");
        otherGroup = fixtures.apiGroup(other, "Engine Other");
        patient = createPatient(tenant, group);
        otherPatient = createPatient(other, otherGroup);
    }

    private static String createPatient(Fixtures.Tenant owner, String groupId) {
        Api.Response response = api.post("/pub/patient", owner.token(), Api.json(Map.of("data", Map.of(
                "type", "patient", "attributes", Map.of("first_name", "Probe"),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", groupId))))))));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.at("/data/id").asText();
    }

    private static Map<String, Object> probe(Map<String, Object> attributes, String ownerId, String... groupIds) {
        Map<String, Object> relationships = new LinkedHashMap<>();
        relationships.put("owner", Map.of("data", Map.of("type", "patient", "id", ownerId)));
        List<Object> groups = new ArrayList<>();
        for (String id : groupIds) {
            groups.add(Map.of("type", "group", "id", id));
        }
        relationships.put("groups", Map.of("data", groups));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("type", "probe");
        data.put("attributes", attributes);
        data.put("relationships", relationships);
        return data;
    }

    private static Map<String, Object> valid() {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("name", "First");
        attributes.put("kind", "alpha");
        return attributes;
    }

    private static Api.Response create(Object data) {
        return api.post("/pub/probe", tenant.token(), Api.json(Map.of("data", data)));
    }

    private static Api.Response patch(String id, Map<String, Object> data) {
        return api.send("PATCH", "/pub/probe/" + id, tenant.token(), Api.JSON_API, Api.json(Map.of("data", data)), List.of());
    }

    private static long probes() {
        return server.database.dsl().fetchCount(ProbeResource.TYPE.table());
    }

    /** The (pointer → code) pairs of an error document, in order. */
    private static Map<String, String> errors(Api.Response response) {
        Map<String, String> errors = new LinkedHashMap<>();
        for (JsonNode error : response.json().get("errors")) {
            errors.put(error.path("source").path("pointer").asText(), error.get("code").asText());
        }
        return errors;
    }

    @Test
    void aCreateStoresDefaultsServerIdsDerivedValuesAndAnswersAsAFetchWould() {
        Map<String, Object> attributes = valid();
        attributes.put("settings", Map.of("mode", "daily", "days", List.of(1, 3),
                "metrics", List.of(Map.of("metric_type", "weight", "goal", Map.of("value", 70, "unit", "kg")))));
        attributes.put("summary", "sent by the client");
        attributes.put("created_at", "2020-01-01T00:00:00Z");
        Api.Response created = api.post("/pub/probe?include=owner", tenant.token(),
                Api.json(Map.of("data", probe(attributes, patient, group, secondGroup))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.at("/data/id").asText();
        assertThat(id).matches("[0-9a-f]{24}");
        assertThat(created.at("/data/attributes/time_zone").asText()).isEqualTo("UTC");
        assertThat(created.at("/data/attributes/tracking").asBoolean()).isTrue();
        assertThat(created.at("/data/attributes/summary").asText()).isEqualTo("First (alpha)");
        assertThat(created.at("/data/attributes/settings/metrics/0/_id").asText()).matches("[0-9a-f]{24}");
        assertThat(created.at("/data/attributes/created_by").asText()).isEqualTo(tenant.client().get("client_id"));
        assertThat(created.at("/data/relationships/owner/data/id").asText()).isEqualTo(patient);
        assertThat(created.at("/data/relationships/groups/data").size()).isEqualTo(2);
        assertThat(created.at("/included/0/id").asText()).isEqualTo(patient);
        assertThat(created.json().at("/meta/ignored")).hasSize(2);
        assertThat(created.at("/meta/ignored/0").asText()).isEqualTo("/data/attributes/summary");
        assertThat(created.at("/meta/ignored/1").asText()).isEqualTo("/data/attributes/created_at");

        Api.Response fetched = api.get("/pub/probe/" + id, tenant.token());
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.at("/data")).isEqualTo(created.at("/data"));
    }

    @Test
    void everyMissingRequiredMemberIsReportedTogetherAndABlankNameOnce() {
        long before = probes();
        Api.Response missing = create(Map.of("type", "probe", "attributes", Map.of()));
        assertThat(missing.status()).isEqualTo(409);
        assertThat(errors(missing)).containsExactly(
                Map.entry("/data/attributes/name", "InvalidBodyParameter"),
                Map.entry("/data/attributes/kind", "InvalidBodyParameter"),
                Map.entry("/data/relationships/owner", "InvalidBodyParameter"));

        Map<String, Object> blank = valid();
        blank.put("name", "  ");
        Api.Response blankName = create(probe(blank, patient));
        assertThat(blankName.status()).isEqualTo(409);
        assertThat(errors(blankName)).containsExactly(Map.entry("/data/attributes/name", "InvalidBodyParameter"));
        assertThat(blankName.at("/errors/0/detail").asText()).isEqualTo("name cannot be blank");
        assertThat(probes()).isEqualTo(before);
    }

    @Test
    void typesEnumsLengthsRangesAndFormatsAreCheckedOneProblemPerAttribute() {
        long before = probes();
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("name", "n".repeat(41));
        attributes.put("kind", "gamma");
        attributes.put("size", 11);
        attributes.put("ratio", 0);
        attributes.put("starts_on", "2021-02-30");
        attributes.put("starts_at", "yesterday");
        attributes.put("time_zone", "Mars/Olympus_Mons");
        attributes.put("contact", "not-an-address");
        attributes.put("tracking", "yes");
        Api.Response response = create(probe(attributes, patient));
        assertThat(response.status()).isEqualTo(409);
        assertThat(errors(response).keySet()).containsExactly("/data/attributes/name", "/data/attributes/kind",
                "/data/attributes/size", "/data/attributes/ratio", "/data/attributes/starts_on",
                "/data/attributes/starts_at", "/data/attributes/time_zone", "/data/attributes/contact",
                "/data/attributes/tracking");
        assertThat(errors(response).values()).containsOnly("InvalidBodyParameter");
        assertThat(response.at("/errors/2/detail").asText()).isEqualTo("size must be at most 10");
        assertThat(response.at("/errors/3/detail").asText()).isEqualTo("ratio must be greater than 0");

        Map<String, Object> low = valid();
        low.put("size", 0);
        Api.Response tooSmall = create(probe(low, patient));
        assertThat(errors(tooSmall)).containsExactly(Map.entry("/data/attributes/size", "InvalidBodyParameter"));
        Map<String, Object> fraction = valid();
        fraction.put("size", 2.5);
        assertThat(errors(create(probe(fraction, patient)))).containsOnlyKeys("/data/attributes/size");
        Map<String, Object> nullTracking = valid();
        nullTracking.put("tracking", null);
        assertThat(errors(create(probe(nullTracking, patient)))).containsOnlyKeys("/data/attributes/tracking");
        assertThat(probes()).isEqualTo(before);
    }

    @Test
    void nestedShapesReportTheNestedMember() {
        long before = probes();
        Map<String, Object> attributes = valid();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("days", List.of(1, 1, 7));
        settings.put("metrics", List.of(
                Map.of("metric_type", "weight"),
                Map.of("metric_type", "height"),
                Map.of("metric_type", "steps", "goal", Map.of("value", "ten thousand")),
                Map.of("metric_type", "steps", "_id", "not-an-id"),
                Map.of("goal", Map.of("unit", "kg"))));
        settings.put("extra", true);
        attributes.put("settings", settings);
        Api.Response response = create(probe(attributes, patient));
        assertThat(response.status()).isEqualTo(409);
        assertThat(errors(response).keySet()).containsExactlyInAnyOrder(
                "/data/attributes/settings/days/1",
                "/data/attributes/settings/days/2",
                "/data/attributes/settings/metrics/1/metric_type",
                "/data/attributes/settings/metrics/2/goal/value",
                "/data/attributes/settings/metrics/3/_id",
                "/data/attributes/settings/metrics/4/goal/value",
                "/data/attributes/settings/metrics/4/metric_type",
                "/data/attributes/settings/extra",
                "/data/attributes/settings/mode");
        assertThat(probes()).isEqualTo(before);
    }

    @Test
    void relatedIdsOutsideTheScopeAreAnsweredExactlyLikeMissingOnes() {
        long before = probes();
        Api.Response foreign = create(probe(valid(), otherPatient, group, otherGroup));
        Api.Response missing = create(probe(valid(), "0123456789abcdef01234567", group, "0123456789abcdef01234567"));
        for (Api.Response response : List.of(foreign, missing)) {
            assertThat(response.status()).isEqualTo(403);
            assertThat(errors(response)).containsExactly(
                    Map.entry("/data/relationships/owner/data/id", "Forbidden"),
                    Map.entry("/data/relationships/groups/data/1/id", "Forbidden"));
            assertThat(response.body()).doesNotContain(other.organizationId()).doesNotContain("Engine Other");
        }
        assertThat(foreign.at("/errors/0/detail")).isEqualTo(missing.at("/errors/0/detail"));

        Map<String, Object> wrongType = probe(valid(), patient);
        wrongType.put("relationships", Map.of("owner", Map.of("data", Map.of("type", "coach", "id", patient))));
        assertThat(errors(create(wrongType))).containsExactly(
                Map.entry("/data/relationships/owner/data/type", "InvalidBodyParameter"));
        Map<String, Object> nullOwner = probe(valid(), patient);
        Map<String, Object> ownerNull = new LinkedHashMap<>();
        ownerNull.put("data", null);
        nullOwner.put("relationships", Map.of("owner", ownerNull));
        assertThat(errors(create(nullOwner))).containsExactly(
                Map.entry("/data/relationships/owner/data", "InvalidBodyParameter"));
        assertThat(probes()).isEqualTo(before);
    }

    @Test
    void anIdFilterScopedToATypeRefusesIdsOutsideTheScope() {
        String id = create(probe(valid(), patient, group)).at("/data/id").asText();
        Api.Response own = api.get("/pub/probe?filter[organization]=" + tenant.organizationId() + "&filter[owner]="
                + patient + "&page[limit]=500", tenant.token());
        assertThat(own.status()).as(own.body()).isEqualTo(200);
        assertThat(own.ids()).contains(id);
        for (String owners : List.of(otherPatient, patient + "," + otherPatient, "000000000000000000000000")) {
            Api.Response refused = api.get("/pub/probe?filter[organization]=" + tenant.organizationId()
                    + "&filter[owner]=" + owners, tenant.token());
            assertThat(refused.status()).as(owners).isEqualTo(403);
            assertThat(refused.at("/errors/0/code").asText()).isEqualTo("Forbidden");
            assertThat(refused.at("/errors/0/source/parameter").asText()).isEqualTo("filter[owner]");
        }
    }

    @Test
    void aGroupScopedClientCannotWriteOutsideItsGroups() {
        String outsider = createPatient(tenant, secondGroup);
        String scopedToken = fixtures.token(fixtures.client(tenant.organizationId(), group));
        long before = probes();
        Api.Response refused = api.post("/pub/probe", scopedToken, Api.json(Map.of("data", probe(valid(), outsider))));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(errors(refused)).containsExactly(Map.entry("/data/relationships/owner/data/id", "Forbidden"));
        assertThat(probes()).isEqualTo(before);

        Api.Response allowed = api.post("/pub/probe", scopedToken, Api.json(Map.of("data", probe(valid(), patient, group))));
        assertThat(allowed.status()).as(allowed.body()).isEqualTo(201);
        String outsiders = create(probe(valid(), outsider)).at("/data/id").asText();
        assertThat(api.get("/pub/probe/" + outsiders, scopedToken).status()).isEqualTo(404);
        Map<String, Object> rename = Map.of("type", "probe", "attributes", Map.of("name", "Taken over"));
        assertThat(api.send("PATCH", "/pub/probe/" + outsiders, scopedToken, Api.JSON_API,
                Api.json(Map.of("data", rename)), List.of()).status()).isEqualTo(404);
        assertThat(api.send("DELETE", "/pub/probe/" + outsiders, scopedToken, null, null, List.of()).status())
                .isEqualTo(404);
    }

    @Test
    void theDomainRuleRunsWithTheMergedValuesOnCreateAndOnUpdate() {
        Map<String, Object> attributes = valid();
        attributes.put("starts_at", "2024-03-10T10:00:00Z");
        attributes.put("ends_at", "2024-03-10T09:00:00Z");
        Api.Response refused = create(probe(attributes, patient));
        assertThat(errors(refused)).containsExactly(Map.entry("/data/attributes/ends_at", "InvalidBodyParameter"));

        attributes.put("ends_at", "2024-03-10T11:00:00Z");
        String id = create(probe(attributes, patient)).at("/data/id").asText();
        Api.Response earlierEnd = patch(id, Map.of("type", "probe", "id", id,
                "attributes", Map.of("starts_at", "2024-03-10T12:00:00Z")));
        assertThat(errors(earlierEnd)).containsExactly(Map.entry("/data/attributes/ends_at", "InvalidBodyParameter"));
        assertThat(api.get("/pub/probe/" + id, tenant.token()).at("/data/attributes/starts_at").asText())
                .isEqualTo("2024-03-10T10:00:00.000Z");
    }

    @Test
    void patchChangesOnlyWhatIsPresentKeepsServerIdsAndRefusesImmutableChanges() {
        Map<String, Object> attributes = valid();
        attributes.put("contact", "probe@example.com");
        attributes.put("size", 3);
        attributes.put("settings", Map.of("mode", "weekly", "metrics", List.of(Map.of("metric_type", "weight"))));
        Api.Response created = create(probe(attributes, patient, group));
        String id = created.at("/data/id").asText();
        String metricId = created.at("/data/attributes/settings/metrics/0/_id").asText();

        Map<String, Object> changes = new LinkedHashMap<>();
        changes.put("contact", null);
        changes.put("kind", "alpha");
        changes.put("settings", Map.of("mode", "weekly", "metrics", List.of(
                Map.of("metric_type", "weight", "_id", metricId), Map.of("metric_type", "steps"))));
        Api.Response patched = patch(id, Map.of("type", "probe", "id", id, "attributes", changes,
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", secondGroup))))));
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.at("/data/attributes/contact").isNull()).isTrue();
        assertThat(patched.at("/data/attributes/size").asInt()).isEqualTo(3);
        assertThat(patched.at("/data/attributes/name").asText()).isEqualTo("First");
        assertThat(patched.at("/data/attributes/settings/metrics/0/_id").asText()).isEqualTo(metricId);
        assertThat(patched.at("/data/attributes/settings/metrics/1/_id").asText()).matches("[0-9a-f]{24}")
                .isNotEqualTo(metricId);
        assertThat(patched.at("/data/relationships/groups/data/0/id").asText()).isEqualTo(secondGroup);
        assertThat(patched.at("/data/relationships/groups/data").size()).isEqualTo(1);
        assertThat(patched.at("/data/attributes/updated_by").asText()).isEqualTo(tenant.client().get("client_id"));

        Api.Response immutable = patch(id, Map.of("type", "probe", "id", id, "attributes", Map.of("kind", "beta")));
        assertThat(immutable.status()).isEqualTo(409);
        assertThat(errors(immutable)).containsExactly(Map.entry("/data/attributes/kind", "InvalidBodyParameter"));
        Map<String, Object> nullName = new LinkedHashMap<>();
        nullName.put("name", null);
        assertThat(errors(patch(id, Map.of("type", "probe", "attributes", nullName))))
                .containsExactly(Map.entry("/data/attributes/name", "InvalidBodyParameter"));
        Api.Response mismatch = patch(id, Map.of("type", "probe", "id", otherPatient, "attributes", Map.of()));
        assertThat(errors(mismatch)).containsExactly(Map.entry("/data/id", "InvalidBodyParameter"));
        assertThat(api.get("/pub/probe/" + id, tenant.token()).at("/data/attributes/kind").asText()).isEqualTo("alpha");
        assertThat(api.send("PATCH", "/pub/probe/" + id, other.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "probe", "attributes", Map.of("name", "x")))), List.of())
                .status()).isEqualTo(404);
    }

    @Test
    void deleteAnswersAMetaOnlyDocumentAndTheResourceIsGone() {
        String id = create(probe(valid(), patient, group)).at("/data/id").asText();
        assertThat(api.send("DELETE", "/pub/probe/" + id, other.token(), null, null, List.of()).status()).isEqualTo(404);
        Api.Response deleted = api.send("DELETE", "/pub/probe/" + id, tenant.token(), null, null, List.of());
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().has("data")).isFalse();
        assertThat(deleted.at("/meta/req_id").asText()).isEqualTo(deleted.header("X-Request-Id").orElseThrow());
        assertThat(api.get("/pub/probe/" + id, tenant.token()).status()).isEqualTo(404);
        Api.Response again = api.send("DELETE", "/pub/probe/" + id, tenant.token(), null, null, List.of());
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.at("/errors/0/code").asText()).isEqualTo("ResourceNotFound");
    }

    @Test
    void aBulkCreateIsAllOrNothingWithPointersIntoEachItem() {
        long before = probes();
        Map<String, Object> bad = valid();
        bad.put("size", 99);
        Api.Response refused = create(List.of(probe(bad, patient), probe(valid(), patient), Map.of("type", "probe")));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(errors(refused).keySet()).containsExactly("/data/0/attributes/size", "/data/2/attributes/name",
                "/data/2/attributes/kind", "/data/2/relationships/owner");
        Api.Response scopeRefused = create(List.of(probe(valid(), patient), probe(valid(), otherPatient)));
        assertThat(errors(scopeRefused)).containsExactly(Map.entry("/data/1/relationships/owner/data/id", "Forbidden"));
        assertThat(probes()).isEqualTo(before);

        Map<String, Object> second = valid();
        second.put("name", "Second");
        Api.Response created = create(List.of(probe(valid(), patient), probe(second, patient, group)));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.at("/data/1/attributes/name").asText()).isEqualTo("Second");
        assertThat(created.at("/data/1/relationships/groups/data/0/id").asText()).isEqualTo(group);
        assertThat(probes()).isEqualTo(before + 2);
    }

    @Test
    void documentsAndResourceObjectsWithUnknownMembersAreRefused() {
        long before = probes();
        Api.Response topLevel = api.post("/pub/probe", tenant.token(),
                Api.json(Map.of("junk", 1, "data", probe(valid(), patient))));
        assertThat(topLevel.status()).isEqualTo(409);
        assertThat(errors(topLevel)).containsExactly(Map.entry("/junk", "InvalidBodyParameter"));
        Map<String, Object> extraMember = probe(valid(), patient);
        extraMember.put("extra", Map.of());
        assertThat(errors(create(extraMember))).containsExactly(Map.entry("/data/extra", "InvalidBodyParameter"));
        Map<String, Object> badLinkage = probe(valid(), patient);
        badLinkage.put("relationships", Map.of("owner", Map.of("data", Map.of("type", "patient", "id", patient)),
                "groups", Map.of("data", List.of(), "junk", 1)));
        assertThat(errors(create(badLinkage))).containsExactly(
                Map.entry("/data/relationships/groups/junk", "InvalidBodyParameter"));
        Api.Response readOnlyJunk = api.post("/pub/group", tenant.token(), Api.json(Map.of("data", Map.of(
                "type", "group", "attributes", Map.of("name", "Junk"), "relationships", Map.of("organization", 42)))));
        assertThat(errors(readOnlyJunk)).containsExactly(
                Map.entry("/data/relationships/organization", "InvalidBodyParameter"));
        assertThat(probes()).isEqualTo(before);

        Map<String, Object> nullId = probe(valid(), patient);
        nullId.put("id", null);
        assertThat(create(nullId).status()).isEqualTo(201);
        Map<String, Object> clientId = probe(valid(), patient);
        clientId.put("id", "0123456789abcdef01234567");
        Api.Response chosen = create(clientId);
        assertThat(chosen.status()).isEqualTo(403);
        assertThat(errors(chosen)).containsExactly(Map.entry("/data/id", "Forbidden"));
    }

    @Test
    void aTypesOwnIdFormatIsCheckedInBodiesFiltersAndPaths() {
        Map<String, Object> withQuestion = probe(valid(), patient, group);
        @SuppressWarnings("unchecked")
        Map<String, Object> relationships = (Map<String, Object>) withQuestion.get("relationships");
        relationships.put("question", Map.of("data", Map.of("type", "health_question_definition", "id", "21")));
        Api.Response created = create(withQuestion);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.at("/data/relationships/question/data/id").asText()).isEqualTo("21");
        assertThat(created.at("/data/relationships/question/data/type").asText()).isEqualTo("health_question_definition");
        String probeId = created.at("/data/id").asText();

        long before = probes();
        for (String[] bad : new String[][] {{"5a0000000000000000000021", "409"}, {"x", "409"}, {"999", "403"}}) {
            relationships.put("question", Map.of("data", Map.of("type", "health_question_definition", "id", bad[0])));
            Api.Response refused = create(withQuestion);
            assertThat(refused.status()).as(refused.body()).isEqualTo(Integer.parseInt(bad[1]));
            assertThat(errors(refused)).containsOnlyKeys("/data/relationships/question/data/id");
        }
        assertThat(probes()).isEqualTo(before);

        String list = "/pub/probe?filter[organization]=" + tenant.organizationId() + "&filter[question]=";
        assertThat(api.get(list + "21,3", tenant.token()).ids()).containsExactly(probeId);
        Api.Response badFilter = api.get(list + "21," + probeId, tenant.token());
        assertThat(badFilter.status()).isEqualTo(409);
        assertThat(badFilter.at("/errors/0/source/parameter").asText()).isEqualTo("filter[question]");
        assertThat(badFilter.at("/errors/0/detail").asText()).contains("a positive whole number");
        // The probe's own ids stay standard: a numeric path id cannot exist.
        assertThat(api.get("/pub/probe/21", tenant.token()).status()).isEqualTo(404);
    }
}
