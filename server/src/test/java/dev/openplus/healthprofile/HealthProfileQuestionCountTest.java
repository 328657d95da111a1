package dev.openplus.healthprofile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * meta.count of an organization's whole health_profile_question list comes from counts the database keeps per
 * patient class (V15) and equals the rows paged through to the end: at age bounds crossed today and tomorrow,
 * without birth date or gender, with answers the patient no longer meets, and after patients come and go.
 */
class HealthProfileQuestionCountTest {
    static TestServer server;
    static Api api;
    static Fixtures fixtures;

    @BeforeAll
    static void setUp() {
        server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
    }

    static LocalDate today() {
        return LocalDate.now(ZoneOffset.UTC);
    }

    static String patient(Fixtures.Tenant tenant, String group, LocalDate birthDate, String gender) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("first_name", "Counted");
        attributes.put("birth_date", birthDate == null ? null : birthDate.toString());
        attributes.put("gender", gender);
        Api.Response response = api.post("/pub/patient", tenant.token(), Api.json(Map.of("data", Map.of("type",
                "patient", "attributes", attributes,
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group))))))));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.at("/data/id").asText();
    }

    static void patch(Fixtures.Tenant tenant, String patientId, Map<String, Object> attributes) {
        Api.Response response = api.send("PATCH", "/pub/patient/" + patientId, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "id", patientId, "attributes", attributes))),
                List.of());
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    static void answer(Fixtures.Tenant tenant, String patientId, String questionId) {
        Api.Response response = api.post("/pub/health_profile_answer", tenant.token(), Api.json(Map.of("data", Map.of(
                "type", "health_profile_answer", "attributes", Map.of("question_id", questionId, "value", "1"),
                "relationships", Map.of("patient", Map.of("data", Map.of("type", "patient", "id", patientId)))))));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
    }

    /** meta.count of the organization's list, checked equal to the rows paged through (both paging modes). */
    static long assertCountIsTheRows(Fixtures.Tenant tenant) {
        String list = "/pub/health_profile_question?filter[organization]=" + tenant.organizationId();
        Api.Response countOnly = api.get(list + "&page[limit]=0", tenant.token());
        assertThat(countOnly.status()).as(countOnly.body()).isEqualTo(200);
        long count = countOnly.at("/meta/count").asLong();
        List<String> paged = api.pageThrough(list + "&page[limit]=500", tenant.token());
        assertThat(paged).doesNotHaveDuplicates();
        assertThat(count).as("meta.count against the rows").isEqualTo(paged.size());
        assertThat(api.get(list + "&page[size]=7&page[number]=2", tenant.token()).at("/meta/count").asLong())
                .isEqualTo(count);
        return count;
    }

    @Test
    void theCountIsTheRowsThroughBirthdaysClassChangesAndRemovals() {
        Fixtures.Tenant tenant = fixtures.tenant("Question Count Org");
        String group = fixtures.group(tenant.organizationId(), "Counted");
        List<String> patients = new ArrayList<>();
        // Every age bound of the catalogue, on the birthday itself, the day before and the day after; both genders
        // with requirements, "other", and no gender; and no birth date.
        for (int age : new int[] {17, 18, 21, 40, 45, 50, 55, 64, 65, 69, 70, 75, 76}) {
            for (int shift : new int[] {-1, 0, 1}) {
                LocalDate birthDate = today().minusYears(age).plusDays(shift);
                patients.add(patient(tenant, group, birthDate, "female"));
                patients.add(patient(tenant, group, birthDate, "male"));
            }
        }
        patients.add(patient(tenant, group, today().minusYears(50), "other"));
        patients.add(patient(tenant, group, today().minusYears(50), null));
        patients.add(patient(tenant, group, null, "female"));
        patients.add(patient(tenant, group, null, null));
        long before = assertCountIsTheRows(tenant);
        assertThat(before).isGreaterThan(30L * patients.size() / 3);

        // Answers to questions the patient meets, then the patient leaves their band: the answers stay rows.
        String young = patient(tenant, group, today().minusYears(30), "female");
        answer(tenant, young, HealthProfileTest.CERVICAL);
        answer(tenant, young, HealthProfileTest.SLEEP);
        assertCountIsTheRows(tenant);
        patch(tenant, young, Map.of("birth_date", today().minusYears(70).toString()));
        assertCountIsTheRows(tenant);
        patch(tenant, young, Map.of("gender", "male"));
        assertCountIsTheRows(tenant);
        Map<String, Object> cleared = new LinkedHashMap<>();
        cleared.put("birth_date", null);
        cleared.put("gender", null);
        patch(tenant, young, cleared);
        assertCountIsTheRows(tenant);
        // An answer to a question the patient meets today and no longer from tomorrow (76 tomorrow).
        String turning = patient(tenant, group, today().minusYears(76).plusDays(1), "female");
        answer(tenant, turning, HealthProfileTest.COLORECTAL);
        assertCountIsTheRows(tenant);

        // An archived patient keeps their profile (the view does not look at archiving).
        patch(tenant, patients.get(0), Map.of("archived", true));
        assertCountIsTheRows(tenant);
        // Patients removed by an operator: their profiles and answers go with them (cascade).
        server.database.dsl().execute("delete from patient where id = any(?::bpchar[])",
                (Object) new String[] {young, patients.get(1), patients.get(patients.size() - 1)});
        long after = assertCountIsTheRows(tenant);
        assertThat(after).isLessThan(before + 3);
    }

    @Test
    void theCountReadsTheKeptCountsInsteadOfTheProfiles() {
        Fixtures.Tenant tenant = fixtures.tenant("Question Count Plan Org");
        String group = fixtures.group(tenant.organizationId(), "Planned");
        for (int i = 0; i < 5; i++) {
            answer(tenant, patient(tenant, group, today().minusYears(30 + 10 * i), i % 2 == 0 ? "female" : "male"),
                    HealthProfileTest.SLEEP);
        }
        long rows = assertCountIsTheRows(tenant);
        // The list's count is the ledger's: one more profile without birth date or gender there (it meets the
        // questions without requirements) shows in meta.count although no profile was added.
        long unrestricted = ((Number) server.database.dsl().fetchValue("select count(*) from health_question_definition"
                + " where age_from is null and age_to is null and gender_required is null")).longValue();
        server.database.dsl().execute("insert into health_profile_class_count (organization_id, delta) values (?, 1)",
                tenant.organizationId());
        try {
            String list = "/pub/health_profile_question?filter[organization]=" + tenant.organizationId() + "&page[limit]=0";
            assertThat(api.get(list, tenant.token()).at("/meta/count").asLong()).isEqualTo(rows + unrestricted);
        } finally {
            server.database.dsl().execute("insert into health_profile_class_count (organization_id, delta) values (?, -1)",
                    tenant.organizationId());
        }
        // The count's statements touch neither the profiles nor the patients nor the answers: only the ledger and
        // the catalogue (this transaction's table statistics).
        // (The backend's pending statistics may hold earlier transactions' scans: the count's are the difference.)
        String scans = "select coalesce(jsonb_object_agg(relname, seq_scan + coalesce(idx_scan, 0)), '{}')::text"
                + " from pg_stat_xact_user_tables";
        List<String> touched = server.database.dsl().transactionResult(configuration -> {
            var dsl = org.jooq.impl.DSL.using(configuration);
            com.fasterxml.jackson.databind.JsonNode before = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree((String) dsl.fetchValue(scans));
            assertThat(((Number) dsl.fetchValue("select health_profile_question_count(?)", tenant.organizationId()))
                    .longValue()).isEqualTo(rows);
            com.fasterxml.jackson.databind.JsonNode after = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree((String) dsl.fetchValue(scans));
            List<String> tables = new ArrayList<>();
            after.fields().forEachRemaining(table -> {
                if (table.getValue().asLong() > before.path(table.getKey()).asLong(0)) {
                    tables.add(table.getKey());
                }
            });
            return tables;
        });
        assertThat(touched)
                .containsExactlyInAnyOrder("health_profile_class_count", "health_question_definition");
    }

    @Test
    void aGroupScopedClientsCountIsItsRows() {
        Fixtures.Tenant tenant = fixtures.tenant("Question Count Group Org");
        String group = fixtures.group(tenant.organizationId(), "Inside");
        String other = fixtures.group(tenant.organizationId(), "Outside");
        patient(tenant, group, today().minusYears(50), "female");
        patient(tenant, group, today().minusYears(21), "male");
        patient(tenant, other, today().minusYears(60), "male");
        String token = fixtures.token(fixtures.client(tenant.organizationId(), group));
        for (String list : List.of("/pub/health_profile_question?filter[organization]=" + tenant.organizationId(),
                "/pub/health_profile_question?filter[groups]=" + group)) {
            long count = api.get(list + "&page[limit]=0", token).at("/meta/count").asLong();
            assertThat(api.pageThrough(list + "&page[limit]=500", token)).hasSize((int) count);
        }
    }
}
