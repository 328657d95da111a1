package dev.openplus.patient;

import static dev.openplus.patient.PatientTestSupport.document;
import static dev.openplus.patient.PatientTestSupport.identifier;
import static dev.openplus.patient.PatientTestSupport.patient;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/** POST /pub/patient: attributes, validation, bulk, identifiers and their uniqueness, groups by query. */
class PatientCreateTest {
    static Api api;
    static Fixtures fixtures;
    static Fixtures.Tenant tenant;
    static String group;
    static String otherGroup;
    static String coach;
    static String coach2;

    @BeforeAll
    static void setUp() {
        TestServer server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Patient Create Org");
        group = fixtures.group(tenant.organizationId(), "Clinic");
        otherGroup = fixtures.group(tenant.organizationId(), "Second Clinic");
        coach = fixtures.coach(tenant.organizationId(), "Clarisa", "Rivera", group);
        coach2 = fixtures.coach(tenant.organizationId(), "Sam", "Okafor", group);
    }

    private long patientCount() {
        return api.get("/pub/patient?filter[organization]=" + tenant.organizationId() + "&page[limit]=0", tenant.token())
                .at("/meta/count").asLong();
    }

    private static String unique(String prefix) {
        return prefix + "-" + java.util.UUID.randomUUID();
    }

    @Test
    void createsAPatientWithEveryAttribute() {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("first_name", "Fiona");
        attributes.put("last_name", "Reeves");
        attributes.put("email_address", "fiona@example.com");
        attributes.put("phone_numbers", List.of(Map.of("type", "mobile", "value", "555-555-1234", "primary", true)));
        attributes.put("addresses", List.of(Map.of("city", "Cambridge", "state", "MA", "postal_code", "02138",
                "lines", List.of("1234 Any St."))));
        attributes.put("identifiers", List.of(Map.of("label", "MRN", "system", "EHR", "value", unique("mrn"))));
        attributes.put("birth_date", "1944-03-06");
        attributes.put("gender", "female");
        attributes.put("note", "Relies on daughter to get around");
        attributes.put("updated_at", "2001-01-01T00:00:00.000Z");
        Map<String, Object> body = new LinkedHashMap<>(patient(attributes, group));
        body.put("relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group))),
                "coaches", Map.of("data", List.of(Map.of("type", "coach", "id", coach, "meta", Map.of("primary", true)),
                        Map.of("type", "coach", "id", coach2)))));
        Api.Response response = api.post("/pub/patient", tenant.token(), document(body));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        JsonNode data = response.at("/data");
        String id = data.get("id").asText();
        assertThat(data.get("type").asText()).isEqualTo("patient");
        assertThat(data.at("/attributes/first_name").asText()).isEqualTo("Fiona");
        assertThat(data.at("/attributes/email_address").asText()).isEqualTo("fiona@example.com");
        assertThat(data.at("/attributes/phone_numbers/0/type").asText()).isEqualTo("mobile");
        assertThat(data.at("/attributes/phone_numbers/0/primary").asBoolean()).isTrue();
        assertThat(data.at("/attributes/addresses/0/lines/0").asText()).isEqualTo("1234 Any St.");
        assertThat(data.at("/attributes/identifiers/0/label").asText()).isEqualTo("MRN");
        assertThat(data.at("/attributes/identifiers/0/unique").asBoolean()).isTrue();
        assertThat(data.at("/attributes/birth_date").asText()).isEqualTo("1944-03-06");
        assertThat(data.at("/attributes/gender").asText()).isEqualTo("female");
        assertThat(data.at("/attributes/archived").asBoolean()).isFalse();
        assertThat(data.at("/attributes/archive_history").size()).isZero();
        assertThat(data.at("/attributes/updated_at").asText()).doesNotStartWith("2001");
        assertThat(data.at("/attributes/created_by").asText()).isEqualTo(tenant.client().get("client_id"));
        for (String readOnly : List.of("first_access_at", "invited_at", "enrolled_at", "last_access_at", "statement")) {
            assertThat(data.at("/attributes/" + readOnly).isNull()).as(readOnly).isTrue();
        }
        assertThat(response.at("/meta/ignored/0").asText()).isEqualTo("/data/attributes/updated_at");
        assertThat(data.at("/links/self").asText()).isEqualTo("/pub/patient/" + id);
        assertThat(data.at("/links/twine_web_app").asText()).isEqualTo("http://localhost:8080/#/coach/patient/" + id + "/overview");
        assertThat(data.at("/relationships/groups/data/0/id").asText()).isEqualTo(group);
        assertThat(data.at("/relationships/groups/links/related").asText()).isEqualTo("/pub/patient/" + id + "/groups");
        assertThat(data.at("/relationships/coaches/links/related").asText()).isEqualTo("/pub/patient/" + id + "/coaches");
        JsonNode coaches = data.at("/relationships/coaches/data");
        assertThat(coaches.size()).isEqualTo(2);
        for (JsonNode c : coaches) {
            assertThat(c.at("/meta/primary").asBoolean()).isEqualTo(c.get("id").asText().equals(coach));
        }

