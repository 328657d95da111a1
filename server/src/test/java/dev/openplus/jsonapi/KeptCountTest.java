package dev.openplus.jsonapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.Application;
import dev.openplus.db.Ids;
import dev.openplus.support.Api;
import dev.openplus.support.CarePlans;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * meta.count of the lists whose count the database keeps (patients of an organization or of a group, events and
 * metrics of an organization or a patient, results of a patient) stays exactly the number of rows through every
 * kind of write: bulk creates, skipped duplicates, rejected and rolled-back bulks, group changes, deletes and
 * cascades, and concurrent writers; and those lists really read the kept count.
 */
class KeptCountTest {
    static TestServer server;
    static Api api;
    static Fixtures fixtures;

    @BeforeAll
    static void setUp() {
        server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static Map<String, Object> patient(String identifier, String... groups) {
        List<Object> links = new ArrayList<>();
        for (String group : groups) {
            links.add(Map.of("type", "group", "id", group));
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("first_name", "Counted");
        attributes.put("identifiers", List.of(Map.of("system", "KEPT", "value", identifier)));
        return Map.of("type", "patient", "attributes", attributes,
                "relationships", Map.of("groups", Map.of("data", links)));
    }

    private static List<Object> patients(String prefix, int count, String... groups) {
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            items.add(patient(prefix + "-" + i, groups));
        }
        return items;
    }

    private static Api.Response createPatients(String token, List<Object> items, boolean ignoreDuplicates) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("data", items);
        if (ignoreDuplicates) {
            document.put("meta", Map.of("ignore_duplicates", true));
        }
        return api.post("/pub/patient", token, Api.json(document));
    }

    private static List<String> created(Api.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.ids();
    }

