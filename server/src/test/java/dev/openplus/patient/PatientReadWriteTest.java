package dev.openplus.patient;

import static dev.openplus.patient.PatientTestSupport.document;
import static dev.openplus.patient.PatientTestSupport.identifier;
import static dev.openplus.patient.PatientTestSupport.patient;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/** Listing with every filter and sort in both paging modes, PATCH, archiving, upsert, sub-collections, scopes. */
class PatientReadWriteTest {
    static Api api;
    static Fixtures fixtures;
    static Fixtures.Tenant tenant;
    static String groupA;
    static String groupB;
    static String coach;
    static List<String> seeded = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        TestServer server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Patient Read Org");
        groupA = fixtures.group(tenant.organizationId(), "A");
        groupB = fixtures.group(tenant.organizationId(), "B");
        coach = fixtures.coach(tenant.organizationId(), "Cleo", "Coach", groupA);
        String[] last = {"Young", "Adams", null, "Miller", "Adams", "Baker", null, "Zeta", "Chen", "Diaz", "Evans", "Ford"};
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < last.length; i++) {
            Map<String, Object> attributes = new LinkedHashMap<>();
            attributes.put("first_name", "F" + (char) ('a' + (i * 5) % 12));
            attributes.put("last_name", last[i]);
            attributes.put("identifiers", List.of(identifier("READ", tenant.organizationId() + "-" + i)));
            items.add(patient(attributes, i < 8 ? groupA : groupB));
        }
        Api.Response created = api.post("/pub/patient", tenant.token(), document(items));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        created.at("/data").forEach(p -> seeded.add(p.get("id").asText()));
    }

    private static String list(String query) {
        return "/pub/patient?filter[organization]=" + tenant.organizationId() + query;
    }


    @Test
    void filters() {
        assertThat(api.get(list(""), tenant.token()).at("/meta/count").asLong()).isGreaterThanOrEqualTo(12);
        Api.Response byGroup = api.get("/pub/patient?filter[groups]=" + groupB + "&page[size]=50", tenant.token());
        assertThat(byGroup.ids()).containsExactlyInAnyOrderElementsOf(seeded.subList(8, 12));
        Api.Response byAlias = api.get("/pub/patient?filter[group]=" + groupB + "&page[size]=50", tenant.token());
        assertThat(byAlias.ids()).isEqualTo(byGroup.ids());

        Api.Response byIdentifier = api.get(list("&filter[identifier][system]=READ&filter[identifier][value]="
                + tenant.organizationId() + "-3"), tenant.token());
        assertThat(byIdentifier.ids()).containsExactly(seeded.get(3));
        Api.Response onlySystem = api.get(list("&filter[identifier][system]=READ"), tenant.token());
        assertThat(onlySystem.status()).isEqualTo(409);
        assertThat(onlySystem.at("/errors/0/source/parameter").asText()).isEqualTo("filter[identifier][value]");
        Api.Response onlyValue = api.get(list("&filter[identifier][value]=x"), tenant.token());
        assertThat(onlyValue.at("/errors/0/source/parameter").asText()).isEqualTo("filter[identifier][system]");

        Api.Response created = api.get(list("&filter[created_at]=2000-01-01T00:00:00Z..&page[size]=0"), tenant.token());
        assertThat(created.at("/meta/count").asLong()).isGreaterThanOrEqualTo(12);
        Api.Response future = api.get(list("&filter[updated_at]=2999-01-01T00:00:00Z.."), tenant.token());
        assertThat(future.at("/meta/count").asLong()).isZero();
        Api.Response badArchived = api.get(list("&filter[archived]=maybe"), tenant.token());
        assertThat(badArchived.status()).isEqualTo(409);
        assertThat(badArchived.at("/errors/0/source/parameter").asText()).isEqualTo("filter[archived]");
        Api.Response required = api.get("/pub/patient", tenant.token());
        assertThat(required.status()).isEqualTo(409);
        assertThat(required.at("/errors/0/source/parameter").asText()).isEqualTo("filter[groups]");
    }

    @Test
    void everySortPagesThroughWithBothStrategiesWhileInsertsHappen() {
        Fixtures.Tenant own = fixtures.tenant("Patient Sort Org");
        String ownGroup = fixtures.group(own.organizationId(), "G");
        List<Object> items = new ArrayList<>();
        String[] last = {"Kim", null, "Abe", "Kim", "Zed", null, "Lee", "Abe", "Moe", "Ng", "Oz"};
        for (int i = 0; i < last.length; i++) {
            Map<String, Object> attributes = new LinkedHashMap<>();
            attributes.put("first_name", i % 3 == 0 ? null : "N" + (i * 7) % 11);
            attributes.put("last_name", last[i]);
            items.add(patient(attributes, ownGroup));
        }
        Api.Response created = api.post("/pub/patient", own.token(), document(items));
        Set<String> original = new HashSet<>();
        created.at("/data").forEach(p -> original.add(p.get("id").asText()));
        String base = "/pub/patient?filter[organization]=" + own.organizationId();
        int inserted = 0;
        for (String sort : List.of("", "&sort=created_at", "&sort=-created_at", "&sort=updated_at", "&sort=-updated_at",
                "&sort=last_name", "&sort=-last_name", "&sort=first_name", "&sort=-first_name,last_name")) {
            List<String> seen = new ArrayList<>();
            String link = base + "&page[limit]=3" + sort;
            for (int pageNumber = 0; link != null; pageNumber++) {
                Api.Response page = api.get(link, own.token());
                assertThat(page.status()).as(page.body()).isEqualTo(200);
                seen.addAll(page.ids());
                if (pageNumber < 4) {
                    // New rows that sort first and last, while the walk is under way.
                    api.post("/pub/patient", own.token(), document(List.of(
                            patient(Map.of("first_name", "AAA" + inserted, "last_name", "AAA"), ownGroup),
                            patient(Map.of("first_name", "zzz" + inserted, "last_name", "zzz"), ownGroup))));
                    inserted++;
                }
                link = page.at("/links/next").isMissingNode() ? null : page.at("/links/next").asText();
            }
            assertThat(seen).as(sort).doesNotHaveDuplicates().containsAll(original);
            List<String> skip = api.pageThrough(base + "&page[size]=50" + sort, own.token());
            assertThat(skip).as(sort).doesNotHaveDuplicates().containsAll(original);
        }
    }

    @Test
    void patchChangesOnlyWhatIsPresentAndNullClears() {
        String id = seeded.get(0);
        Api.Response patched = api.send("PATCH", "/pub/patient/" + id, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "id", id, "attributes",
                        mapOf("note", "Prefers mornings", "last_name", null, "archived", true, "created_at", "2000-01-01T00:00:00Z")))),
                List.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.at("/data/attributes/note").asText()).isEqualTo("Prefers mornings");
        assertThat(patched.at("/data/attributes/last_name").isNull()).isTrue();
        assertThat(patched.at("/data/attributes/first_name").asText()).isNotEmpty();
        assertThat(patched.at("/data/attributes/archived").asBoolean()).isFalse();
        assertThat(patched.at("/meta/ignored").toString()).contains("/data/attributes/archived", "/data/attributes/created_at");
        assertThat(patched.at("/data/attributes/identifiers/0/system").asText()).isEqualTo("READ");

        Api.Response mismatch = api.send("PATCH", "/pub/patient/" + id, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "id", seeded.get(1), "attributes", Map.of()))), List.of());
        assertThat(mismatch.status()).isEqualTo(409);
        assertThat(mismatch.at("/errors/0/source/pointer").asText()).isEqualTo("/data/id");
        Api.Response missing = api.send("PATCH", "/pub/patient/000000000000000000000000", tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "attributes", Map.of()))), List.of());
        assertThat(missing.status()).isEqualTo(404);
    }

    @Test
    void patchReplacesGroupsCoachesAndIdentifiers() {
        String id = seeded.get(1);
        Api.Response patched = api.send("PATCH", "/pub/patient/" + id, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "id", id,
                        "attributes", Map.of("identifiers", List.of(identifier("NEW", id))),
                        "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", groupB))),
                                "coaches", Map.of("data", List.of(Map.of("type", "coach", "id", coach, "meta", Map.of("primary", true)))))))),
                List.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.at("/data/relationships/groups/data").size()).isEqualTo(1);
        assertThat(patched.at("/data/relationships/groups/data/0/id").asText()).isEqualTo(groupB);
        assertThat(patched.at("/data/relationships/coaches/data/0/meta/primary").asBoolean()).isTrue();
        assertThat(api.get(list("&filter[identifier][system]=NEW&filter[identifier][value]=" + id), tenant.token())
                .at("/meta/count").asLong()).isEqualTo(1);
        assertThat(api.get(list("&filter[identifier][system]=READ&filter[identifier][value]=" + tenant.organizationId() + "-1"),
                tenant.token()).at("/meta/count").asLong()).isZero();

        Api.Response groups = api.get("/pub/patient/" + id + "/groups", tenant.token());
        assertThat(groups.status()).isEqualTo(200);
        assertThat(groups.at("/meta/count").asLong()).isEqualTo(1);
        assertThat(groups.at("/data/0/id").asText()).isEqualTo(groupB);
        assertThat(groups.at("/links/self").asText()).startsWith("/pub/patient/" + id + "/groups");
        Api.Response coaches = api.get("/pub/patient/" + id + "/coaches", tenant.token());
        assertThat(coaches.at("/meta/count").asLong()).isEqualTo(1);
        assertThat(coaches.at("/data/0/id").asText()).isEqualTo(coach);
        assertThat(coaches.at("/links/self").asText()).startsWith("/pub/patient/" + id + "/coaches");

        String other = seeded.get(2);
        Api.Response taken = api.send("PATCH", "/pub/patient/" + other, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "attributes", Map.of("identifiers",
                        List.of(identifier("Z", "1"), identifier("NEW", id)))))), List.of());
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/identifiers/1");

        Api.Response noGroups = api.send("PATCH", "/pub/patient/" + id, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "relationships", Map.of("groups", Map.of("data", List.of()))))),
                List.of());
        assertThat(noGroups.status()).isEqualTo(409);
        assertThat(api.get("/pub/patient/404404404404404404404404/groups", tenant.token()).status()).isEqualTo(404);
    }

    @Test
    void archiveHistoryIsAppendOnlyAndDrivesArchived() {
        String id = seeded.get(4);
        Api.Response archived = api.send("PATCH", "/pub/patient/" + id, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "attributes", Map.of("archive_history",
                        List.of(Map.of("archived", true, "reason", "Opted out", "modified_at", "1999-01-01T00:00:00Z")))))),
                List.of());
        assertThat(archived.status()).as(archived.body()).isEqualTo(200);
        assertThat(archived.at("/data/attributes/archived").asBoolean()).isTrue();
        JsonNode entry = archived.at("/data/attributes/archive_history/0");
        assertThat(entry.get("modified_at").asText()).doesNotStartWith("1999").matches("\\d{4}-.*\\.\\d{3}Z");
        assertThat((api.get(list("&filter[archived]=true&page[size]=50"), tenant.token())).ids()).contains(id);
        assertThat((api.get(list("&filter[archived]=false&page[size]=50"), tenant.token())).ids()).doesNotContain(id);

        Object existing = Map.of("archived", true, "reason", "Opted out", "modified_at", entry.get("modified_at").asText());
        Api.Response reactivated = api.send("PATCH", "/pub/patient/" + id, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "attributes", Map.of("archive_history",
                        List.of(existing, Map.of("archived", false, "reason", "Rejoined")))))), List.of());
        assertThat(reactivated.status()).as(reactivated.body()).isEqualTo(200);
        assertThat(reactivated.at("/data/attributes/archived").asBoolean()).isFalse();
        assertThat(reactivated.at("/data/attributes/archive_history").size()).isEqualTo(2);

        Api.Response changed = api.send("PATCH", "/pub/patient/" + id, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "attributes", Map.of("archive_history",
                        List.of(Map.of("archived", true, "reason", "Edited"), Map.of("archived", false, "reason", "Rejoined")))))),
                List.of());
        assertThat(changed.status()).isEqualTo(409);
        assertThat(changed.at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/archive_history/0");
        Api.Response dropped = api.send("PATCH", "/pub/patient/" + id, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "attributes", Map.of("archive_history", List.of())))),
                List.of());
        assertThat(dropped.status()).isEqualTo(409);
        assertThat(dropped.at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/archive_history");
        assertThat(api.get("/pub/patient/" + id, tenant.token()).at("/data/attributes/archive_history").size()).isEqualTo(2);
    }

    @Test
    void upsertCreatesUpdatesOrRefuses() {
        String value = "U-" + System.nanoTime();
        Map<String, Object> meta = Map.of("query", Map.of("identifier", Map.of("system", "UPS", "value", value),
                "groups", List.of(groupA)));
        Api.Response created = api.send("PUT", "/pub/patient", tenant.token(), Api.JSON_API,
                document(Map.of("type", "patient", "attributes", Map.of("first_name", "Jack")), meta), List.of());
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String id = created.at("/data/id").asText();
        assertThat(created.at("/data/attributes/identifiers/0/system").asText()).isEqualTo("UPS");
        assertThat(created.at("/data/relationships/groups/data/0/id").asText()).isEqualTo(groupA);

        Api.Response updated = api.send("PUT", "/pub/patient", tenant.token(), Api.JSON_API,
                document(Map.of("type", "patient", "attributes", Map.of("last_name", "Frost")), meta), List.of());
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.at("/data/id").asText()).isEqualTo(id);
        assertThat(updated.at("/data/attributes/first_name").asText()).isEqualTo("Jack");
        assertThat(updated.at("/data/attributes/last_name").asText()).isEqualTo("Frost");

        // Two patients with one non-unique identifier in the same group: the upsert cannot choose.
        String shared = "S-" + System.nanoTime();
        Map<String, Object> loose = Map.of("system", "LOOSE", "value", shared, "unique", false);
        api.post("/pub/patient", tenant.token(), document(List.of(patient(Map.of("identifiers", List.of(loose)), groupA),
                patient(Map.of("identifiers", List.of(loose)), groupA))));
        Api.Response ambiguous = api.send("PUT", "/pub/patient", tenant.token(), Api.JSON_API,
                document(Map.of("type", "patient", "attributes", Map.of()), Map.of("query", Map.of("identifier",
                        Map.of("system", "LOOSE", "value", shared), "groups", List.of(groupA)))), List.of());
        assertThat(ambiguous.status()).isEqualTo(409);
        assertThat(ambiguous.at("/errors/0/source/pointer").asText()).isEqualTo("/meta/query");

        Api.Response noQuery = api.send("PUT", "/pub/patient", tenant.token(), Api.JSON_API,
                document(Map.of("type", "patient", "attributes", Map.of())), List.of());
        assertThat(noQuery.status()).isEqualTo(409);
        assertThat(noQuery.json().get("errors").findValuesAsText("pointer")).containsExactly(
                "/meta/query/identifier/system", "/meta/query/identifier/value", "/meta/query/groups");

        Fixtures.Tenant other = fixtures.tenant("Upsert Other Org");
        String foreignGroup = fixtures.group(other.organizationId(), "Theirs");
        Api.Response foreign = api.send("PUT", "/pub/patient", tenant.token(), Api.JSON_API,
                document(Map.of("type", "patient", "attributes", Map.of()), Map.of("query", Map.of("identifier",
                        Map.of("system", "UPS", "value", value), "groups", List.of(foreignGroup)))), List.of());
        assertThat(foreign.status()).isEqualTo(403);
    }

    @Test
    void groupScopedClientsSeeAndChangeOnlyTheirPatients() {
        String groupClientToken = fixtures.token(fixtures.client(tenant.organizationId(), groupB));
        Api.Response list = api.get(list("&page[size]=50"), groupClientToken);
        assertThat(list.status()).isEqualTo(200);
        for (JsonNode p : list.at("/data")) {
            assertThat(p.at("/relationships/groups/data").findValuesAsText("id")).containsOnly(groupB);
        }
        assertThat(list.ids()).doesNotContain(seeded.get(0), seeded.get(3));
        assertThat(api.get("/pub/patient/" + seeded.get(3), groupClientToken).status()).isEqualTo(404);
        assertThat(api.get("/pub/patient/" + seeded.get(10), groupClientToken).status()).isEqualTo(200);
        assertThat(api.get("/pub/patient?filter[groups]=" + groupA, groupClientToken).status()).isEqualTo(403);
        Api.Response patchOther = api.send("PATCH", "/pub/patient/" + seeded.get(3), groupClientToken, Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "attributes", Map.of("note", "x")))), List.of());
        assertThat(patchOther.status()).isEqualTo(404);
        Api.Response createOutside = api.post("/pub/patient", groupClientToken, document(patient(Map.of(), groupA)));
        assertThat(createOutside.status()).isEqualTo(403);
        assertThat(api.post("/pub/patient", groupClientToken, document(patient(Map.of(), groupB))).status()).isEqualTo(201);
        Api.Response moveOut = api.send("PATCH", "/pub/patient/" + seeded.get(10), groupClientToken, Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "relationships",
                        Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", groupA))))))), List.of());
        assertThat(moveOut.status()).isEqualTo(403);
    }

    @Test
    void anotherOrganizationNeverSeesPatients() {
        Fixtures.Tenant other = fixtures.tenant("Patient Other Org");
        String id = seeded.get(5);
        Api.Response fetch = api.get("/pub/patient/" + id, other.token());
        assertThat(fetch.status()).isEqualTo(404);
        assertThat(fetch.body()).doesNotContain("READ");
        assertThat(api.get("/pub/patient/" + id + "/groups", other.token()).status()).isEqualTo(404);
        assertThat(api.get("/pub/patient/" + id + "/coaches", other.token()).status()).isEqualTo(404);
        assertThat(api.get(list(""), other.token()).status()).isEqualTo(403);
        assertThat(api.get("/pub/patient?filter[groups]=" + groupA, other.token()).status()).isEqualTo(403);
        Api.Response patch = api.send("PATCH", "/pub/patient/" + id, other.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "attributes", Map.of("note", "x")))), List.of());
        assertThat(patch.status()).isEqualTo(404);
        // The identifier is unique within its organization: another organization holds its own, and learns
        // nothing of this one's.
        Fixtures.Tenant third = fixtures.tenant("Patient Third Org");
        String thirdGroup = fixtures.group(third.organizationId(), "T");
        Api.Response own = api.post("/pub/patient", third.token(), document(patient(Map.of("identifiers",
                List.of(identifier("READ", tenant.organizationId() + "-5"))), thirdGroup)));
        assertThat(own.status()).as(own.body()).isEqualTo(201);
        assertThat(own.at("/data/id").asText()).isNotEqualTo(id);
        assertThat(own.body()).doesNotContain(id).doesNotContain(tenant.organizationId() + "\"");
    }

    private static Map<String, Object> mapOf(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