        Api.Response fetched = api.get("/pub/patient/" + id + "?include=groups,coaches", tenant.token());
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.at("/data/attributes/last_name").asText()).isEqualTo("Reeves");
        assertThat(fetched.at("/included").size()).isEqualTo(3);
    }

    @Test
    void everyValueIsValidatedWithItsPointer() {
        long before = patientCount();
        record Case(Map<String, Object> attributes, String pointer) {
        }
        List<Case> cases = List.of(
                new Case(Map.of("first_name", 7), "/data/attributes/first_name"),
                new Case(Map.of("email_address", "not-an-email"), "/data/attributes/email_address"),
                new Case(Map.of("gender", "unknown"), "/data/attributes/gender"),
                new Case(Map.of("birth_date", "1944-13-06"), "/data/attributes/birth_date"),
                new Case(Map.of("birth_date", "03/06/1944"), "/data/attributes/birth_date"),
                new Case(Map.of("phone_numbers", "555"), "/data/attributes/phone_numbers"),
                new Case(Map.of("phone_numbers", List.of(Map.of("type", "pager", "value", "1", "primary", true))),
                        "/data/attributes/phone_numbers/0/type"),
                new Case(Map.of("phone_numbers", List.of(Map.of("type", "home", "value", "1"))),
                        "/data/attributes/phone_numbers/0/primary"),
                new Case(Map.of("addresses", List.of(Map.of("planet", "Mars"))), "/data/attributes/addresses/0/planet"),
                new Case(Map.of("addresses", List.of(Map.of("lines", "one line"))), "/data/attributes/addresses/0/lines"),
                new Case(Map.of("identifiers", List.of(Map.of("system", "EHR"))), "/data/attributes/identifiers/0/value"),
                new Case(Map.of("identifiers", List.of(Map.of("system", "EHR", "value", "1", "unique", "yes"))),
                        "/data/attributes/identifiers/0/unique"),
                new Case(Map.of("identifiers", List.of(identifier("S", "1"), identifier("S", "1"))),
                        "/data/attributes/identifiers/1"),
                new Case(Map.of("archive_history", List.of(Map.of("reason", "x"))), "/data/attributes/archive_history/0/archived"),
                new Case(Map.of("shoe_size", 42), "/data/attributes/shoe_size"),
                new Case(Map.of("note", "n".repeat(10_001)), "/data/attributes/note"));
        for (Case c : cases) {
            Api.Response response = api.post("/pub/patient", tenant.token(), document(patient(c.attributes(), group)));
            assertThat(response.status()).as(c.pointer() + " " + response.body()).isEqualTo(409);
            assertThat(response.at("/errors/0/code").asText()).isEqualTo("InvalidBodyParameter");
            assertThat(response.at("/errors/0/source/pointer").asText()).as(response.body()).isEqualTo(c.pointer());
        }
        assertThat(patientCount()).isEqualTo(before);
    }

    @Test
    void relationshipsAreChecked() {
        Api.Response noGroups = api.post("/pub/patient", tenant.token(),
                document(Map.of("type", "patient", "attributes", Map.of("first_name", "A"))));
        assertThat(noGroups.status()).isEqualTo(409);
        assertThat(noGroups.at("/errors/0/source/pointer").asText()).isEqualTo("/data/relationships/groups");

        Api.Response emptyGroups = api.post("/pub/patient", tenant.token(), document(patient(Map.of())));
        assertThat(emptyGroups.status()).isEqualTo(409);
        assertThat(emptyGroups.at("/errors/0/source/pointer").asText()).isEqualTo("/data/relationships/groups/data");

        Map<String, Object> twoPrimaries = new LinkedHashMap<>(patient(Map.of(), group));
        twoPrimaries.put("relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group))),
                "coaches", Map.of("data", List.of(Map.of("type", "coach", "id", coach, "meta", Map.of("primary", true)),
                        Map.of("type", "coach", "id", coach2, "meta", Map.of("primary", true))))));
        Api.Response primaries = api.post("/pub/patient", tenant.token(), document(twoPrimaries));
        assertThat(primaries.status()).isEqualTo(409);
        assertThat(primaries.at("/errors/0/source/pointer").asText()).isEqualTo("/data/relationships/coaches/data");

        Api.Response unknownGroup = api.post("/pub/patient", tenant.token(),
                document(patient(Map.of(), "000000000000000000000000")));
        assertThat(unknownGroup.status()).isEqualTo(403);
        assertThat(unknownGroup.at("/errors/0/code").asText()).isEqualTo("Forbidden");
        assertThat(unknownGroup.at("/errors/0/source/pointer").asText()).isEqualTo("/data/relationships/groups/data/0/id");
    }

    @Test
    void groupsByQueryAreFoundCreatedOrAmbiguous() {
        String name = unique("Query Group");
        Map<String, Object> byQuery = Map.of("type", "group", "meta",
                Map.of("query", Map.of("organization", tenant.organizationId(), "name", name)));
        Map<String, Object> first = new LinkedHashMap<>(patient(Map.of("first_name", "Q1")));
        first.put("relationships", Map.of("groups", Map.of("data", List.of(byQuery))));
        Map<String, Object> second = new LinkedHashMap<>(patient(Map.of("first_name", "Q2")));
        second.put("relationships", Map.of("groups", Map.of("data", List.of(byQuery))));
        // Two items with the same query in one batch share one new group.
        Api.Response created = api.post("/pub/patient", tenant.token(), document(List.of(first, second)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String newGroup = created.at("/data/0/relationships/groups/data/0/id").asText();
        assertThat(created.at("/data/1/relationships/groups/data/0/id").asText()).isEqualTo(newGroup);
        Api.Response groups = api.get("/pub/group?filter[organization]=" + tenant.organizationId() + "&filter[name]="
                + name.replace(" ", "%20"), tenant.token());
        assertThat(groups.at("/meta/count").asLong()).isEqualTo(1);

        Api.Response reused = api.post("/pub/patient", tenant.token(), document(first));
        assertThat(reused.at("/data/relationships/groups/data/0/id").asText()).isEqualTo(newGroup);

        fixtures.group(tenant.organizationId(), name);
        Api.Response ambiguous = api.post("/pub/patient", tenant.token(), document(first));
        assertThat(ambiguous.status()).isEqualTo(409);
        assertThat(ambiguous.at("/errors/0/source/pointer").asText()).isEqualTo("/data/relationships/groups/data/0/meta/query");

        Fixtures.Tenant other = fixtures.tenant("Query Other Org");
        Map<String, Object> foreign = new LinkedHashMap<>(patient(Map.of()));
        foreign.put("relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "meta",
                Map.of("query", Map.of("organization", other.organizationId(), "name", "x")))))));
        Api.Response forbidden = api.post("/pub/patient", tenant.token(), document(foreign));
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.at("/errors/0/source/pointer").asText())
                .isEqualTo("/data/relationships/groups/data/0/meta/query/organization");
    }

    @Test
    void bulkCreateOf1000AnswersInRequestOrder() {
        long before = patientCount();
        String system = unique("BULK");
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            items.add(patient(Map.of("first_name", "P" + i, "identifiers", List.of(identifier(system, "v" + i))),
                    i % 2 == 0 ? group : otherGroup));
        }
        Api.Response response = api.post("/pub/patient", tenant.token(), document(items));
        assertThat(response.status()).isEqualTo(201);
        assertThat(response.at("/data").size()).isEqualTo(1000);
        for (int i = 0; i < 1000; i += 97) {
            assertThat(response.at("/data/" + i + "/attributes/first_name").asText()).isEqualTo("P" + i);
            assertThat(response.at("/data/" + i + "/relationships/groups/data/0/id").asText())
                    .isEqualTo(i % 2 == 0 ? group : otherGroup);
        }
        assertThat(patientCount()).isEqualTo(before + 1000);

        List<Object> tooMany = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            tooMany.add(patient(Map.of(), group));
        }
        Api.Response rejected = api.post("/pub/patient", tenant.token(), document(tooMany));
        assertThat(rejected.status()).isEqualTo(409);
        assertThat(rejected.at("/errors/0/source/pointer").asText()).isEqualTo("/data");
        assertThat(patientCount()).isEqualTo(before + 1000);
    }

    @Test
    void bulkIsAllOrNothingAndReportsEveryBadItem() {
        long before = patientCount();
        List<Object> items = List.of(patient(Map.of("first_name", "ok"), group),
                patient(Map.of("gender", "x"), group), patient(Map.of("birth_date", "no"), group));
        Api.Response response = api.post("/pub/patient", tenant.token(), document(items));
        assertThat(response.status()).isEqualTo(409);
        assertThat(response.json().get("errors").findValuesAsText("pointer"))
                .containsExactly("/data/1/attributes/gender", "/data/2/attributes/birth_date");
        assertThat(patientCount()).isEqualTo(before);
    }

    @Test
    void duplicateIdentifiersAreRejectedWithTheirPointer() {
        String value = unique("dup");
        assertThat(api.post("/pub/patient", tenant.token(),
                document(patient(Map.of("identifiers", List.of(identifier("EHR", value))), group))).status()).isEqualTo(201);
        long before = patientCount();

        List<Object> batch = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            batch.add(patient(Map.of("identifiers", List.of(identifier("EHR", unique("fresh")))), group));
        }
        batch.add(patient(Map.of("identifiers", List.of(identifier("EHR", value))), group));
        Api.Response againstDatabase = api.post("/pub/patient", tenant.token(), document(batch));
        assertThat(againstDatabase.status()).isEqualTo(409);
        assertThat(againstDatabase.at("/errors/0/code").asText()).isEqualTo("InvalidBodyParameter");
        assertThat(againstDatabase.at("/errors/0/source/pointer").asText()).isEqualTo("/data/3/attributes/identifiers/0");

        String inBatch = unique("batch");
        Api.Response withinBatch = api.post("/pub/patient", tenant.token(), document(List.of(
                patient(Map.of("identifiers", List.of(identifier("EHR", inBatch))), group),
                patient(Map.of("identifiers", List.of(identifier("Other", "1"), identifier("EHR", inBatch))), group))));
        assertThat(withinBatch.status()).isEqualTo(409);
        assertThat(withinBatch.at("/errors/0/source/pointer").asText()).isEqualTo("/data/1/attributes/identifiers/1");
        assertThat(patientCount()).isEqualTo(before);

        // A non-unique identifier may repeat.
        Map<String, Object> shared = Map.of("system", "Family", "value", unique("household"), "unique", false);
        assertThat(api.post("/pub/patient", tenant.token(), document(List.of(
                patient(Map.of("identifiers", List.of(shared)), group),
                patient(Map.of("identifiers", List.of(shared)), group)))).status()).isEqualTo(201);
    }

    @Test
    void ignoreDuplicatesSkipsDuplicateItemsAndListsThem() {
        String taken = unique("taken");
        api.post("/pub/patient", tenant.token(), document(patient(Map.of("identifiers", List.of(identifier("EHR", taken))), group)));
        String repeated = unique("repeated");
        List<Object> batch = List.of(
                patient(Map.of("first_name", "A", "identifiers", List.of(identifier("EHR", unique("a")))), group),
                patient(Map.of("first_name", "B", "identifiers", List.of(identifier("EHR", taken))), group),
                patient(Map.of("first_name", "C", "identifiers", List.of(identifier("EHR", repeated))), group),
                patient(Map.of("first_name", "D", "identifiers", List.of(identifier("EHR", repeated))), group));
        Api.Response response = api.post("/pub/patient", tenant.token(), document(batch, Map.of("ignore_duplicates", true)));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        List<String> names = new ArrayList<>();
        response.at("/data").forEach(p -> names.add(p.at("/attributes/first_name").asText()));
        assertThat(names).containsExactly("A", "C");
        assertThat(response.at("/meta/ignored").findValuesAsText("")).isEmpty();
        assertThat(List.of(response.at("/meta/ignored/0").asText(), response.at("/meta/ignored/1").asText()))
                .containsExactly("/data/1", "/data/3");

        Api.Response single = api.post("/pub/patient", tenant.token(),
                document(patient(Map.of("identifiers", List.of(identifier("EHR", taken))), group), Map.of("ignore_duplicates", true)));
        assertThat(single.status()).isEqualTo(201);
        assertThat(single.at("/data").isNull()).isTrue();
        assertThat(single.at("/meta/ignored/0").asText()).isEqualTo("/data");
    }

    @Test
    void concurrentCreatesOfOneIdentifierHaveExactlyOneWinner() throws Exception {
        String value = unique("race");
        String body = document(patient(Map.of("identifiers", List.of(identifier("RACE", value))), group));
        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Api.Response>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Callable<Api.Response> call = () -> {
                    start.await();
                    return api.post("/pub/patient", tenant.token(), body);
                };
                futures.add(pool.submit(call));
            }
            start.countDown();
            int created = 0;
            int conflicts = 0;
            for (Future<Api.Response> future : futures) {
                Api.Response response = future.get();
                if (response.status() == 201) {
                    created++;
                } else {
                    assertThat(response.status()).as(response.body()).isEqualTo(409);
                    assertThat(response.at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/identifiers/0");
                    conflicts++;
                }
            }
            assertThat(created).isEqualTo(1);
            assertThat(conflicts).isEqualTo(19);
        } finally {
            pool.shutdownNow();
        }
        Api.Response found = api.get("/pub/patient?filter[organization]=" + tenant.organizationId()
                + "&filter[identifier][system]=RACE&filter[identifier][value]=" + value, tenant.token());
        assertThat(found.at("/meta/count").asLong()).isEqualTo(1);
    }
}
