package dev.openplus.patient;

import static dev.openplus.patient.PatientTestSupport.document;
import static dev.openplus.patient.PatientTestSupport.group;
import static dev.openplus.patient.PatientTestSupport.identifier;
import static dev.openplus.patient.PatientTestSupport.patient;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.Application;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * A patient's group and coach linkage is also stored on the patient's row (V12): the columns stay equal to the
 * join rows through every kind of write (creates, bulks, PATCH, a coach unlinked from all its patients, SQL
 * from outside the API, truncation, and two writers of one patient's links at once), and a fetch by an
 * organization-scoped client really reads them, while a group-scoped client's linkage still comes from the
 * join rows under its scope.
 */
class StoredLinkageTest {
    /** Patients whose stored linkage differs from their join rows, in the whole database. */
    private static final String STALE = "select count(*) from patient p where"
            + " p.group_ids is distinct from array(select m.group_id from patient_group_member m"
            + "     where m.patient_id = p.id order by m.group_id)"
            + " or p.coach_ids is distinct from array(select c.coach_id from patient_coach c"
            + "     where c.patient_id = p.id order by c.coach_id)"
            + " or p.coach_primary_flags is distinct from array(select c.is_primary from patient_coach c"
            + "     where c.patient_id = p.id order by c.coach_id)";

    static TestServer server;
    static Api api;
    static Fixtures fixtures;

    @BeforeAll
    static void setUp() {
        server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
    }

    private static long stale() {
        return ((Number) server.database.dsl().fetchValue(STALE)).longValue();
    }

    private static List<String> stored(String patientId, String column) {
        Object[] values = (Object[]) server.database.dsl()
                .fetchValue("select " + column + " from patient where id = ?", patientId);
        List<String> stored = new ArrayList<>();
        for (Object value : values) {
            stored.add(String.valueOf(value).trim());
        }
        return stored;
    }

    private static String create(Fixtures.Tenant tenant, Map<String, Object> resource) {
        Api.Response created = api.post("/pub/patient", tenant.token(), document(resource));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.at("/data/id").asText();
    }

    private static Map<String, Object> coached(Map<String, Object> resource, String coach, boolean primary) {
        @SuppressWarnings("unchecked")
        Map<String, Object> relationships = new LinkedHashMap<>((Map<String, Object>) resource.get("relationships"));
        relationships.put("coaches", Map.of("data",
                List.of(Map.of("type", "coach", "id", coach, "meta", Map.of("primary", primary)))));
        Map<String, Object> copy = new LinkedHashMap<>(resource);
        copy.put("relationships", relationships);
        return copy;
    }

    private static void execute(Connection connection, String sql, Object... binds) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < binds.length; i++) {
                statement.setObject(i + 1, binds[i]);
            }
            statement.execute();
        }
    }

    @Test
    void everyStoredRelationshipIsInstalledInTheDatabase() {
        List<String> described = new ArrayList<>();
        for (ResourceType type : Application.registry().types()) {
            for (Relationship relationship : type.relationships()) {
                if (relationship.stored() != null) {
                    described.add(type.table().getName() + "." + relationship.stored().ids().getName()
                            + " <- " + relationship.joinTable().getName());
                }
            }
        }
        List<String> installed = server.database.dsl()
                .fetch("select owner_table || '.' || ids_column || ' <- ' || link_table from stored_linkage")
                .getValues(0, String.class);
        assertThat(described).containsExactlyInAnyOrder("patient.group_ids <- patient_group_member",
                "patient.coach_ids <- patient_coach");
        assertThat(installed).containsExactlyInAnyOrderElementsOf(described);
    }

    @Test
    void createsBulksPatchesAndDeletesKeepTheStoredLinkageEqualToTheJoinRows() {
        Fixtures.Tenant tenant = fixtures.tenant("Stored Linkage Writes Org");
        String one = fixtures.apiGroup(tenant, "One");
        String two = fixtures.apiGroup(tenant, "Two");
        String coach = fixtures.coach(tenant.organizationId(), "Stored", "Coach", one);
        String other = fixtures.coach(tenant.organizationId(), "Other", "Coach", one);

        String single = create(tenant, coached(patient(Map.of("first_name", "Single"), two, one), coach, true));
        assertThat(stored(single, "group_ids")).containsExactly(one.compareTo(two) < 0 ? one : two,
                one.compareTo(two) < 0 ? two : one);
        assertThat(stored(single, "coach_ids")).containsExactly(coach);
        assertThat(stored(single, "coach_primary_flags")).containsExactly("true");

        List<Object> bulk = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            bulk.add(coached(patient(Map.of("identifiers", List.of(identifier("STORED", "b" + i))), one), other, false));
        }
        Api.Response created = api.post("/pub/patient", tenant.token(), document(bulk));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String fromBulk = created.at("/data/7/id").asText();
        assertThat(stored(fromBulk, "group_ids")).containsExactly(one);
        assertThat(stored(fromBulk, "coach_primary_flags")).containsExactly("false");

        Api.Response patched = api.send("PATCH", "/pub/patient/" + fromBulk, tenant.token(), Api.JSON_API,
                document(Map.of("type", "patient", "id", fromBulk, "relationships", Map.of(
                        "groups", Map.of("data", List.of(group(two))),
                        "coaches", Map.of("data", List.of(
                                Map.of("type", "coach", "id", coach, "meta", Map.of("primary", true)),
                                Map.of("type", "coach", "id", other, "meta", Map.of("primary", false))))))),
                List.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(stored(fromBulk, "group_ids")).containsExactly(two);
        List<String> coaches = coach.compareTo(other) < 0 ? List.of(coach, other) : List.of(other, coach);
        assertThat(stored(fromBulk, "coach_ids")).containsExactlyElementsOf(coaches);
        assertThat(stored(fromBulk, "coach_primary_flags"))
                .containsExactly(coaches.get(0).equals(coach) ? "true" : "false", coaches.get(0).equals(coach) ? "false" : "true");
        assertThat(patched.at("/data/relationships/groups/data/0/id").asText()).isEqualTo(two);

        // One statement that unlinks a coach from all of its patients (an operator's SQL) updates each of them.
        server.database.dsl().execute("delete from patient_coach where coach_id = ?", other);
        assertThat(stored(single, "coach_ids")).containsExactly(coach);
        assertThat(stored(fromBulk, "coach_ids")).containsExactly(coach);
        assertThat(stored(created.at("/data/8/id").asText(), "coach_ids")).isEmpty();
        assertThat(stored(created.at("/data/8/id").asText(), "coach_primary_flags")).isEmpty();
        assertThat(api.get("/pub/patient/" + created.at("/data/8/id").asText(), tenant.token())
                .at("/data/relationships/coaches/data").size()).isZero();

        // A deleted patient's join rows go by cascade; their triggers find no row left to update.
        assertThat(server.database.dsl().execute("delete from patient where id = ?", single)).isEqualTo(1);
        assertThat(stale()).isZero();
    }

    @Test
    void joinRowsWrittenOutsideTheApiAndTruncationAreFollowed() throws Exception {
        Fixtures.Tenant tenant = fixtures.tenant("Stored Linkage Outside Org");
        String one = fixtures.apiGroup(tenant, "One");
        String two = fixtures.apiGroup(tenant, "Two");
        String id = create(tenant, patient(Map.of("first_name", "Outside"), one));

        server.database.dsl().execute("insert into patient_group_member (patient_id, group_id, organization_id)"
                + " values (?, ?, ?)", id, two, tenant.organizationId());
        assertThat(stored(id, "group_ids")).containsExactlyInAnyOrder(one, two);
        server.database.dsl().execute("delete from patient_group_member where patient_id = ? and group_id = ?", id, one);
        assertThat(stored(id, "group_ids")).containsExactly(two);
        server.database.dsl().execute("update patient_group_member set group_id = ? where patient_id = ?", one, id);
        assertThat(stored(id, "group_ids")).containsExactly(one);

        // TRUNCATE is transactional: emptied inside, and everything back after the rollback.
        try (Connection connection = server.database.dedicatedConnection()) {
            connection.setAutoCommit(false);
            execute(connection, "truncate patient_coach");
            try (PreparedStatement statement = connection.prepareStatement(
                    "select count(*) from patient where coach_ids <> '{}' or coach_primary_flags <> '{}'");
                    ResultSet rows = statement.executeQuery()) {
                rows.next();
                assertThat(rows.getLong(1)).isZero();
            }
            connection.rollback();
        }
        assertThat(stale()).isZero();
    }

    @Test
    void twoWritersOfOnePatientsLinksLeaveTheLinkageOfBoth() throws Exception {
        Fixtures.Tenant tenant = fixtures.tenant("Stored Linkage Race Org");
        String one = fixtures.apiGroup(tenant, "One");
        String two = fixtures.apiGroup(tenant, "Two");
        String id = create(tenant, patient(Map.of("first_name", "Raced"), one));
        try (Connection first = server.database.dedicatedConnection();
                Connection second = server.database.dedicatedConnection()) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            execute(first, "insert into patient_group_member (patient_id, group_id, organization_id) values (?, ?, ?)",
                    id, two, tenant.organizationId());
            // The second writer's trigger waits for the first's lock on the patient's row, then must see its row.
            CompletableFuture<Void> removal = CompletableFuture.runAsync(() -> {
                try {
                    execute(second, "delete from patient_group_member where patient_id = ? and group_id = ?", id, one);
                    second.commit();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (((Number) server.database.dsl().fetchValue("select count(*) from pg_stat_activity"
                    + " where wait_event_type = 'Lock' and query like 'delete from patient_group_member%'"))
                    .longValue() == 0) {
                assertThat(System.nanoTime()).as("the second writer waits for the first").isLessThan(deadline);
                Thread.sleep(20);
            }
            first.commit();
            removal.get(10, TimeUnit.SECONDS);
        }
        assertThat(stored(id, "group_ids")).containsExactly(two);
        assertThat(stale()).isZero();
    }

    @Test
    void anOrganizationClientsFetchReadsTheStoredColumnsAndAGroupClientsReadsTheJoinRows() {
        Fixtures.Tenant tenant = fixtures.tenant("Stored Linkage Read Org");
        String one = fixtures.apiGroup(tenant, "One");
        String two = fixtures.apiGroup(tenant, "Two");
        String id = create(tenant, patient(Map.of("first_name", "Planted"), one, two));
        String groupToken = fixtures.token(fixtures.client(tenant.organizationId(), one));
        // A planted value no join row holds: only a read of the column can answer it.
        server.database.dsl().execute("update patient set group_ids = ?::char(24)[] where id = ?", "{" + two + "}", id);
        try {
            Api.Response organizationView = api.get("/pub/patient/" + id, tenant.token());
            assertThat(organizationView.status()).isEqualTo(200);
            assertThat(organizationView.at("/data/relationships/groups/data").size()).isEqualTo(1);
            assertThat(organizationView.at("/data/relationships/groups/data/0/id").asText()).isEqualTo(two);
            Api.Response listed = api.get("/pub/patient?filter[organization]=" + tenant.organizationId(), tenant.token());
            assertThat(listed.at("/data/0/relationships/groups/data/0/id").asText()).isEqualTo(two);

            Api.Response groupView = api.get("/pub/patient/" + id, groupToken);
            assertThat(groupView.status()).isEqualTo(200);
            assertThat(groupView.at("/data/relationships/groups/data").size()).isEqualTo(1);
            assertThat(groupView.at("/data/relationships/groups/data/0/id").asText()).isEqualTo(one);
        } finally {
            server.database.dsl().execute("update patient set group_ids = array(select group_id from patient_group_member"
                    + " where patient_id = ? order by group_id) where id = ?", id, id);
        }
        assertThat(stale()).isZero();
    }
}
