package dev.openplus.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * The valid edges of what MalformedInputTest refuses (issue 26): dates at the ends of the documented range read
 * back alike once the driver has prepared the statement on the server, UTC offsets Java accepts but PostgreSQL
 * does not are stored as their instant, and a length limit counts characters, not UTF-16 units.
 */
class ValueRangeTest {
    /** pgjdbc prepares a statement on the server, and reads it in binary, from its fifth run on one connection. */
    private static final int RUNS_PAST_PREPARING = 8;

    static TestServer server;
    static Api api;
    static Fixtures.Tenant tenant;
    static String group;

    @BeforeAll
    static void setUp() {
        server = TestServer.get();
        api = server.api();
        Fixtures fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Value Range Org");
        group = fixtures.group(tenant.organizationId(), "Ranges");
    }

    private static Api.Response createPatient(Map<String, Object> attributes) {
        return api.post("/pub/patient", tenant.token(), Api.json(Map.of("data", Map.of("type", "patient",
                "attributes", attributes,
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group))))))));
    }

    private static Api.Response patch(String patient, Map<String, Object> attributes) {
        return api.send("PATCH", "/pub/patient/" + patient, tenant.token(), Api.JSON_API, Api.json(Map.of("data",
                Map.of("type", "patient", "id", patient, "attributes", attributes))), List.of());
    }

    /** birth_date of every patient of the organization, read through the list RUNS_PAST_PREPARING times. */
    private static Map<String, String> birthDatesReadRepeatedly() {
        Map<String, String> birthDates = null;
        for (int run = 0; run < RUNS_PAST_PREPARING; run++) {
            Api.Response list = api.get("/pub/patient?filter[organization]=" + tenant.organizationId()
                    + "&page[size]=50", tenant.token());
            assertThat(list.status()).as("run %d: %s", run, list.body()).isEqualTo(200);
            Map<String, String> read = new java.util.HashMap<>();
            list.json().get("data").forEach(p -> read.put(p.get("id").asText(),
                    p.at("/attributes/birth_date").asText(null)));
            birthDates = read;
        }
        return birthDates;
    }

    @Test
    void datesAtTheEndsOfTheRangeReadBackAfterTheStatementIsPrepared() {
        Map<String, String> sent = new java.util.LinkedHashMap<>();
        for (String date : List.of("1800-01-01", "1804-02-29", "9999-12-31")) {
            Api.Response created = createPatient(Map.of("first_name", "Edge", "birth_date", date));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            sent.put(created.at("/data/id").asText(), date);
        }
        assertThat(birthDatesReadRepeatedly()).containsAllEntriesOf(sent);
        for (Map.Entry<String, String> patient : sent.entrySet()) {
            for (int run = 0; run < RUNS_PAST_PREPARING; run++) {
                Api.Response fetched = api.get("/pub/patient/" + patient.getKey(), tenant.token());
                assertThat(fetched.at("/data/attributes/birth_date").asText()).as(fetched.body())
                        .isEqualTo(patient.getValue());
            }
        }
    }

    /**
     * A date stored before the range was enforced (the server once accepted 0200-02-28, a day the Julian calendar
     * of java.sql.Date reads as February 29) still lists and updates: dates are read as LocalDate on every path.
     */
    @Test
    void aDateBeforeTheRangeStoredEarlierStillListsAndUpdates() {
        Api.Response created = createPatient(Map.of("first_name", "Old"));
        String patient = created.at("/data/id").asText();
        server.database.dsl().execute("UPDATE patient SET birth_date = DATE '0200-02-28' WHERE id = ?", patient);

        assertThat(birthDatesReadRepeatedly()).containsEntry(patient, "0200-02-28");
        for (int run = 0; run < RUNS_PAST_PREPARING; run++) {
            Api.Response updated = patch(patient, Map.of("note", "run " + run));
            assertThat(updated.status()).as(updated.body()).isEqualTo(200);
            assertThat(updated.at("/data/attributes/birth_date").asText()).isEqualTo("0200-02-28");
        }
        Api.Response refused = patch(patient, Map.of("birth_date", "0200-02-28"));
        assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        assertThat(refused.at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/birth_date");
        Api.Response moved = patch(patient, Map.of("birth_date", "1800-01-01"));
        assertThat(moved.at("/data/attributes/birth_date").asText()).as(moved.body()).isEqualTo("1800-01-01");
        assertThat(server.database.dsl().fetchValue("SELECT birth_date::text FROM patient WHERE id = ?", patient))
                .isEqualTo("1800-01-01");
    }

    /** Java accepts offsets up to ±18:00, PostgreSQL up to ±15:59: the instant is stored, in UTC. */
    @Test
    void anOffsetBeyondPostgresqlsIsStoredAsItsInstant() {
        Api.Response patient = createPatient(Map.of("first_name", "Offset"));
        Api.Response sent = api.post("/pub/email_history", tenant.token(), Api.json(Map.of("data", Map.of(
                "type", "email_history", "attributes", Map.of("email_address", "o@example.com", "email_type", "invite",
                        "send_time", "2024-01-01T00:00:00+16:00"),
                "relationships", Map.of("receiver", Map.of("data", Map.of("type", "patient",
                        "id", patient.at("/data/id").asText())))))));
        assertThat(sent.status()).as(sent.body()).isEqualTo(201);
        assertThat(sent.at("/data/attributes/send_time").asText()).isEqualTo("2023-12-31T08:00:00.000Z");

        Api.Response late = api.post("/pub/reward_program", tenant.token(), Api.json(Map.of("data", Map.of(
                "type", "reward_program", "attributes", Map.of("name", "Edges", "start_at", "1800-01-01T00:00:00Z",
                        "end_at", "9999-12-31T23:59:59.999Z", "budget_value", 1e308),
                "relationships", Map.of("group", Map.of("data", Map.of("type", "group", "id", group)))))));
        assertThat(late.status()).as(late.body()).isEqualTo(200);
        assertThat(late.at("/data/attributes/start_at").asText()).isEqualTo("1800-01-01T00:00:00.000Z");
        assertThat(late.at("/data/attributes/end_at").asText()).isEqualTo("9999-12-31T23:59:59.999Z");

        Api.Response filtered = api.get("/pub/email_history?filter[receiver]=" + patient.at("/data/id").asText()
                + "&filter[created_at]=2024-01-01T00:00:00%2B17:00..9999-12-31T23:00:00-00:59", tenant.token());
        assertThat(filtered.status()).as(filtered.body()).isEqualTo(200);
        assertThat(filtered.at("/meta/count").asLong()).isEqualTo(1);
    }

    /** maxLength counts characters (code points), as the document's maxLength means: an emoji is one. */
    @Test
    void aLengthLimitCountsCharactersNotUtf16Units() {
        String emoji = "\uD83D\uDE00";
        Api.Response fits = api.post("/pub/group", tenant.token(), Api.json(Map.of("data", Map.of("type", "group",
                "attributes", Map.of("name", emoji.repeat(255))))));
        assertThat(fits.status()).as(fits.body()).isEqualTo(201);
        assertThat(fits.at("/data/attributes/name").asText()).isEqualTo(emoji.repeat(255));

        long groups = server.database.dsl().fetchCount(DSL.table("patient_group"));
        Api.Response tooLong = api.post("/pub/group", tenant.token(), Api.json(Map.of("data", Map.of("type", "group",
                "attributes", Map.of("name", emoji.repeat(256))))));
        assertThat(tooLong.status()).as(tooLong.body()).isEqualTo(409);
        assertThat(tooLong.at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/name");
        assertThat(server.database.dsl().fetchCount(DSL.table("patient_group"))).isEqualTo(groups);
    }
}
