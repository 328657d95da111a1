package dev.openplus.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jooq.Record2;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * A polymorphic to-one relationship ({@code Relationship.toOneOf}) through HTTP on the probe's optional
 * {@code topic}, a patient or a catalogue question (whose ids have another format): the identifier's type chooses
 * the column and the id format, PATCH moves it between columns or clears it, includes and filters take both types,
 * and a foreign id answers 403 at its pointer.
 */
class PolymorphicRelationshipTest {
    static TestServer server;
    static Api api;
    static Fixtures.Tenant tenant;
    static String group;
    static String patient;
    static String otherPatient;

    @BeforeAll
    static void setUp() {
        server = TestServer.get();
        api = server.api();
        Fixtures fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Polymorphic Org");
        Fixtures.Tenant other = fixtures.tenant("Polymorphic Other Org");
        group = fixtures.apiGroup(tenant, "Poly");
        patient = patient(tenant, group);
        otherPatient = patient(other, fixtures.apiGroup(other, "Poly Other"));
    }

    private static String patient(Fixtures.Tenant owner, String groupId) {
        Api.Response response = api.post("/pub/patient", owner.token(), Api.json(Map.of("data", Map.of(
                "type", "patient", "attributes", Map.of("first_name", "Topical"),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", groupId))))))));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.at("/data/id").asText();
    }

    /** A probe owned by the patient; {@code topic} is a resource identifier, null, or absent. */
    private static Map<String, Object> probe(String name, Object topic) {
        Map<String, Object> relationships = new LinkedHashMap<>();
        relationships.put("owner", Map.of("data", Map.of("type", "patient", "id", patient)));
        if (topic != null) {
            relationships.put("topic", Collections.singletonMap("data", topic == NULL ? null : topic));
        }
        return Map.of("type", "probe", "attributes", Map.of("name", name, "kind", "alpha"), "relationships", relationships);
    }

    private static final Object NULL = new Object();

    private static Map<String, Object> identifier(String type, String id) {
        return Map.of("type", type, "id", id);
    }

    private static Api.Response patchTopic(String id, Object topic) {
        Map<String, Object> relationships = new LinkedHashMap<>();
        relationships.put("topic", Collections.singletonMap("data", topic == NULL ? null : topic));
        return api.send("PATCH", "/pub/probe/" + id, tenant.token(), Api.JSON_API, Api.json(Map.of("data",
                Map.of("type", "probe", "id", id, "relationships", relationships))), List.of());
    }

    /** The stored (topic_patient_id, topic_question_id) of a probe. */
    private static List<String> columns(String id) {
        Record2<String, String> row = server.database.dsl()
                .select(DSL.field(DSL.name("topic_patient_id"), SQLDataType.VARCHAR),
                        DSL.field(DSL.name("topic_question_id"), SQLDataType.VARCHAR))
                .from(DSL.table(DSL.name("engine_probe"))).where(DSL.field(DSL.name("id")).eq(id)).fetchOne();
        List<String> values = new ArrayList<>();
        values.add(row.value1() == null ? null : row.value1().trim());
        values.add(row.value2());
        return values;
    }

    private static void refused(Api.Response response, int status, String code, String pointer) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.at("/errors/0/code").asText()).isEqualTo(code);
        assertThat(response.at("/errors/0/source/pointer").asText()).as(response.body()).isEqualTo(pointer);
    }

    @Test
    void theIdentifiersTypeChoosesTheColumnAndPatchMovesOrClearsIt() {
        Api.Response created = api.post("/pub/probe", tenant.token(), Api.json(Map.of("data",
                probe("Poly", identifier("health_question_definition", "21")))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.at("/data/id").asText();
        assertThat(created.at("/data/relationships/topic/data/type").asText()).isEqualTo("health_question_definition");
        assertThat(created.at("/data/relationships/topic/data/id").asText()).isEqualTo("21");
        assertThat(columns(id)).containsExactly(null, "21");

        Api.Response toPatient = patchTopic(id, identifier("patient", patient));
        assertThat(toPatient.status()).as(toPatient.body()).isEqualTo(200);
        assertThat(toPatient.at("/data/relationships/topic/data/type").asText()).isEqualTo("patient");
        assertThat(toPatient.at("/data/relationships/topic/data/id").asText()).isEqualTo(patient);
        assertThat(columns(id)).containsExactly(patient, null);

        // A PATCH that leaves the relationship out keeps it.
        Api.Response renamed = api.send("PATCH", "/pub/probe/" + id, tenant.token(), Api.JSON_API, Api.json(Map.of("data",
                Map.of("type", "probe", "id", id, "attributes", Map.of("name", "Renamed")))), List.of());
        assertThat(renamed.status()).as(renamed.body()).isEqualTo(200);
        assertThat(renamed.at("/data/relationships/topic/data/id").asText()).isEqualTo(patient);

        Api.Response cleared = patchTopic(id, NULL);
        assertThat(cleared.status()).as(cleared.body()).isEqualTo(200);
        assertThat(cleared.at("/data/relationships/topic/data").isNull()).isTrue();
        assertThat(columns(id)).containsExactly(null, null);

        Api.Response none = api.post("/pub/probe", tenant.token(), Api.json(Map.of("data", probe("None", null))));
        assertThat(none.status()).as(none.body()).isEqualTo(201);
        assertThat(none.at("/data/relationships/topic/data").isNull()).isTrue();
    }

    @Test
    void eachTypesIdFormatAndScopeAreChecked() {
        long before = server.database.dsl().fetchCount(DSL.table(DSL.name("engine_probe")));
        refused(api.post("/pub/probe", tenant.token(), Api.json(Map.of("data", probe("Bad", identifier("patient", "21"))))),
                409, "InvalidBodyParameter", "/data/relationships/topic/data/id");
        refused(api.post("/pub/probe", tenant.token(), Api.json(Map.of("data",
                probe("Bad", identifier("health_question_definition", patient))))),
                409, "InvalidBodyParameter", "/data/relationships/topic/data/id");
        Api.Response wrongType = api.post("/pub/probe", tenant.token(), Api.json(Map.of("data",
                probe("Bad", identifier("group", group)))));
        refused(wrongType, 409, "InvalidBodyParameter", "/data/relationships/topic/data/type");
        assertThat(wrongType.at("/errors/0/detail").asText())
                .isEqualTo("type must be \"patient\" or \"health_question_definition\"");
        refused(api.post("/pub/probe", tenant.token(), Api.json(Map.of("data", probe("Bad", identifier("patient", otherPatient))))),
                403, "Forbidden", "/data/relationships/topic/data/id");
        refused(api.post("/pub/probe", tenant.token(), Api.json(Map.of("data",
                probe("Bad", identifier("health_question_definition", "999"))))),
                403, "Forbidden", "/data/relationships/topic/data/id");

        // In a bulk create every item's identifier is checked against its own type, and reported at its pointer.
        Api.Response bulk = api.post("/pub/probe", tenant.token(), Api.json(Map.of("data", List.of(
                probe("Fine", identifier("health_question_definition", "4")), probe("Fine", identifier("patient", patient)),
                probe("Foreign", identifier("patient", otherPatient)), probe("Unknown", identifier("coach", patient))))));
        assertThat(bulk.status()).as(bulk.body()).isEqualTo(409);
        List<String> pointers = new ArrayList<>();
        bulk.json().get("errors").forEach(error -> pointers.add(error.at("/source/pointer").asText()));
        assertThat(pointers).containsExactly("/data/3/relationships/topic/data/type");
        Api.Response foreignInBulk = api.post("/pub/probe", tenant.token(), Api.json(Map.of("data", List.of(
                probe("Fine", identifier("health_question_definition", "4")),
                probe("Foreign", identifier("patient", otherPatient))))));
        refused(foreignInBulk, 403, "Forbidden", "/data/1/relationships/topic/data/id");
        assertThat(server.database.dsl().fetchCount(DSL.table(DSL.name("engine_probe")))).isEqualTo(before);
    }

    @Test
    void aPageIncludesEveryTypeAndTheFilterMatchesEitherColumn() {
        Api.Response created = api.post("/pub/probe", tenant.token(), Api.json(Map.of("data", List.of(
                probe("Listed a", identifier("health_question_definition", "2")), probe("Listed b", identifier("patient", patient)),
                probe("Listed c", NULL)))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        List<String> ids = created.ids();
        String base = "/pub/probe?filter[organization]=" + tenant.organizationId() + "&filter[topic]=2," + patient;
        Api.Response page = api.get(base + "&include=topic&sort=name", tenant.token());
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        assertThat(page.ids()).containsExactly(ids.get(0), ids.get(1));
        List<String> included = new ArrayList<>();
        for (JsonNode node : page.json().get("included")) {
            included.add(node.at("/type").asText() + "/" + node.at("/id").asText());
        }
        assertThat(included).containsExactlyInAnyOrder("health_question_definition/2", "patient/" + patient);
        assertThat(api.get("/pub/probe?filter[organization]=" + tenant.organizationId() + "&filter[topic]=2", tenant.token())
                .ids()).containsExactly(ids.get(0));

        Api.Response malformed = api.get("/pub/probe?filter[organization]=" + tenant.organizationId()
                + "&filter[topic]=not-an-id", tenant.token());
        assertThat(malformed.status()).isEqualTo(409);
        assertThat(malformed.at("/errors/0/source/parameter").asText()).isEqualTo("filter[topic]");
        Api.Response foreign = api.get("/pub/probe?filter[organization]=" + tenant.organizationId()
                + "&filter[topic]=" + otherPatient, tenant.token());
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.at("/errors/0/source/parameter").asText()).isEqualTo("filter[topic]");
    }
}
