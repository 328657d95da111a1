package dev.openplus.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.openplus.Application;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.support.Api;
import dev.openplus.support.CarePlans;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * A to-many linkage given in a write replaces what the caller can see of it, never more. For every writable
 * to-many relationship in the registry: a group-scoped client's PATCH (and, for patients, its PUT upsert)
 * replaces the members it sees and leaves the ones outside its scope in place; an organization-scoped client's
 * replaces them all. A writable to-many relationship without a row here fails {@link #everyWritableToManyHasARow}.
 */
class ScopedLinkageWriteTest {
    static Api api;
    static Fixtures fixtures;
    static Fixtures.Tenant alpha;
    static String groupToken;
    static String patient;
    static String identifierValue;
    static String ownGroup;
    static String spareGroup;
    static String hiddenGroup;

    /**
     * One relationship's set-up: an owner the group-scoped client sees, what its linkage holds inside that
     * client's scope ({@code visible}) and outside it ({@code hidden}: empty where the target's scope follows the
     * owner's, so nothing linked to a visible owner can be hidden), and an unlinked target in scope.
     */
    record Row(String type, String relationship, String targetType, String owner, List<String> visible,
            List<String> hidden, String spare) {
        @Override
        public String toString() {
            return type + "." + relationship;
        }

        List<String> all() {
            List<String> all = new ArrayList<>(visible);
            all.addAll(hidden);
            return all;
        }
    }

    static final Map<String, Row> ROWS = new LinkedHashMap<>();

    @BeforeAll
    static void setUp() {
        TestServer server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        alpha = fixtures.tenant("Scoped Linkage Org");
        ownGroup = fixtures.group(alpha.organizationId(), "Scoped Own");
        spareGroup = fixtures.group(alpha.organizationId(), "Scoped Spare");
        hiddenGroup = fixtures.group(alpha.organizationId(), "Scoped Hidden");
        groupToken = fixtures.token(fixtures.client(alpha.organizationId(), ownGroup, spareGroup));
        String ownCoach = fixtures.coach(alpha.organizationId(), "Own", "Coach", ownGroup);
        // Only in the hidden group, but coaching a patient the client sees: the client sees it through the patient.
        String otherCoach = fixtures.coach(alpha.organizationId(), "Other", "Coach", hiddenGroup);
        String spareCoach = fixtures.coach(alpha.organizationId(), "Spare", "Coach", spareGroup);

        CarePlans plans = new CarePlans(api);
        identifierValue = "SCOPED-" + System.nanoTime();
        patient = plans.patient(alpha.token(), List.of(Map.of("system", "SCOPED-EHR", "value", identifierValue)),
                ownGroup, hiddenGroup);
        String plan = plans.planOf(alpha.token(), patient);
        String action1 = plans.createAction(alpha.token(), plan, Map.of("title", "One"));
        String action2 = plans.createAction(alpha.token(), plan, Map.of("title", "Two"));
        String action3 = plans.createAction(alpha.token(), plan, Map.of("title", "Three"));
        String bundle1 = bundle(plan);
        String bundle2 = bundle(plan);

        add(new Row("patient", "groups", "group", patient, List.of(ownGroup), List.of(hiddenGroup), spareGroup));
        add(new Row("patient", "coaches", "coach", patient, List.of(ownCoach, otherCoach), List.of(), spareCoach));
        add(new Row("bundle", "actions", "action", bundle1, List.of(action1, action2), List.of(), action3));
        add(new Row("action", "bundles", "bundle", action3, List.of(bundle1), List.of(), bundle2));
    }

    private static void add(Row row) {
        ROWS.put(row.toString(), row);
    }

    private static String bundle(String plan) {
        Api.Response created = api.post("/pub/bundle", alpha.token(), Api.json(Map.of("data", Map.of("type", "bundle",
                "attributes", Map.of("type", "weight", "title", "B", "effective_from", "2024-03-01T00:00:00Z"),
                "relationships", Map.of("plan", Map.of("data", CarePlans.ref("patient_plan_summary", plan)))))));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        return created.at("/data/id").asText();
    }

    static Stream<Row> rows() {
        return ROWS.values().stream();
    }

    @Test
    void everyWritableToManyHasARow() {
        List<String> writable = new ArrayList<>();
        for (ResourceType type : Application.registry().types()) {
            for (Relationship relationship : type.relationships()) {
                if (relationship.toMany() && relationship.isWritable()) {
                    writable.add(type.name() + "." + relationship.name());
                }
            }
        }
        assertThat(ROWS.keySet()).containsExactlyInAnyOrderElementsOf(writable);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void aGroupScopedPatchReplacesOnlyWhatItSees(Row row) {
        setLinkage(row, alpha.token(), row.all());
        assertThat(linkage(row, groupToken)).as("what the group-scoped client sees")
                .containsExactlyInAnyOrderElementsOf(row.visible());

        // Round-tripping what it read changes nothing.
        setLinkage(row, groupToken, linkage(row, groupToken));
        assertThat(linkage(row, alpha.token())).containsExactlyInAnyOrderElementsOf(row.all());

        // Replacing it replaces the visible part only.
        setLinkage(row, groupToken, List.of(row.spare()));
        List<String> expected = new ArrayList<>(row.hidden());
        expected.add(row.spare());
        assertThat(linkage(row, alpha.token())).containsExactlyInAnyOrderElementsOf(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void anOrganizationScopedPatchReplacesEverything(Row row) {
        setLinkage(row, alpha.token(), row.all());
        setLinkage(row, alpha.token(), List.of(row.spare()));
        assertThat(linkage(row, alpha.token())).containsExactly(row.spare());
    }

    @Test
    void aGroupScopedUpsertKeepsTheGroupsItCannotSee() {
        Row groups = ROWS.get("patient.groups");
        setLinkage(groups, alpha.token(), groups.all());
        Api.Response upserted = api.send("PUT", "/pub/patient", groupToken, Api.JSON_API, Api.json(Map.of(
                "meta", Map.of("query", Map.of("identifier", Map.of("system", "SCOPED-EHR", "value", identifierValue),
                        "groups", List.of(ownGroup))),
                "data", Map.of("type", "patient", "attributes", Map.of("first_name", "Upserted"),
                        "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group",
                                "id", spareGroup))))))), List.of());
        assertThat(upserted.status()).as(upserted.body()).isEqualTo(200);
        assertThat(upserted.at("/data/id").asText()).isEqualTo(patient);
        assertThat(linkage(groups, alpha.token())).containsExactlyInAnyOrder(hiddenGroup, spareGroup);
        assertThat(linkage(groups, groupToken)).containsExactly(spareGroup);
    }

    private static List<String> linkage(Row row, String token) {
        Api.Response fetched = api.get("/pub/" + row.type() + "/" + row.owner(), token);
        assertThat(fetched.status()).as(fetched.body()).isEqualTo(200);
        TreeSet<String> ids = new TreeSet<>();
        fetched.at("/data/relationships/" + row.relationship() + "/data").forEach(link -> ids.add(link.get("id").asText()));
        return new ArrayList<>(ids);
    }

    private static void setLinkage(Row row, String token, List<String> ids) {
        List<Object> data = new ArrayList<>();
        ids.forEach(id -> data.add(Map.of("type", row.targetType(), "id", id)));
        Api.Response patched = api.send("PATCH", "/pub/" + row.type() + "/" + row.owner(), token, Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", row.type(), "id", row.owner(),
                        "relationships", Map.of(row.relationship(), Map.of("data", data))))), List.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
    }
}
