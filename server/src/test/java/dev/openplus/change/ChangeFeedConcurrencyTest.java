package dev.openplus.change;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * The feed's guarantee as a property: writer threads create, change, move and delete resources for a few seconds
 * (through the API, and through direct transactions that stay open a while or roll back), while an organization
 * reader and a group-scoped reader follow the feed. At the end each reader's replica (type, id → version, present)
 * equals the database, no change was delivered twice, and every committed change reached the organization reader.
 */
class ChangeFeedConcurrencyTest {
    static final long WRITE_MILLIS = 8_000;

    record Held(String type, String id, long version, boolean present) {
    }

    /** A reader following the feed: delivered ids, and its replica. */
    static final class Reader {
        final String link0;
        final String token;
        final Set<Long> delivered = new HashSet<>();
        final List<Long> duplicates = new ArrayList<>();
        final Map<String, Held> replica = new HashMap<>();
        final List<String> outOfOrder = new ArrayList<>();
        String next;

        Reader(String firstLink, String token) {
            this.link0 = firstLink;
            this.token = token;
            this.next = firstLink;
        }

        /** Follows links.next until a page is empty; true when it read something. */
        boolean poll(Api api) {
            boolean any = false;
            while (true) {
                Api.Response page = api.get(next, token);
                assertThat(page.status()).as(page.body()).isEqualTo(200);
                for (JsonNode change : page.json().path("data")) {
                    any = true;
                    if (!delivered.add(change.at("/id").asLong())) {
                        duplicates.add(change.at("/id").asLong());
                    }
                    String type = change.at("/attributes/resource_type").asText();
                    String id = change.at("/attributes/resource_id").asText();
                    String action = change.at("/attributes/action").asText();
                    long version = change.at("/attributes/version").asLong();
                    Held held = replica.get(type + "/" + id);
                    if (held != null && held.version() > version) {
                        outOfOrder.add(type + "/" + id + " " + held.version() + " then " + version);
                    }
                    boolean present = action.equals("created") || action.equals("updated");
                    replica.put(type + "/" + id, new Held(type, id, version, present));
                }
                next = page.at("/links/next").asText();
                if (page.json().path("data").isEmpty()) {
                    return any;
                }
            }
        }

        Map<String, Long> live(String type) {
            Map<String, Long> live = new LinkedHashMap<>();
            replica.values().stream().filter(h -> h.type().equals(type) && h.present())
                    .forEach(h -> live.put(h.id(), h.version()));
            return live;
        }
    }

