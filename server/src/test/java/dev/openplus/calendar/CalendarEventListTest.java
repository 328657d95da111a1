package dev.openplus.calendar;

import static org.assertj.core.api.Assertions.assertThat;

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
 * The calendar event collection on a known set of six events: the required filters, every filter, every sort in
 * both directions under both paging strategies, include=owner, and cursor paging that stays stable while events
 * are inserted before the cursor (the reference's own example).
 */
class CalendarEventListTest {
    static Api api;
    static Fixtures fixtures;
    static Fixtures.Tenant tenant;
    static String groupA;
    static String groupB;
    static String coachA;
    static String coachB;
    static String patientA;
    static String patientB;
    /** e0 … e5 in creation order. */
    static List<String> e = new ArrayList<>();
    static List<JsonNode> stored = new ArrayList<>();
    static String both;

    @BeforeAll
    static void setUp() throws InterruptedException {
        TestServer server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Calendar List Org");
        groupA = fixtures.apiGroup(tenant, "List A");
        groupB = fixtures.apiGroup(tenant, "List B");
        coachA = fixtures.coach(tenant.organizationId(), "List", "A", groupA);
        coachB = fixtures.coach(tenant.organizationId(), "List", "B", groupB);
        patientA = CalendarEventTest.patient(tenant, groupA);
        patientB = CalendarEventTest.patient(tenant, groupB);
        both = "filter[patient]=" + patientA + "," + patientB;
        add(timed("telephone-call", "2024-01-10T15:00:00Z", "2024-01-10T15:30:00Z", coachA, patientA), patientA);
        add(checkIn("2024-01-05T00:00:00Z", patientA), patientA);
        add(timed("video-call", "2024-01-20T10:00:00Z", "2024-01-20T11:00:00Z", coachB), patientB);
        Map<String, Object> reminder = checkIn("2024-01-15T00:00:00Z", patientB, coachA);
        reminder.put("type", "reminder");
        reminder.put("end_at", "2024-01-16T00:00:00Z");
        add(reminder, patientB);
        add(checkIn("2024-01-25T00:00:00Z", coachA), patientA);
        add(timed("office-visit", "2024-01-01T09:00:00Z", "2024-01-01T10:00:00Z", coachB, patientB), patientB);
        Thread.sleep(20);
        complete(1, "2024-01-06T12:00:00Z", coachA);
        Thread.sleep(5);
        complete(4, "2024-01-26T08:00:00Z", coachB);
    }

    static Map<String, Object> timed(String type, String start, String end, String... users) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("type", type);
        attributes.put("time_zone", "UTC");
        attributes.put("all_day", false);
        attributes.put("start_at", start);
        attributes.put("end_at", end);
        attributes.put("title", type);
        attributes.put("attendees", attendees(users));
        return attributes;
    }

    static Map<String, Object> checkIn(String start, String... users) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("type", "plan-check-in");
        attributes.put("time_zone", "UTC");
        attributes.put("all_day", true);
        attributes.put("start_at", start);
        attributes.put("title", "Check-in");
        attributes.put("attendees", attendees(users));
        return attributes;
    }

    static List<Object> attendees(String... users) {
        List<Object> attendees = new ArrayList<>();
        for (String user : users) {
            attendees.add(Map.of("user", user));
        }
        return attendees;
    }

    static void add(Map<String, Object> attributes, String owner) throws InterruptedException {
        Api.Response response = CalendarEventTest.create(tenant.token(), CalendarEventTest.event(attributes, owner));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        e.add(response.at("/data/id").asText());
        stored.add(response.at("/data"));
        // Distinct created_at values, so that the created_at order is the creation order.
        Thread.sleep(3);
    }

    static void complete(int index, String at, String coach) {
        Api.Response response = CalendarEventTest.patch(tenant.token(), e.get(index),
                Map.of("completed_at", at, "completed_by", coach));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        stored.set(index, response.at("/data"));
    }

    static List<String> events(int... indexes) {
        List<String> ids = new ArrayList<>();
        for (int index : indexes) {
            ids.add(e.get(index));
        }
        return ids;
    }

    /** The events in id order: the default order, and the final tie-breaker (ids made in one second are unordered). */
    static List<String> byId(int... indexes) {
        List<String> ids = events(indexes);
        ids.sort(null);
        return ids;
    }

    static List<String> reversed(List<String> ids) {
        List<String> copy = new ArrayList<>(ids);
        java.util.Collections.reverse(copy);
        return copy;
    }

    @SafeVarargs
    static List<String> then(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> part : parts) {
            all.addAll(part);
        }
        return all;
    }

    static List<String> list(String query) {
        Api.Response response = api.get("/pub/calendar_event?" + query + "&page[size]=50", tenant.token());
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.at("/meta/count").asLong()).isEqualTo(response.ids().size());
        return response.ids();
    }

    @Test
    void oneOfTheOwnerFiltersIsRequired() {
        Api.Response response = api.get("/pub/calendar_event?filter[type]=reminder", tenant.token());
        assertThat(response.status()).isEqualTo(409);
        assertThat(response.at("/errors/0/code").asText()).isEqualTo("InvalidParameter");
        assertThat(response.at("/errors/0/source/parameter").asText()).isEqualTo("filter[patient]");
        assertThat(response.at("/errors/0/detail").asText())
                .contains("filter[patient]", "filter[groups]", "filter[organization]", "filter[attendees]");
    }

    @Test
    void everyFilter() {
        assertThat(list("filter[organization]=" + tenant.organizationId())).containsExactlyElementsOf(byId(0, 1, 2, 3, 4, 5));
        assertThat(list("filter[patient]=" + patientA)).containsExactlyElementsOf(byId(0, 1, 4));
        assertThat(list(both)).containsExactlyElementsOf(byId(0, 1, 2, 3, 4, 5));
        assertThat(list("filter[groups]=" + groupB)).containsExactlyElementsOf(byId(2, 3, 5));
        assertThat(list("filter[group]=" + groupA)).containsExactlyElementsOf(byId(0, 1, 4));
        assertThat(list("filter[attendees]=" + coachA)).containsExactlyElementsOf(byId(0, 3, 4));
        assertThat(list("filter[attendees]=" + coachB + "," + patientA)).containsExactlyElementsOf(byId(0, 1, 2, 5));
        assertThat(list(both + "&filter[type]=plan-check-in")).containsExactlyElementsOf(byId(1, 4));
        assertThat(list(both + "&filter[completed]=true")).containsExactlyElementsOf(byId(1, 4));
        assertThat(list(both + "&filter[completed]=false")).containsExactlyElementsOf(byId(0, 2, 3, 5));
        assertThat(list(both + "&filter[start_at]=2024-01-10T00:00:00Z..2024-01-20T10:00:00Z"))
                .as("start inclusive, end exclusive").containsExactlyElementsOf(byId(0, 3));
        assertThat(list(both + "&filter[end_at]=2024-01-16T00:00:00Z..")).containsExactlyElementsOf(byId(2, 3));
        assertThat(list(both + "&filter[completed_at]=..2024-01-10T00:00:00Z")).containsExactlyElementsOf(byId(1));
        String createdStart = stored.get(2).at("/attributes/created_at").asText();
        String createdEnd = stored.get(4).at("/attributes/created_at").asText();
        assertThat(list(both + "&filter[created_at]=" + createdStart + ".." + createdEnd)).containsExactlyElementsOf(byId(2, 3));
        String changed = stored.get(1).at("/attributes/updated_at").asText();
        assertThat(list(both + "&filter[updated_at]=" + changed + "..")).containsExactlyElementsOf(byId(1, 4));
        assertThat(list("filter[attendees]=" + coachA + "&filter[groups]=" + groupB + "&filter[completed]=false"))
                .as("filters combine").containsExactlyElementsOf(byId(3));
    }

    @Test
    void badFilterValuesAreNamed() {
        for (String[] bad : new String[][] {{"filter[type]=party", "filter[type]"},
                {"filter[completed]=yes", "filter[completed]"}, {"filter[start_at]=2024-01-01", "filter[start_at]"},
                {"filter[attendees]=someone", "filter[attendees]"}, {"filter[completed_at]=2024-02-01T00:00:00Z..2024-01-01T00:00:00Z",
                        "filter[completed_at]"}}) {
            Api.Response response = api.get("/pub/calendar_event?" + both + "&" + bad[0], tenant.token());
            assertThat(response.status()).as(bad[0]).isEqualTo(409);
            assertThat(response.at("/errors/0/code").asText()).isEqualTo("InvalidParameter");
            assertThat(response.at("/errors/0/source/parameter").asText()).isEqualTo(bad[1]);
        }
    }

    @Test
    void everySortInBothDirectionsUnderBothPagingStrategies() {
        Map<String, List<String>> expected = new LinkedHashMap<>();
        expected.put("start_at", events(5, 1, 0, 3, 2, 4));
        expected.put("-start_at", events(4, 2, 3, 0, 1, 5));
        // Events without an end come last ascending and first descending.
        expected.put("end_at", then(events(5, 0, 3, 2), byId(1, 4)));
        expected.put("-end_at", then(reversed(byId(1, 4)), events(2, 3, 0, 5)));
        expected.put("completed_at", then(events(1, 4), byId(0, 2, 3, 5)));
        expected.put("-completed_at", then(reversed(byId(0, 2, 3, 5)), events(4, 1)));
        expected.put("created_at", events(0, 1, 2, 3, 4, 5));
        expected.put("-created_at", events(5, 4, 3, 2, 1, 0));
        expected.put("updated_at", events(0, 2, 3, 5, 1, 4));
        expected.put("-updated_at", events(4, 1, 5, 3, 2, 0));
        expected.put("completed_at,-start_at", events(1, 4, 2, 3, 0, 5));
        for (Map.Entry<String, List<String>> sort : expected.entrySet()) {
            String base = "/pub/calendar_event?" + both + "&sort=" + sort.getKey();
            assertThat(list(both + "&sort=" + sort.getKey())).as(sort.getKey()).containsExactlyElementsOf(sort.getValue());
            assertThat(api.pageThrough(base + "&page[limit]=2", tenant.token())).as("cursor " + sort.getKey())
                    .containsExactlyElementsOf(sort.getValue());
            assertThat(api.pageThrough(base + "&page[size]=4", tenant.token())).as("skip " + sort.getKey())
                    .containsExactlyElementsOf(sort.getValue());
        }
    }

    @Test
    void ownersAreIncludedOnceEach() {
        Api.Response response = api.get("/pub/calendar_event?" + both + "&include=owner&page[limit]=500", tenant.token());
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        List<String> included = new ArrayList<>();
        response.json().get("included").forEach(resource -> {
            assertThat(resource.get("type").asText()).isEqualTo("patient");
            included.add(resource.get("id").asText());
        });
        assertThat(included).containsExactlyInAnyOrder(patientA, patientB);
        Api.Response one = api.get("/pub/calendar_event/" + e.get(2) + "?include=owner", tenant.token());
        assertThat(one.at("/included/0/id").asText()).isEqualTo(patientB);
        assertThat(one.at("/included").size()).isEqualTo(1);
        Api.Response countOnly = api.get("/pub/calendar_event?" + both + "&page[size]=0", tenant.token());
        assertThat(countOnly.at("/data").size()).isZero();
        assertThat(countOnly.at("/meta/count").asLong()).isEqualTo(6);
        Api.Response sparse = api.get("/pub/calendar_event/" + e.get(2) + "?fields[calendar_event]=title,owner", tenant.token());
        assertThat(sparse.at("/data/attributes").size()).isEqualTo(1);
        assertThat(sparse.at("/data/relationships/owner/data/id").asText()).isEqualTo(patientB);
    }

    @Test
    void cursorPagingByStartIsStableWhileEarlierEventsAreInserted() throws InterruptedException {
        Fixtures.Tenant stable = fixtures.tenant("Calendar Stable Org");
        String group = fixtures.apiGroup(stable, "Stable");
        String patient = CalendarEventTest.patient(stable, group);
        List<String> ids = new ArrayList<>();
        for (int day = 10; day < 15; day++) {
            Map<String, Object> attributes = checkIn("2024-02-" + day + "T00:00:00Z", patient);
            ids.add(CalendarEventTest.create(stable.token(), CalendarEventTest.event(attributes, patient)).at("/data/id").asText());
        }
        String base = "/pub/calendar_event?filter[patient]=" + patient + "&sort=start_at";
        Api.Response first = api.get(base + "&page[limit]=2", stable.token());
        assertThat(first.ids()).containsExactlyElementsOf(ids.subList(0, 2));
        Api.Response firstSkip = api.get(base + "&page[number]=1&page[size]=2", stable.token());
        // An event that starts before every other one arrives between two page requests.
        String earlier = CalendarEventTest.create(stable.token(), CalendarEventTest.event(
                checkIn("2024-02-01T00:00:00Z", patient), patient)).at("/data/id").asText();
        List<String> seen = new ArrayList<>(first.ids());
        seen.addAll(api.pageThrough(first.at("/links/next").asText(), stable.token()));
        assertThat(seen).as("no duplicate, nothing missed").containsExactlyElementsOf(ids).doesNotContain(earlier);
        // Skip paging shifts under the same insert: its second page repeats the first page's last event.
        Api.Response secondSkip = api.get(firstSkip.at("/links/next").asText(), stable.token());
        assertThat(secondSkip.ids().get(0)).isEqualTo(firstSkip.ids().get(1));
    }
}