    private static Map<String, Object> event(String owner) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("type", "reminder");
        attributes.put("all_day", true);
        attributes.put("start_at", "2024-05-06T00:00:00Z");
        attributes.put("title", "Counted");
        attributes.put("attendees", List.of(Map.of("user", owner)));
        return Map.of("type", "calendar_event", "attributes", attributes,
                "relationships", Map.of("owner", Map.of("data", Map.of("type", "patient", "id", owner))));
    }

    /** meta.count of the list, asserted equal on a count-only request and on a page of rows. */
    private static long metaCount(String list, String token) {
        Api.Response countOnly = api.get(list + "&page[limit]=0", token);
        assertThat(countOnly.status()).as(countOnly.body()).isEqualTo(200);
        Api.Response page = api.get(list + "&page[size]=5", token);
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        assertThat(page.at("/meta/count").asLong()).as(list).isEqualTo(countOnly.at("/meta/count").asLong());
        return countOnly.at("/meta/count").asLong();
    }

    private static long rows(String sql, Object... binds) {
        return ((Number) server.database.dsl().fetchValue(sql, binds)).longValue();
    }

    private static long patientsOf(String organization) {
        return rows("select count(*) from patient where organization_id = ?", organization);
    }

    private static long membersOf(String... groups) {
        return rows("select count(distinct patient_id) from patient_group_member where group_id = any(?::bpchar[])",
                (Object) groups);
    }

    private static void assertPatientCounts(Fixtures.Tenant tenant, String... groups) {
        String organization = tenant.organizationId();
        assertThat(metaCount("/pub/patient?filter[organization]=" + organization, tenant.token()))
                .as("patients of the organization").isEqualTo(patientsOf(organization));
        for (String group : groups) {
            assertThat(metaCount("/pub/patient?filter[groups]=" + group, tenant.token()))
                    .as("patients of group " + group).isEqualTo(membersOf(group));
        }
        if (groups.length > 1) {
            assertThat(metaCount("/pub/patient?filter[groups]=" + String.join(",", groups), tenant.token()))
                    .as("patients of several groups").isEqualTo(membersOf(groups));
        }
    }

    /** Adds a delta row by hand: only a list that reads the ledger shows it. */
    private static void skewLedger(String counter, String organization, String key, long delta) {
        server.database.dsl().execute("insert into kept_count (counter, organization_id, key, delta) values (?, ?, ?, ?)",
                counter, organization, key, delta);
    }

    private static long ledgerRows(String counter, String organization, String key) {
        return rows("select count(*) from kept_count where counter = ? and organization_id = ? and key = ?",
                counter, organization, key);
    }

    // ---- the tests --------------------------------------------------------------------------------------------

    @Test
    void bulkCreatesSkippedDuplicatesAndRejectedBulksKeepTheCountExact() {
        Fixtures.Tenant tenant = fixtures.tenant("Kept Count Bulk Org");
        String one = fixtures.apiGroup(tenant, "One");
        String two = fixtures.apiGroup(tenant, "Two");
        String prefix = tenant.organizationId();
        assertThat(metaCount("/pub/patient?filter[organization]=" + prefix, tenant.token())).isZero();

        created(createPatients(tenant.token(), patients(prefix + "a", 30, one), false));
        created(createPatients(tenant.token(), patients(prefix + "b", 12, one, two), false));
        assertThat(metaCount("/pub/patient?filter[organization]=" + prefix, tenant.token())).isEqualTo(42);
        assertThat(metaCount("/pub/patient?filter[groups]=" + one, tenant.token())).isEqualTo(42);
        assertThat(metaCount("/pub/patient?filter[groups]=" + two, tenant.token())).isEqualTo(12);
        assertThat(metaCount("/pub/patient?filter[groups]=" + one + "," + two, tenant.token()))
                .as("a patient in both groups counts once").isEqualTo(42);

        // 4 of 10 are duplicates of stored identifiers: skipped, and not counted.
        List<Object> mixed = patients(prefix + "c", 6, two);
        mixed.addAll(patients(prefix + "a", 4, two));
        Api.Response skipped = createPatients(tenant.token(), mixed, true);
        assertThat(created(skipped)).hasSize(6);
        assertThat(skipped.at("/meta/ignored").size()).isEqualTo(4);
        assertThat(metaCount("/pub/patient?filter[organization]=" + prefix, tenant.token())).isEqualTo(48);
        assertThat(metaCount("/pub/patient?filter[groups]=" + two, tenant.token())).isEqualTo(18);

        // One bad item refuses the whole bulk, and nothing is counted.
        List<Object> bad = patients(prefix + "d", 5, one);
        Map<String, Object> badItem = new LinkedHashMap<>(patient(prefix + "d-bad", one));
        badItem.put("attributes", Map.of("email_address", "not an address"));
        bad.set(3, badItem);
        Api.Response refused = createPatients(tenant.token(), bad, false);
        assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        assertThat(refused.at("/errors/0/source/pointer").asText()).isEqualTo("/data/3/attributes/email_address");
        Fixtures.Tenant other = fixtures.tenant("Kept Count Bulk Other Org");
        List<Object> foreign = patients(prefix + "e", 5, one);
        foreign.set(2, patient(prefix + "e-foreign", fixtures.apiGroup(other, "Foreign")));
        Api.Response forbidden = createPatients(tenant.token(), foreign, false);
        assertThat(forbidden.status()).as(forbidden.body()).isEqualTo(403);
        assertThat(forbidden.at("/errors/0/source/pointer").asText()).isEqualTo("/data/2/relationships/groups/data/0/id");
        assertThat(metaCount("/pub/patient?filter[organization]=" + prefix, tenant.token())).isEqualTo(48);
        assertPatientCounts(tenant, one, two);
        assertThat(metaCount("/pub/patient?filter[organization]=" + other.organizationId(), other.token())).isZero();
    }

    /**
     * A bulk whose identifier a concurrent transaction commits after the bulk's check: its patients are already
     * inserted when ON CONFLICT DO NOTHING finds the loss. Without ignore_duplicates the request answers 409 and
     * rolls back; with it the losing item's row is deleted again. Either way the count is exact.
     */
    @Test
    void anIdentifierLostAfterTheInsertRollsBackOrDeletesTheRow() throws Exception {
        Fixtures.Tenant tenant = fixtures.tenant("Kept Count Race Org");
        String group = fixtures.apiGroup(tenant, "Race");
        String prefix = tenant.organizationId();
        String list = "/pub/patient?filter[organization]=" + prefix;
        created(createPatients(tenant.token(), patients(prefix + "seed", 3, group), false));

        Api.Response lost = raceForIdentifier(tenant, group, prefix + "race-1", false);
        assertThat(lost.status()).as(lost.body()).isEqualTo(409);
        assertThat(lost.at("/errors/0/source/pointer").asText()).isEqualTo("/data/1/attributes/identifiers/0");
        assertThat(metaCount(list, tenant.token())).as("3 seeded + the racing transaction's patient").isEqualTo(4)
                .isEqualTo(patientsOf(prefix));
        assertThat(metaCount("/pub/patient?filter[groups]=" + group, tenant.token())).isEqualTo(3);

        Api.Response skipped = raceForIdentifier(tenant, group, prefix + "race-2", true);
        assertThat(created(skipped)).hasSize(2);
        assertThat(skipped.at("/meta/ignored/0").asText()).isEqualTo("/data/1");
        assertThat(metaCount(list, tenant.token())).isEqualTo(7).isEqualTo(patientsOf(prefix));
        assertThat(metaCount("/pub/patient?filter[groups]=" + group, tenant.token())).isEqualTo(5);
    }

    private Api.Response raceForIdentifier(Fixtures.Tenant tenant, String group, String value, boolean ignore)
            throws Exception {
        try (Connection holder = server.database.dedicatedConnection()) {
            holder.setAutoCommit(false);
            String racer = Ids.newId();
            execute(holder, "insert into patient (id, organization_id) values (?, ?)", racer, tenant.organizationId());
            execute(holder, "insert into patient_identifier (patient_id, organization_id, position, system, value)"
                    + " values (?, ?, 0, 'KEPT', ?)", racer, tenant.organizationId(), value);
            List<Object> items = patients(value + "-other", 3, group);
            items.set(1, patient(value, group));
            CompletableFuture<Api.Response> request = CompletableFuture.supplyAsync(
                    () -> createPatients(tenant.token(), items, ignore));
            waitUntilAnIdentifierInsertWaits();
            holder.commit();
            return request.get(30, TimeUnit.SECONDS);
        }
    }

    private static void waitUntilAnIdentifierInsertWaits() throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            if (rows("select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
                    + " and query like 'insert into \"patient_identifier\"%'") > 0) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the bulk create never waited for the concurrent identifier");
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
    void rolledBackWritesAreNotCounted() throws Exception {
        Fixtures.Tenant tenant = fixtures.tenant("Kept Count Rollback Org");
        String group = fixtures.apiGroup(tenant, "Rollback");
        created(createPatients(tenant.token(), patients(tenant.organizationId(), 4, group), false));
        try (Connection connection = server.database.dedicatedConnection()) {
            connection.setAutoCommit(false);
            for (int i = 0; i < 3; i++) {
                String id = Ids.newId();
                execute(connection, "insert into patient (id, organization_id) values (?, ?)", id, tenant.organizationId());
                execute(connection, "insert into patient_group_member (patient_id, group_id, organization_id)"
                        + " values (?, ?, ?)", id, group, tenant.organizationId());
            }
            execute(connection, "delete from patient where id in (select patient_id from patient_group_member"
                    + " where group_id = ? limit 2)", group);
            connection.rollback();
        }
        assertThat(metaCount("/pub/patient?filter[organization]=" + tenant.organizationId(), tenant.token())).isEqualTo(4);
        assertThat(metaCount("/pub/patient?filter[groups]=" + group, tenant.token())).isEqualTo(4);
    }

    @Test
    void groupChangesByPatchMoveThePatientBetweenGroupCounts() {
        Fixtures.Tenant tenant = fixtures.tenant("Kept Count Patch Org");
        String one = fixtures.apiGroup(tenant, "One");
        String two = fixtures.apiGroup(tenant, "Two");
        String three = fixtures.apiGroup(tenant, "Three");
        List<String> ids = created(createPatients(tenant.token(), patients(tenant.organizationId(), 5, one), false));
        Api.Response moved = api.send("PATCH", "/pub/patient/" + ids.get(0), tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "id", ids.get(0), "relationships", Map.of("groups",
                        Map.of("data", List.of(Map.of("type", "group", "id", two), Map.of("type", "group", "id", three))))))),
                List.of());
        assertThat(moved.status()).as(moved.body()).isEqualTo(200);
        Api.Response stays = api.send("PATCH", "/pub/patient/" + ids.get(1), tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "id", ids.get(1), "relationships", Map.of("groups",
                        Map.of("data", List.of(Map.of("type", "group", "id", one), Map.of("type", "group", "id", two))))))),
                List.of());
        assertThat(stays.status()).as(stays.body()).isEqualTo(200);
        assertThat(metaCount("/pub/patient?filter[groups]=" + one, tenant.token())).isEqualTo(4);
        assertThat(metaCount("/pub/patient?filter[groups]=" + two, tenant.token())).isEqualTo(2);
        assertThat(metaCount("/pub/patient?filter[groups]=" + three, tenant.token())).isEqualTo(1);
        assertThat(metaCount("/pub/patient?filter[groups]=" + two + "," + three, tenant.token())).isEqualTo(2);
        assertThat(metaCount("/pub/patient?filter[organization]=" + tenant.organizationId(), tenant.token())).isEqualTo(5);
        assertPatientCounts(tenant, one, two, three);
    }

    @Test
    void deletesAndCascadesKeepEveryCountExact() {
        Fixtures.Tenant tenant = fixtures.tenant("Kept Count Delete Org");
        String group = fixtures.apiGroup(tenant, "Delete");
        List<String> owners = created(createPatients(tenant.token(), patients(tenant.organizationId(), 2, group), false));
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Api.Response response = api.post("/pub/calendar_event", tenant.token(),
                    Api.json(Map.of("data", event(owners.get(i % 2)))));
            assertThat(response.status()).as(response.body()).isEqualTo(201);
            events.add(response.at("/data/id").asText());
        }
        List<Object> metrics = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            metrics.add(CarePlans.metric(owners.get(0), "weight", 150 + i, "2024-03-0" + (i + 1) + "T08:00:00Z"));
        }
        Api.Response measured = api.post("/pub/patient_health_metric", tenant.token(), Api.json(Map.of("data", metrics)));
        assertThat(measured.status()).as(measured.body()).isEqualTo(200);
        String org = "filter[organization]=" + tenant.organizationId();
        assertThat(metaCount("/pub/calendar_event?" + org, tenant.token())).isEqualTo(5);
        assertThat(metaCount("/pub/calendar_event?filter[patient]=" + owners.get(0), tenant.token())).isEqualTo(3);
        assertThat(metaCount("/pub/patient_health_metric?" + org, tenant.token())).isEqualTo(7);
        assertThat(metaCount("/pub/patient_health_metric?filter[patient]=" + owners.get(0), tenant.token())).isEqualTo(7);
        assertThat(metaCount("/pub/result?filter[patient]=" + owners.get(0), tenant.token())).isEqualTo(7);

        for (String deleted : List.of(events.get(0), events.get(1))) {
            Api.Response response = api.send("DELETE", "/pub/calendar_event/" + deleted, tenant.token(), null, null,
                    List.of());
            assertThat(response.status()).as(response.body()).isEqualTo(200);
        }
        assertThat(metaCount("/pub/calendar_event?" + org, tenant.token())).isEqualTo(3);
        assertThat(metaCount("/pub/calendar_event?filter[patient]=" + owners.get(0), tenant.token())).isEqualTo(2);
        assertThat(metaCount("/pub/calendar_event?filter[patient]=" + owners.get(1), tenant.token())).isEqualTo(1);

        // Patients have no DELETE in the API; deleting one in the database cascades to everything it owns.
        server.database.dsl().execute("delete from patient where id = ?", owners.get(0));
        assertThat(metaCount("/pub/patient?" + org, tenant.token())).isEqualTo(1);
        assertThat(metaCount("/pub/patient?filter[groups]=" + group, tenant.token())).isEqualTo(1);
        assertThat(metaCount("/pub/calendar_event?" + org, tenant.token())).isEqualTo(1);
        assertThat(metaCount("/pub/patient_health_metric?" + org, tenant.token())).isZero();
        assertThat(rows("select coalesce(sum(delta), 0) from kept_count where counter = 'result.patient_id' and key = ?",
                owners.get(0))).as("the deleted patient's results").isZero();
    }

    /**
     * Many writers at once, through HTTP (patient bulks, group changes, events created and deleted) and through
     * JDBC (patient deletes, which HTTP does not offer, and rolled-back transactions), beside readers whose reads
     * fold the ledger meanwhile. Afterwards every kept list's meta.count is the real number of rows.
     */
    @Test
    void concurrentCreatesDeletesAndGroupChangesLeaveExactCounts() throws Exception {
        Fixtures.Tenant tenant = fixtures.tenant("Kept Count Concurrency Org");
        String one = fixtures.apiGroup(tenant, "One");
        String two = fixtures.apiGroup(tenant, "Two");
        String organization = tenant.organizationId();
        List<String> owners = created(createPatients(tenant.token(), patients(organization + "owner", 4, one), false));
        Set<String> patientIds = ConcurrentHashMap.newKeySet();
        Set<String> eventIds = ConcurrentHashMap.newKeySet();
        Set<Integer> statuses = ConcurrentHashMap.newKeySet();
        int rounds = 25;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> work = new ArrayList<>();
        for (int writer = 0; writer < 2; writer++) {
            int w = writer;
            work.add(pool.submit(() -> {
                for (int round = 0; round < rounds; round++) {
                    Api.Response response = createPatients(tenant.token(),
                            patients(organization + "w" + w + "r" + round, 1 + round % 4, round % 2 == 0 ? one : two), false);
                    statuses.add(response.status());
                    patientIds.addAll(response.ids());
                }
                return null;
            }));
        }
        work.add(pool.submit(() -> {
            for (int round = 0; round < rounds * 2; round++) {
                String owner = owners.get(round % owners.size());
                Api.Response response = api.post("/pub/calendar_event", tenant.token(), Api.json(Map.of("data", event(owner))));
                statuses.add(response.status());
                eventIds.add(response.at("/data/id").asText());
                if (round % 3 == 2) {
                    String victim = eventIds.iterator().next();
                    eventIds.remove(victim);
                    statuses.add(api.send("DELETE", "/pub/calendar_event/" + victim, tenant.token(), null, null,
                            List.of()).status());
                }
            }
            return null;
        }));
        work.add(pool.submit(() -> {
            for (int round = 0; round < rounds * 2; round++) {
                List<String> known = new ArrayList<>(patientIds);
                if (known.isEmpty()) {
                    Thread.sleep(10);
                    continue;
                }
                String id = known.get(ThreadLocalRandom.current().nextInt(known.size()));
                List<Object> groups = round % 3 == 0 ? List.of(Map.of("type", "group", "id", one))
                        : round % 3 == 1 ? List.of(Map.of("type", "group", "id", two))
                        : List.of(Map.of("type", "group", "id", one), Map.of("type", "group", "id", two));
                Api.Response response = api.send("PATCH", "/pub/patient/" + id, tenant.token(), Api.JSON_API,
                        Api.json(Map.of("data", Map.of("type", "patient", "id", id,
                                "relationships", Map.of("groups", Map.of("data", groups))))), List.of());
                // 404: the JDBC deleter removed it meanwhile.
                statuses.add(response.status() == 404 ? 200 : response.status());
            }
            return null;
        }));
        work.add(pool.submit(() -> {
            try (Connection connection = server.database.dedicatedConnection()) {
                connection.setAutoCommit(false);
                for (int round = 0; round < rounds; round++) {
                    List<String> known = new ArrayList<>(patientIds);
                    Collections.shuffle(known);
                    if (!known.isEmpty()) {
                        String victim = known.get(0);
                        execute(connection, "delete from patient where id = ?", victim);
                        patientIds.remove(victim);
                    }
                    String doomed = Ids.newId();
                    execute(connection, "insert into patient (id, organization_id) values (?, ?)", doomed, organization);
                    execute(connection, "insert into patient_group_member (patient_id, group_id, organization_id)"
                            + " values (?, ?, ?)", doomed, one, organization);
                    if (round % 2 == 0) {
                        connection.commit();
                    } else {
                        connection.rollback();
                    }
                    Thread.sleep(5);
                }
                connection.commit();
            }
            return null;
        }));
        for (int reader = 0; reader < 2; reader++) {
            work.add(pool.submit(() -> {
                for (int round = 0; round < rounds * 2; round++) {
                    for (String list : List.of("/pub/patient?filter[organization]=" + organization,
                            "/pub/patient?filter[groups]=" + one, "/pub/calendar_event?filter[organization]=" + organization)) {
                        statuses.add(api.get(list + "&page[limit]=1", tenant.token()).status());
                    }
                }
                return null;
            }));
        }
        for (Future<?> future : work) {
            future.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(statuses).as("every request succeeded").isSubsetOf(200, 201);

        assertPatientCounts(tenant, one, two);
        assertThat(metaCount("/pub/calendar_event?filter[organization]=" + organization, tenant.token()))
                .isEqualTo(rows("select count(*) from calendar_event where organization_id = ?", organization));
        for (String owner : owners) {
            assertThat(metaCount("/pub/calendar_event?filter[patient]=" + owner, tenant.token()))
                    .isEqualTo(rows("select count(*) from calendar_event where owner_id = ?", owner));
        }
        assertThat(ledgerRows("patient.organization_id", organization, organization))
                .as("reads fold the ledger").isLessThanOrEqualTo(KeptCounts.FOLD_AT);
    }

    /**
     * A delta row added by hand shows in the lists that read the ledger and in no other: so these lists do not
     * count their rows, and a filter that changes the count does.
     */
    @Test
    void theUnfilteredListsReadTheKeptCountAndFilteredListsCount() {
        Fixtures.Tenant tenant = fixtures.tenant("Kept Count Source Org");
        String one = fixtures.apiGroup(tenant, "One");
        String two = fixtures.apiGroup(tenant, "Two");
        String organization = tenant.organizationId();
        created(createPatients(tenant.token(), patients(organization, 6, one), false));
        created(createPatients(tenant.token(), patients(organization + "two", 2, two), false));
        skewLedger("patient.organization_id", organization, organization, 1000);
        skewLedger("patient_group_member.group_id", organization, one, 100);
        String list = "/pub/patient?filter[organization]=" + organization;
        try {
            assertThat(metaCount(list, tenant.token())).isEqualTo(1008);
            assertThat(metaCount(list + "&sort=-last_name&include=groups&fields[patient]=first_name", tenant.token()))
                    .as("sort, include and fields do not change the count").isEqualTo(1008);
            String next = api.get(list + "&page[limit]=2", tenant.token()).at("/links/next").asText();
            assertThat(api.get(next, tenant.token()).at("/meta/count").asLong()).as("nor does a cursor").isEqualTo(1008);
            assertThat(api.get(list + "&page[number]=2&page[size]=3", tenant.token()).at("/meta/count").asLong())
                    .isEqualTo(1008);
            assertThat(api.get("/pub/patient?filter[groups]=" + one + "&page[limit]=0", tenant.token())
                    .at("/meta/count").asLong()).isEqualTo(106);

            // These filters change the count: the rows are counted.
            assertThat(metaCount(list + "&filter[archived]=false", tenant.token())).isEqualTo(8);
            assertThat(metaCount(list + "&filter[updated_at]=2000-01-01T00:00:00Z..", tenant.token())).isEqualTo(8);
            assertThat(metaCount(list + "&filter[identifier][system]=KEPT&filter[identifier][value]=" + organization
                    + "-0", tenant.token())).isEqualTo(1);
            assertThat(metaCount("/pub/patient?filter[groups]=" + one + "&filter[archived]=false", tenant.token()))
                    .isEqualTo(6);
            assertThat(metaCount("/pub/patient?filter[groups]=" + one + "," + two, tenant.token()))
                    .as("several groups are counted as distinct members").isEqualTo(8);
        } finally {
            skewLedger("patient.organization_id", organization, organization, -1000);
            skewLedger("patient_group_member.group_id", organization, one, -100);
        }
        assertThat(metaCount(list, tenant.token())).isEqualTo(8);
    }

    @Test
    void patientOwnedListsReadTheirKeptCounts() {
        Fixtures.Tenant tenant = fixtures.tenant("Kept Count Owned Org");
        String group = fixtures.apiGroup(tenant, "Owned");
        String organization = tenant.organizationId();
        String owner = created(createPatients(tenant.token(), patients(organization, 1, group), false)).get(0);
        Api.Response measured = api.post("/pub/patient_health_metric", tenant.token(), Api.json(Map.of("data",
                List.of(CarePlans.metric(owner, "weight", 150, "2024-03-01T08:00:00Z")))));
        assertThat(measured.status()).as(measured.body()).isEqualTo(200);
        assertThat(api.post("/pub/calendar_event", tenant.token(), Api.json(Map.of("data", event(owner)))).status())
                .isEqualTo(201);
        Map<String, String> kept = new LinkedHashMap<>();
        kept.put("/pub/result?filter[patient]=" + owner, "result.patient_id/" + owner);
        kept.put("/pub/patient_health_metric?filter[patient]=" + owner, "patient_health_metric.patient_id/" + owner);
        kept.put("/pub/patient_health_metric?filter[organization]=" + organization,
                "patient_health_metric.organization_id/" + organization);
        kept.put("/pub/calendar_event?filter[patient]=" + owner, "calendar_event.owner_id/" + owner);
        kept.put("/pub/calendar_event?filter[organization]=" + organization, "calendar_event.organization_id/" + organization);
        for (Map.Entry<String, String> list : kept.entrySet()) {
            String[] counter = list.getValue().split("/");
            assertThat(metaCount(list.getKey(), tenant.token())).as(list.getKey()).isEqualTo(1);
            skewLedger(counter[0], organization, counter[1], 50);
            assertThat(metaCount(list.getKey(), tenant.token())).as(list.getKey()).isEqualTo(51);
            skewLedger(counter[0], organization, counter[1], -50);
        }
        assertThat(metaCount("/pub/result?filter[patient]=" + owner + "&filter[start_at]=2024-01-01T00:00:00Z",
                tenant.token())).isEqualTo(1);
        assertThat(metaCount("/pub/calendar_event?filter[organization]=" + organization + "&filter[completed]=false",
                tenant.token())).isEqualTo(1);
    }

    @Test
    void aGroupScopedCallerWithOneGroupReadsItsKeptCountAndOneWithSeveralCountsDistinctMembers() {
        Fixtures.Tenant tenant = fixtures.tenant("Kept Count Group Scope Org");
        String one = fixtures.apiGroup(tenant, "One");
        String two = fixtures.apiGroup(tenant, "Two");
        String three = fixtures.apiGroup(tenant, "Three");
        String organization = tenant.organizationId();
        created(createPatients(tenant.token(), patients(organization + "one", 3, one), false));
        created(createPatients(tenant.token(), patients(organization + "both", 2, one, two), false));
        created(createPatients(tenant.token(), patients(organization + "three", 4, three), false));
        String onlyOne = fixtures.token(fixtures.client(organization, one));
        String oneAndTwo = fixtures.token(fixtures.client(organization, one, two));
        String list = "/pub/patient?filter[organization]=" + organization;
        assertThat(metaCount(list, onlyOne)).isEqualTo(5);
        assertThat(metaCount(list, oneAndTwo)).as("a patient in both groups counts once").isEqualTo(5);
        assertThat(metaCount("/pub/patient?filter[groups]=" + two, oneAndTwo)).isEqualTo(2);
        skewLedger("patient_group_member.group_id", organization, one, 10);
        try {
            assertThat(metaCount(list, onlyOne)).as("the one group's kept count").isEqualTo(15);
            assertThat(metaCount(list, oneAndTwo)).as("several groups: distinct members counted").isEqualTo(5);
            assertThat(metaCount("/pub/patient?filter[groups]=" + one, oneAndTwo)).isEqualTo(15);
        } finally {
            skewLedger("patient_group_member.group_id", organization, one, -10);
        }
    }

    @Test
    void aReadFoldsManyDeltasIntoOneWithoutChangingTheCount() throws Exception {
        Fixtures.Tenant tenant = fixtures.tenant("Kept Count Fold Org");
        String organization = tenant.organizationId();
        int inserts = KeptCounts.FOLD_AT + 10;
        try (Connection connection = server.database.dedicatedConnection()) {
            for (int i = 0; i < inserts; i++) {
                execute(connection, "insert into patient (id, organization_id) values (?, ?)", Ids.newId(), organization);
            }
        }
        assertThat(ledgerRows("patient.organization_id", organization, organization)).isEqualTo(inserts);
        String list = "/pub/patient?filter[organization]=" + organization + "&page[limit]=0";
        assertThat(api.get(list, tenant.token()).at("/meta/count").asLong()).isEqualTo(inserts);
        assertThat(ledgerRows("patient.organization_id", organization, organization)).isEqualTo(1);
        assertThat(api.get(list, tenant.token()).at("/meta/count").asLong()).isEqualTo(inserts);
    }

    @Test
    void aKeptListCostsTheStatementsOfACountedOne() {
        Fixtures.Tenant tenant = fixtures.tenant("Kept Count Statements Org");
        String group = fixtures.apiGroup(tenant, "Statements");
        created(createPatients(tenant.token(), patients(tenant.organizationId(), 3, group), false));
        String list = "/pub/patient?filter[organization]=" + tenant.organizationId() + "&page[limit]=10";
        long kept = statements(list, tenant.token());
        long counted = statements(list + "&filter[archived]=false", tenant.token());
        assertThat(kept).isEqualTo(counted).isEqualTo(2);
    }

    private static long statements(String path, String token) {
        api.get(path, token);
        long before = server.database.statementCount();
        assertThat(api.get(path, token).status()).isEqualTo(200);
        return server.database.statementCount() - before;
    }

    /** A description that could answer a list wrongly does not build. */
    @Test
    void aKeptCountMustNameAScopeCheckedFilterOfItsOwnTable() {
        ResourceType.Builder builder = ResourceType.builder("counted", "counted");
        org.jooq.Field<String> organization = builder.column("organization_id", org.jooq.impl.SQLDataType.CHAR(24));
        org.jooq.Field<String> owner = builder.column("owner_id", org.jooq.impl.SQLDataType.CHAR(24));
        builder.filter(new FilterDef("owner", FilterKind.ID_LIST, ids -> owner.in((List<?>) ids)))
                .filter(new FilterDef("checked", FilterKind.ID_LIST, ids -> owner.in((List<?>) ids)).idsOf("patient"))
                .scope(caller -> organization.eq(caller.organizationId()));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> builder.keptCount(KeptCount.perFilterValue("owner", organization, owner)).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not a scope-checked id filter");
        ResourceType.Builder other = ResourceType.builder("counted", "counted")
                .filter(new FilterDef("checked", FilterKind.ID_LIST, ids -> owner.in((List<?>) ids)).idsOf("patient"))
                .scope(caller -> organization.eq(caller.organizationId()));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> other.keptCount(KeptCount.perFilterValue("checked",
                ResourceType.tableColumn("elsewhere", "organization_id", org.jooq.impl.SQLDataType.CHAR(24)),
                ResourceType.tableColumn("elsewhere", "owner_id", org.jooq.impl.SQLDataType.CHAR(24)))).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("must count rows of counted");
        assertThat(ResourceType.builder("counted", "counted")
                .filter(new FilterDef("checked", FilterKind.ID_LIST, ids -> owner.in((List<?>) ids)).idsOf("patient"))
                .scope(caller -> organization.eq(caller.organizationId()))
                .keptCount(KeptCount.perFilterValue("checked", organization, owner)).build().keptCounts())
                .extracting(KeptCount::counter).containsExactly("counted.owner_id");
    }

    /** Every count a type describes has its triggers, and every installed counter is described by a type. */
    @Test
    void everyDescribedCountIsInstalledAndEveryInstalledOneDescribed() throws Exception {
        List<String> described = new ArrayList<>();
        List<String> functions = new ArrayList<>();
        for (ResourceType type : Application.registry().types()) {
            for (KeptCount count : type.keptCounts()) {
                if (count.function() != null) {
                    functions.add(count.function());
                    continue;
                }
                described.add(count.counter() + " " + count.table() + " " + count.organizationColumnName() + " "
                        + count.keyColumnName());
            }
        }
        List<String> installed = new ArrayList<>();
        try (Connection connection = server.database.dedicatedConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "select counter, counted_table, organization_column, key_column from kept_count_counter");
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                installed.add(rows.getString(1) + " " + rows.getString(2) + " " + rows.getString(3) + " " + rows.getString(4));
            }
        }
        assertThat(described).hasSize(7).containsExactlyInAnyOrderElementsOf(installed);
        assertThat(rows("select count(*) from pg_trigger where tgname like 'kept\\_count\\_%'")).isEqualTo(4L * installed.size());
        // Counts computed by a function of the organization: the function exists.
        assertThat(functions).containsExactly("health_profile_question_count");
        for (String function : functions) {
            assertThat(rows("select count(*) from pg_proc where proname = ? and pg_get_function_identity_arguments(oid)"
                    + " = 'organization character'", function)).as(function).isEqualTo(1L);
        }
    }
}
