package dev.openplus.change;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
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
 * GET /pub/change through HTTP: the exact wire shape of a change, include=resource, the filters and their errors,
 * isolation between organizations, an open transaction holding the feed back, a rolled-back one never appearing, and
 * retention. What the feed reports for an event's create, update and delete and for a group-scoped client's
 * patients leaving and joining is tested with the Java client (client/ ChangeFeedScopeTest).
 */
class ChangeFeedTest {
    static TestServer server;
    static Api api;
    static Fixtures fixtures;
    static Fixtures.Tenant tenant;
    static Fixtures.Tenant other;
    static String groupA;
    static String groupB;
    static String groupToken;

    @BeforeAll
    static void setUp() {
        server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Change Feed Org");
        other = fixtures.tenant("Change Feed Other Org");
        groupA = fixtures.apiGroup(tenant, "Feed A");
        groupB = fixtures.apiGroup(tenant, "Feed B");
        groupToken = fixtures.token(fixtures.client(tenant.organizationId(), groupA));
    }

    static String patient(Fixtures.Tenant owner, String group) {
        return patientIn(api, owner, group);
    }

    static String patientIn(Api api, Fixtures.Tenant owner, String group) {
        Api.Response response = api.post("/pub/patient", owner.token(), Api.json(Map.of("data", Map.of("type", "patient",
                "attributes", Map.of("first_name", "Feed"),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group))))))));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.at("/data/id").asText();
    }

    static String eventOf(Api api, Fixtures.Tenant tenant, String patient) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("type", "reminder");
        attributes.put("time_zone", "UTC");
        attributes.put("all_day", true);
        attributes.put("start_at", "2024-05-06T00:00:00Z");
        attributes.put("end_at", "2024-05-07T00:00:00Z");
        attributes.put("title", "Walk");
        attributes.put("attendees", List.of(Map.of("user", patient)));
        Api.Response response = api.post("/pub/calendar_event", tenant.token(), Api.json(Map.of("data", Map.of(
                "type", "calendar_event", "attributes", attributes,
                "relationships", Map.of("owner", Map.of("data", Map.of("type", "patient", "id", patient)))))));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.at("/data/id").asText();
    }

    /** Every change after the cursor link (or the beginning), following links.next until a page is empty. */
    static Feed follow(String firstLink, String token) {
        Feed feed = new Feed();
        String link = firstLink;
        while (true) {
            Api.Response page = api.get(link, token);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            assertThat(page.json().has("meta") && !page.json().path("meta").has("count")).isTrue();
            for (JsonNode change : page.json().path("data")) {
                feed.changes.add(change);
            }
            page.json().path("included").forEach(feed.included::add);
            String next = page.at("/links/next").asText();
            assertThat(next).startsWith("/pub/change?");
            feed.next = next;
            if (page.json().path("data").isEmpty()) {
                return feed;
            }
            link = next;
        }
    }

    static final class Feed {
        final List<JsonNode> changes = new ArrayList<>();
        final List<JsonNode> included = new ArrayList<>();
        String next;

        List<String> summary() {
            return changes.stream().map(c -> c.at("/attributes/resource_type").asText() + " "
                    + c.at("/attributes/resource_id").asText() + " " + c.at("/attributes/action").asText() + " "
                    + c.at("/attributes/version").asLong()).toList();
        }
    }

    static String orgFeed() {
        return "/pub/change?filter[organization]=" + tenant.organizationId() + "&page[limit]=3";
    }

    @Test
    void aChangeOnTheWire() {
        Fixtures.Tenant own = fixtures.tenant("Change Wire Org");
        String group = fixtures.apiGroup(own, "Wire");
        Feed before = follow("/pub/change?filter[organization]=" + own.organizationId(), own.token());
        String patient = patient(own, group);
        Api.Response page = api.get(before.next + "&include=resource", own.token());
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        JsonNode first = page.at("/data/0");
        assertThat(first.at("/type").asText()).isEqualTo("change");
        assertThat(first.at("/id").asText()).matches("[1-9][0-9]*");
        assertThat(first.at("/attributes/resource_type").asText()).isEqualTo("patient");
        assertThat(first.at("/attributes/resource_id").asText()).isEqualTo(patient);
        assertThat(first.at("/attributes/action").asText()).isEqualTo("created");
        assertThat(first.at("/attributes/version").asLong()).isEqualTo(1);
        assertThat(first.at("/attributes/changed_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        List<String> attributeNames = new ArrayList<>();
        first.at("/attributes").fieldNames().forEachRemaining(attributeNames::add);
        assertThat(attributeNames).containsExactly("resource_type", "resource_id", "action", "changed_at", "version");
        assertThat(first.at("/relationships/resource/data/type").asText()).isEqualTo("patient");
        assertThat(first.at("/relationships/resource/data/id").asText()).isEqualTo(patient);
        assertThat(first.at("/links/self").asText()).isEqualTo("/pub/change/" + first.at("/id").asText());
        assertThat(page.json().path("meta").has("count")).isFalse();
        assertThat(page.at("/meta/req_id").asText()).isNotEmpty();
        // The patient's plan summary and health profile are created with it, in the same transaction.
        List<String> types = new ArrayList<>();
        page.json().path("data").forEach(c -> types.add(c.at("/attributes/resource_type").asText()));
        assertThat(types).containsExactlyInAnyOrder("patient", "patient_plan_summary", "health_profile");
        JsonNode includedPatient = null;
        for (JsonNode resource : page.json().path("included")) {
            if (resource.at("/type").asText().equals("patient")) {
                includedPatient = resource;
            }
        }
        assertThat(includedPatient).isNotNull();
        assertThat(includedPatient.at("/id").asText()).isEqualTo(patient);
        assertThat(includedPatient.at("/attributes/first_name").asText()).isEqualTo("Feed");
        assertThat(page.json().path("included")).hasSize(3);
        // links.next on the empty page that follows: present, and the same page again once nothing changed.
        Api.Response empty = api.get(page.at("/links/next").asText(), own.token());
        assertThat(empty.json().path("data")).isEmpty();
        assertThat(empty.at("/links/next").asText()).startsWith("/pub/change?");
        // GET /pub/change/{id} answers the same resource.
        Api.Response one = api.get("/pub/change/" + first.at("/id").asText(), own.token());
        assertThat(one.status()).as(one.body()).isEqualTo(200);
        assertThat(one.at("/data")).isEqualTo(first);
        assertThat(api.get("/pub/change/" + first.at("/id").asText(), tenant.token()).status()).isEqualTo(404);
    }

    @Test
    void filtersAndTheirErrors() {
        String base = "/pub/change?filter[organization]=" + tenant.organizationId();
        Api.Response unknownType = api.get(base + "&filter[resource_type]=patient,nurse", tenant.token());
        assertThat(unknownType.status()).isEqualTo(409);
        assertThat(unknownType.at("/errors/0/code").asText()).isEqualTo("InvalidParameter");
        assertThat(unknownType.at("/errors/0/source/parameter").asText()).isEqualTo("filter[resource_type]");
        Api.Response tooMany = api.get(base + "&page[limit]=501", tenant.token());
        assertThat(tooMany.status()).isEqualTo(409);
        assertThat(tooMany.at("/errors/0/source/parameter").asText()).isEqualTo("page[limit]");
        Api.Response none = api.get("/pub/change", tenant.token());
        assertThat(none.status()).isEqualTo(409);
        assertThat(none.at("/errors/0/source/parameter").asText()).isEqualTo("filter[organization]");
        Api.Response skip = api.get(base + "&page[size]=10", tenant.token());
        assertThat(skip.status()).isEqualTo(409);
        assertThat(skip.at("/errors/0/source/parameter").asText()).isEqualTo("page[size]");
        Api.Response badCursor = api.get(base + "&page[after]=nonsense", tenant.token());
        assertThat(badCursor.status()).isEqualTo(409);
        assertThat(badCursor.at("/errors/0/source/parameter").asText()).isEqualTo("page[after]");
        Api.Response badInclude = api.get(base + "&include=patient", tenant.token());
        assertThat(badInclude.status()).isEqualTo(409);
        assertThat(badInclude.at("/errors/0/source/parameter").asText()).isEqualTo("include");

        // Scope: another organization, a group outside a group-scoped client's, another organization's patient.
        Api.Response foreignOrg = api.get("/pub/change?filter[organization]=" + other.organizationId(), tenant.token());
        assertThat(foreignOrg.status()).isEqualTo(403);
        assertThat(foreignOrg.at("/errors/0/source/parameter").asText()).isEqualTo("filter[organization]");
        Api.Response foreignGroup = api.get("/pub/change?filter[groups]=" + groupB, groupToken);
        assertThat(foreignGroup.status()).isEqualTo(403);
        assertThat(foreignGroup.at("/errors/0/source/parameter").asText()).isEqualTo("filter[groups]");
        String otherPatient = patient(other, fixtures.apiGroup(other, "Other Feed"));
        Api.Response foreignPatient = api.get(base + "&filter[patient]=" + otherPatient, tenant.token());
        assertThat(foreignPatient.status()).isEqualTo(403);
        assertThat(foreignPatient.at("/errors/0/source/parameter").asText()).isEqualTo("filter[patient]");

        // filter[patient] and filter[resource_type] narrow the feed.
        String patient = patient(tenant, groupA);
        Feed ofPatient = follow(base + "&filter[patient]=" + patient, tenant.token());
        assertThat(ofPatient.summary()).hasSize(3).allMatch(line -> line.endsWith("created 1"));
        Feed onlyPatients = follow(base + "&filter[patient]=" + patient + "&filter[resource_type]=patient", tenant.token());
        assertThat(onlyPatients.summary()).containsExactly("patient " + patient + " created 1");
    }

    @Test
    void anotherOrganizationsChangesNeverAppear() {
        Feed start = follow(orgFeed(), tenant.token());
        String foreign = patient(other, fixtures.apiGroup(other, "Isolated"));
        String own = patient(tenant, groupB);
        Feed feed = follow(start.next, tenant.token());
        assertThat(feed.summary()).contains("patient " + own + " created 1");
        assertThat(feed.changes).noneMatch(c -> c.at("/attributes/resource_id").asText().equals(foreign));
        Feed groupFeed = follow("/pub/change?filter[organization]=" + tenant.organizationId(), groupToken);
        assertThat(groupFeed.changes).noneMatch(c -> c.at("/attributes/resource_id").asText().equals(foreign)
                || c.at("/attributes/resource_id").asText().equals(own));
    }

    @Test
    void anOpenTransactionHoldsTheFeedBackAndARolledBackOneNeverAppears() throws Exception {
        Fixtures.Tenant own = fixtures.tenant("Change Held Org");
        String feedLink = "/pub/change?filter[organization]=" + own.organizationId() + "&filter[resource_type]=group";
        Feed start = follow(feedLink, own.token());
        try (Connection held = server.database.dedicatedConnection();
                Connection rolledBack = server.database.dedicatedConnection()) {
            held.setAutoCommit(false);
            rolledBack.setAutoCommit(false);
            String heldGroup = insertGroup(held, own.organizationId(), "Held");
            String never = insertGroup(rolledBack, own.organizationId(), "Never");
            String later = fixtures.apiGroup(own, "Later");
            // The later commit is held back behind the open transaction: it may be delayed, never skipped.
            Feed whileOpen = follow(start.next, own.token());
            assertThat(whileOpen.changes).isEmpty();
            rolledBack.rollback();
            held.commit();
            Feed after = follow(whileOpen.next, own.token());
            assertThat(after.summary()).containsExactly("group " + heldGroup + " created 1", "group " + later + " created 1");
            assertThat(after.changes).noneMatch(c -> c.at("/attributes/resource_id").asText().equals(never));
        }
    }

    static String insertGroup(Connection connection, String organizationId, String name) throws Exception {
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into patient_group (id, organization_id, name) values (openplus_new_id(), ?, ?) returning id")) {
            insert.setString(1, organizationId);
            insert.setString(2, name);
            try (var result = insert.executeQuery()) {
                result.next();
                return result.getString(1);
            }
        }
    }

    @Test
    void aCursorOlderThanTheRetentionAnswers410() throws Exception {
        Fixtures.Tenant own = fixtures.tenant("Change Retention Org");
        String feedLink = "/pub/change?filter[organization]=" + own.organizationId() + "&page[limit]=1";
        fixtures.apiGroup(own, "Old 1");
        Api.Response first = api.get(feedLink, own.token());
        String cursor = first.at("/links/next").asText();
        fixtures.apiGroup(own, "Old 2");
        assertThat(api.get(cursor, own.token()).status()).isEqualTo(200);
        try (Connection connection = server.database.dedicatedConnection();
                PreparedStatement prune = connection.prepareStatement("select change_prune(?, now() + interval '1 day', 1000)")) {
            prune.setString(1, own.organizationId());
            prune.execute();
        }
        Api.Response expired = api.get(cursor, own.token());
        assertThat(expired.status()).isEqualTo(410);
        assertThat(expired.at("/errors/0/code").asText()).isEqualTo("ChangeCursorExpired");
        assertThat(expired.at("/errors/0/source/parameter").asText()).isEqualTo("page[after]");
        assertThat(expired.at("/errors/0/detail").asText()).contains("resynchronise from the lists");
        // A fresh start reads what is kept.
        assertThat(api.get(feedLink, own.token()).status()).isEqualTo(200);
    }
}