    @Test
    void everyCommittedChangeExactlyOnceInCommitOrderPerResource() throws Exception {
        TestServer server = TestServer.get();
        Api api = server.api();
        Fixtures fixtures = new Fixtures(server);
        Fixtures.Tenant tenant = fixtures.tenant("Change Concurrency Org");
        String groupA = fixtures.apiGroup(tenant, "Concurrency A");
        String groupB = fixtures.apiGroup(tenant, "Concurrency B");
        String groupToken = fixtures.token(fixtures.client(tenant.organizationId(), groupA));
        Reader org = new Reader("/pub/change?filter[organization]=" + tenant.organizationId() + "&page[limit]=37", tenant.token());
        Reader group = new Reader("/pub/change?filter[organization]=" + tenant.organizationId() + "&page[limit]=23", groupToken);

        List<String> patients = new CopyOnWriteArrayList<>();
        List<String> events = new CopyOnWriteArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        long until = System.currentTimeMillis() + WRITE_MILLIS;
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            writers.add(new Thread(() -> {
                try {
                    while (System.currentTimeMillis() < until) {
                        apiWrite(api, tenant, groupA, groupB, patients, events);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        writers.add(new Thread(() -> {
            try {
                while (System.currentTimeMillis() < until) {
                    heldWrite(server, tenant.organizationId(), patients);
                }
            } catch (Throwable e) {
                failures.add(e);
            }
        }));
        Thread reading = new Thread(() -> {
            try {
                while (writing.get()) {
                    org.poll(api);
                    group.poll(api);
                }
            } catch (Throwable e) {
                failures.add(e);
            }
        });
        writers.forEach(Thread::start);
        reading.start();
        for (Thread writer : writers) {
            writer.join();
        }
        writing.set(false);
        reading.join();
        assertThat(failures).isEmpty();
        org.poll(api);
        group.poll(api);

        assertThat(org.duplicates).isEmpty();
        assertThat(group.duplicates).isEmpty();
        assertThat(org.outOfOrder).isEmpty();
        assertThat(group.outOfOrder).isEmpty();
        assertThat(patients).hasSizeGreaterThan(5);
        try (Connection connection = server.database.dedicatedConnection()) {
            // None missing: every committed change of the organization (but the scope-only ones) was delivered.
            Set<Long> committed = new HashSet<>(longs(connection, "select id from change where organization_id = ?"
                    + " and not scope_only", tenant.organizationId()));
            assertThat(org.delivered).isEqualTo(committed);
            // The replicas equal the database: the live resources and their versions.
            for (String type : List.of("patient", "calendar_event", "group")) {
                String table = type.equals("group") ? "patient_group" : type;
                Map<String, Long> expected = versions(connection, "select t.id, h.version from " + table + " t"
                        + " join change_head h on h.resource_type = ? and h.resource_id = t.id"
                        + " where t.organization_id = ?", type, tenant.organizationId());
                assertThat(org.live(type)).as(type).isEqualTo(expected);
            }
            Map<String, Long> groupPatients = versions(connection, "select t.id, h.version from patient t"
                    + " join change_head h on h.resource_type = 'patient' and h.resource_id = t.id"
                    + " where t.organization_id = ? and ?::char(24) = any (t.group_ids)", tenant.organizationId(), groupA);
            assertThat(group.live("patient")).isEqualTo(groupPatients);
            Map<String, Long> groupEvents = versions(connection, "select t.id, h.version from calendar_event t"
                    + " join patient p on p.id = t.owner_id"
                    + " join change_head h on h.resource_type = 'calendar_event' and h.resource_id = t.id"
                    + " where t.organization_id = ? and ?::char(24) = any (p.group_ids)", tenant.organizationId(), groupA);
            assertThat(group.live("calendar_event")).isEqualTo(groupEvents);
            assertThat(group.live("group")).containsOnlyKeys(groupA);
        }
    }

    /** One random API write: a patient created, renamed or moved; an event created, changed or deleted. */
    static void apiWrite(Api api, Fixtures.Tenant tenant, String groupA, String groupB, List<String> patients,
            List<String> events) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int choice = patients.size() < 3 ? 0 : random.nextInt(6);
        String token = tenant.token();
        switch (choice) {
            case 0 -> patients.add(ChangeFeedTest.patientIn(api, tenant, random.nextBoolean() ? groupA : groupB));
            case 1 -> {
                String patient = pick(patients);
                ok(api.send("PATCH", "/pub/patient/" + patient, token, Api.JSON_API, Api.json(Map.of("data", Map.of(
                        "type", "patient", "id", patient, "attributes", Map.of("first_name", "N" + random.nextInt())))),
                        List.of()));
            }
            case 2 -> {
                String patient = pick(patients);
                ok(api.send("PATCH", "/pub/patient/" + patient, token, Api.JSON_API, Api.json(Map.of("data", Map.of(
                        "type", "patient", "id", patient, "relationships", Map.of("groups", Map.of("data",
                                List.of(Map.of("type", "group", "id", random.nextBoolean() ? groupA : groupB))))))),
                        List.of()));
            }
            case 3 -> events.add(ChangeFeedTest.eventOf(api, tenant, pick(patients)));
            case 4 -> {
                if (!events.isEmpty()) {
                    String event = pick(events);
                    Api.Response response = api.send("PATCH", "/pub/calendar_event/" + event, token, Api.JSON_API,
                            Api.json(Map.of("data", Map.of("type", "calendar_event", "id", event,
                                    "attributes", Map.of("title", "T" + random.nextInt())))), List.of());
                    assertThat(response.status()).as(response.body()).isIn(200, 404);
                }
            }
            default -> {
                if (!events.isEmpty()) {
                    String event = pick(events);
                    Api.Response response = api.send("DELETE", "/pub/calendar_event/" + event, token, null, null,
                            List.of());
                    assertThat(response.status()).as(response.body()).isIn(200, 404);
                    events.remove(event);
                }
            }
        }
    }

    /** A transaction of its own that stays open a while: a group created, a patient's note changed; or rolled back. */
    static void heldWrite(TestServer server, String organizationId, List<String> patients) throws Exception {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (Connection connection = server.database.dedicatedConnection()) {
            connection.setAutoCommit(false);
            ChangeFeedTest.insertGroup(connection, organizationId, "Held " + random.nextInt());
            if (!patients.isEmpty()) {
                try (PreparedStatement update = connection.prepareStatement("update patient set note = ? where id = ?")) {
                    update.setString(1, "held " + random.nextInt());
                    update.setString(2, pick(patients));
                    update.executeUpdate();
                }
            }
            Thread.sleep(random.nextInt(100, 1200));
            if (random.nextInt(3) == 0) {
                connection.rollback();
            } else {
                connection.commit();
            }
        }
    }

    static String pick(List<String> list) {
        return list.get(ThreadLocalRandom.current().nextInt(list.size()));
    }

    static void ok(Api.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    static List<Long> longs(Connection connection, String sql, String... arguments) throws Exception {
        List<Long> values = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < arguments.length; i++) {
                statement.setString(i + 1, arguments[i]);
            }
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    values.add(result.getLong(1));
                }
            }
        }
        return values;
    }

    static Map<String, Long> versions(Connection connection, String sql, String... arguments) throws Exception {
        Map<String, Long> values = new ConcurrentHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < arguments.length; i++) {
                statement.setString(i + 1, arguments[i]);
            }
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    values.put(result.getString(1), result.getLong(2));
                }
            }
        }
        return new LinkedHashMap<>(values);
    }
}
