package dev.openplus.calendar;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Calendar events through HTTP: creates with server ids and statuses, every validation rule with its exact
 * status, code and pointer (time-zone and DST edges included), completion, PATCH of attendees, DELETE, attendee
 * responses, and a group-scoped client that sees and writes only its patients' events.
 */
class CalendarEventTest {
    static TestServer server;
    static Api api;
    static Fixtures fixtures;
    static Fixtures.Tenant tenant;
    static Fixtures.Tenant other;
    static String group1;
    static String group2;
    static String coach1;
    static String coach2;
    static String patient1;
    static String patient2;
    static String otherPatient;
    static String otherCoach;
    static String groupScopedToken;

    @BeforeAll
    static void setUp() {
        server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Calendar Org");
        other = fixtures.tenant("Calendar Other Org");
        group1 = fixtures.apiGroup(tenant, "Calendar One");
        group2 = fixtures.apiGroup(tenant, "Calendar Two");
        coach1 = fixtures.coach(tenant.organizationId(), "Cal", "One", group1);
        coach2 = fixtures.coach(tenant.organizationId(), "Cal", "Two", group2);
        patient1 = patient(tenant, group1);
        patient2 = patient(tenant, group2);
        String otherGroup = fixtures.apiGroup(other, "Calendar Other");
        otherPatient = patient(other, otherGroup);
        otherCoach = fixtures.coach(other.organizationId(), "Other", "Coach", otherGroup);
        groupScopedToken = fixtures.token(fixtures.client(tenant.organizationId(), group1));
    }

    static String patient(Fixtures.Tenant owner, String group) {
        Api.Response response = api.post("/pub/patient", owner.token(), Api.json(Map.of("data", Map.of("type", "patient",
                "attributes", Map.of("first_name", "Calendarpatient"),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group))))))));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.at("/data/id").asText();
    }

    /** A valid timed event's attributes (a 30-minute call in New York). */
    static Map<String, Object> call() {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("type", "telephone-call");
        attributes.put("time_zone", "America/New_York");
        attributes.put("all_day", false);
        attributes.put("start_at", "2024-05-06T14:00:00Z");
        attributes.put("end_at", "2024-05-06T14:30:00Z");
        attributes.put("title", "Coaching call");
        attributes.put("attendees", List.of(Map.of("user", coach1), Map.of("user", patient1)));
        return attributes;
    }

    static Map<String, Object> checkIn(String timeZone, String startAt) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("type", "plan-check-in");
        attributes.put("time_zone", timeZone);
        attributes.put("all_day", true);
        attributes.put("start_at", startAt);
        attributes.put("title", "Plan Check-In");
        attributes.put("attendees", List.of(Map.of("user", patient1)));
        return attributes;
    }

    static Map<String, Object> with(Map<String, Object> attributes, Object... pairs) {
        Map<String, Object> copy = new LinkedHashMap<>(attributes);
        for (int i = 0; i < pairs.length; i += 2) {
            copy.put((String) pairs[i], pairs[i + 1]);
        }
        return copy;
    }

    static Map<String, Object> event(Map<String, Object> attributes, String owner) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("type", "calendar_event");
        data.put("attributes", attributes);
        data.put("relationships", Map.of("owner", Map.of("data", Map.of("type", "patient", "id", owner))));
        return data;
    }

    static Api.Response create(String token, Map<String, Object> data) {
        return api.post("/pub/calendar_event", token, Api.json(Map.of("data", data)));
    }

    static String created(Map<String, Object> attributes, String owner) {
        Api.Response response = create(tenant.token(), event(attributes, owner));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.at("/data/id").asText();
    }

    static Api.Response patch(String token, String id, Map<String, Object> attributes) {
        return api.send("PATCH", "/pub/calendar_event/" + id, token, Api.JSON_API, Api.json(Map.of("data",
                Map.of("type", "calendar_event", "id", id, "attributes", attributes))), List.of());
    }

    static Api.Response respond(String token, String event, String attendee, String userType, String user, String status) {
        return api.post("/pub/calendar_event_response", token, Api.json(Map.of("data", Map.of(
                "type", "calendar_event_response",
                "attributes", Map.of("attendee", attendee, "response_status", status),
                "relationships", Map.of("user", Map.of("data", Map.of("type", userType, "id", user)),
                        "calendar_event", Map.of("data", Map.of("type", "calendar_event", "id", event)))))));
    }

    /** The (pointer → code) pairs of an error document, in order. */
    static Map<String, String> errors(Api.Response response) {
        Map<String, String> errors = new LinkedHashMap<>();
        for (JsonNode error : response.json().get("errors")) {
            errors.put(error.path("source").path("pointer").asText(), error.get("code").asText());
        }
        return errors;
    }

    static void refused(Api.Response response, int status, String... pointers) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        Map<String, String> errors = errors(response);
        assertThat(errors.keySet()).as(response.body()).containsExactly(pointers);
        assertThat(errors.values()).containsOnly(status == 403 ? "Forbidden" : "InvalidBodyParameter");
    }

    static long events() {
        return server.database.dsl().fetchCount(CalendarEventResource.TYPE.table());
    }

    // ---- create -----------------------------------------------------------------------------------------------

    @Test
    void aCreateAssignsAttendeeIdsAndStatusesIgnoresReadOnlyMembersAndAnswersAsAFetchWould() {
        Map<String, Object> attributes = with(call(), "location", "Phone", "description", "Weekly call",
                "attendees", List.of(Map.of("user", coach1, "response_status", "accepted"), Map.of("user", patient1)),
                "created_at", "2020-01-01T00:00:00Z");
        Api.Response created = api.post("/pub/calendar_event?include=owner", tenant.token(),
                Api.json(Map.of("data", event(attributes, patient1))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.at("/data/id").asText();
        assertThat(id).matches("[0-9a-f]{24}");
        JsonNode data = created.at("/data");
        assertThat(data.at("/type").asText()).isEqualTo("calendar_event");
        assertThat(data.at("/attributes/type").asText()).isEqualTo("telephone-call");
        assertThat(data.at("/attributes/start_at").asText()).isEqualTo("2024-05-06T14:00:00.000Z");
        assertThat(data.at("/attributes/end_at").asText()).isEqualTo("2024-05-06T14:30:00.000Z");
        assertThat(data.at("/attributes/location").asText()).isEqualTo("Phone");
        assertThat(data.at("/attributes/completed_at").isNull()).isTrue();
        assertThat(data.at("/attributes/completed_by").isNull()).isTrue();
        JsonNode attendees = data.at("/attributes/attendees");
        assertThat(attendees.size()).isEqualTo(2);
        assertThat(attendees.get(0).get("_id").asText()).matches("[0-9a-f]{24}").isNotEqualTo(attendees.get(1).get("_id").asText());
        assertThat(attendees.get(0).get("user").asText()).isEqualTo(coach1);
        assertThat(attendees.get(0).get("response_status").asText()).isEqualTo("needsAction");
        assertThat(attendees.get(1).get("response_status").asText()).isEqualTo("needsAction");
        assertThat(data.at("/attributes/created_at").asText()).isNotEqualTo("2020-01-01T00:00:00.000Z");
        assertThat(data.at("/attributes/created_by").asText()).isEqualTo(tenant.client().get("client_id"));
        assertThat(data.at("/relationships/owner/data/type").asText()).isEqualTo("patient");
        assertThat(data.at("/relationships/owner/data/id").asText()).isEqualTo(patient1);
        assertThat(data.at("/links/self").asText()).isEqualTo("/pub/calendar_event/" + id);
        assertThat(created.at("/included/0/type").asText()).isEqualTo("patient");
        assertThat(created.at("/included/0/id").asText()).isEqualTo(patient1);
        assertThat(created.json().at("/meta/ignored")).extracting(JsonNode::asText)
                .containsExactly("/data/attributes/created_at", "/data/attributes/attendees/0/response_status");

        Api.Response fetched = api.get("/pub/calendar_event/" + id, tenant.token());
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.at("/data")).isEqualTo(data);
    }

    @Test
    void timeZoneDefaultsToUtcAndAllDayToFalse() {
        Map<String, Object> attributes = call();
        attributes.remove("time_zone");
        attributes.remove("all_day");
        Api.Response created = create(tenant.token(), event(attributes, patient1));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.at("/data/attributes/time_zone").asText()).isEqualTo("UTC");
        assertThat(created.at("/data/attributes/all_day").asBoolean()).isFalse();
    }

    @Test
    void requiredMembersAreNamedOneByOne() {
        long before = events();
        Api.Response response = create(tenant.token(), Map.of("type", "calendar_event", "attributes", Map.of()));
        refused(response, 409, "/data/attributes/type", "/data/attributes/start_at", "/data/attributes/title",
                "/data/attributes/attendees", "/data/relationships/owner");
        assertThat(events()).isEqualTo(before);
    }

    @Test
    void shapesOfEveryAttributeAreCheckedAtTheirPointers() {
        refused(create(tenant.token(), event(with(call(), "title", "  "), patient1)), 409, "/data/attributes/title");
        refused(create(tenant.token(), event(with(call(), "title", null), patient1)), 409, "/data/attributes/title");
        refused(create(tenant.token(), event(with(call(), "type", "party"), patient1)), 409, "/data/attributes/type");
        refused(create(tenant.token(), event(with(call(), "time_zone", "Mars/Olympus_Mons"), patient1)), 409,
                "/data/attributes/time_zone");
        refused(create(tenant.token(), event(with(call(), "all_day", "yes"), patient1)), 409, "/data/attributes/all_day");
        refused(create(tenant.token(), event(with(call(), "start_at", "2024-05-06"), patient1)), 409,
                "/data/attributes/start_at");
        refused(create(tenant.token(), event(with(call(), "attendees", List.of(Map.of("user", "nobody"))), patient1)),
                409, "/data/attributes/attendees/0/user");
        refused(create(tenant.token(), event(with(call(), "attendees", List.of(Map.of("user", coach1),
                Map.of("user", coach1))), patient1)), 409, "/data/attributes/attendees/1/user");
        refused(create(tenant.token(), event(with(call(), "attendees", List.of(Map.of("user", coach1, "shoe", 42))),
                patient1)), 409, "/data/attributes/attendees/0/shoe");
        refused(create(tenant.token(), event(with(call(), "attendees", List.of(Map.of())), patient1)), 409,
                "/data/attributes/attendees/0/user");
        refused(create(tenant.token(), event(with(call(), "attendees", List.of(Map.of("user", coach1,
                "response_status", "maybe"))), patient1)), 409, "/data/attributes/attendees/0/response_status");
        refused(create(tenant.token(), event(with(call(), "attendees", List.of(Map.of("_id", "x", "user", coach1))),
                patient1)), 409, "/data/attributes/attendees/0/_id");
        refused(create(tenant.token(), event(with(checkIn("UTC", "2024-05-06T00:00:00Z"), "completed_at",
                "2024-05-06T10:00:00Z", "completed_by", "someone"), patient1)), 409, "/data/attributes/completed_by");
    }

    @Test
    void usersOwnersAndCompletingCoachesOutsideTheScopeAreForbiddenAtTheirPointers() {
        long before = events();
        refused(create(tenant.token(), event(call(), otherPatient)), 403, "/data/relationships/owner/data/id");
        refused(create(tenant.token(), event(with(call(), "attendees", List.of(Map.of("user", coach1),
                Map.of("user", otherCoach), Map.of("user", otherPatient))), patient1)), 403,
                "/data/attributes/attendees/1/user", "/data/attributes/attendees/2/user");
        refused(create(tenant.token(), event(with(call(), "attendees", List.of(Map.of("user", "000000000000000000000000"))),
                patient1)), 403, "/data/attributes/attendees/0/user");
        Map<String, Object> completed = with(checkIn("UTC", "2024-05-06T00:00:00Z"), "completed_at", "2024-05-06T10:00:00Z");
        refused(create(tenant.token(), event(with(completed, "completed_by", otherCoach), patient1)), 403,
                "/data/attributes/completed_by");
        // A patient is not a coach.
        refused(create(tenant.token(), event(with(completed, "completed_by", patient1), patient1)), 403,
                "/data/attributes/completed_by");
        assertThat(events()).isEqualTo(before);
    }

    // ---- calendar rules ---------------------------------------------------------------------------------------

    @Test
    void aPlanCheckInIsAllDayWithoutAnEnd() {
        Map<String, Object> checkIn = checkIn("America/New_York", "2024-05-06T04:00:00Z");
        assertThat(create(tenant.token(), event(checkIn, patient1)).status()).isEqualTo(201);
        refused(create(tenant.token(), event(with(checkIn, "all_day", false, "start_at", "2024-05-06T14:00:00Z",
                "end_at", "2024-05-06T15:00:00Z"), patient1)), 409, "/data/attributes/all_day", "/data/attributes/end_at");
        refused(create(tenant.token(), event(with(checkIn, "end_at", "2024-05-07T04:00:00Z"), patient1)), 409,
                "/data/attributes/end_at");
        Map<String, Object> allDayLeftOut = new LinkedHashMap<>(checkIn);
        allDayLeftOut.remove("all_day");
        refused(create(tenant.token(), event(allDayLeftOut, patient1)), 409, "/data/attributes/all_day");
    }

    @Test
    void allDayEventsStartAndEndAtTheBeginningOfADayInTheirTimeZone() {
        Map<String, Object> reminder = with(call(), "type", "reminder", "all_day", true,
                "start_at", "2024-05-06T04:00:00Z", "end_at", "2024-05-08T04:00:00Z");
        assertThat(create(tenant.token(), event(reminder, patient1)).status()).isEqualTo(201);
        Map<String, Object> noEnd = new LinkedHashMap<>(reminder);
        noEnd.remove("end_at");
        assertThat(create(tenant.token(), event(noEnd, patient1)).status()).isEqualTo(201);
        // Midnight UTC is 20:00 in New York.
        refused(create(tenant.token(), event(with(reminder, "start_at", "2024-05-06T00:00:00Z"), patient1)), 409,
                "/data/attributes/start_at");
        refused(create(tenant.token(), event(with(reminder, "end_at", "2024-05-08T05:00:00Z"), patient1)), 409,
                "/data/attributes/end_at");
        refused(create(tenant.token(), event(with(reminder, "end_at", "2024-05-06T04:00:00Z"), patient1)), 409,
                "/data/attributes/end_at");
        refused(create(tenant.token(), event(with(reminder, "end_at", "2024-05-05T04:00:00Z"), patient1)), 409,
                "/data/attributes/end_at");
    }

    @Test
    void timedEventsEndOnTheDayTheyStartAndNotBeforeTheStart() {
        assertThat(create(tenant.token(), event(with(call(), "end_at", "2024-05-06T14:00:00Z"), patient1)).status())
                .as("an end equal to the start").isEqualTo(201);
        // 23:00 to the next midnight in New York: ends at the end of its day.
        assertThat(create(tenant.token(), event(with(call(), "start_at", "2024-05-07T03:00:00Z",
                "end_at", "2024-05-07T04:00:00Z"), patient1)).status()).isEqualTo(201);
        Map<String, Object> noEnd = call();
        noEnd.remove("end_at");
        refused(create(tenant.token(), event(noEnd, patient1)), 409, "/data/attributes/end_at");
        refused(create(tenant.token(), event(with(call(), "end_at", null), patient1)), 409, "/data/attributes/end_at");
        refused(create(tenant.token(), event(with(call(), "end_at", "2024-05-06T13:59:59Z"), patient1)), 409,
                "/data/attributes/end_at");
        // 10:00 to 00:30 the next day in New York.
        refused(create(tenant.token(), event(with(call(), "end_at", "2024-05-07T04:30:00Z"), patient1)), 409,
                "/data/attributes/end_at");
    }

    @Test
    void daysOf23And25HoursAreWholeDays() {
        // 2024-03-10 in New York: 23 hours (05:00Z to 04:00Z the next day).
        Map<String, Object> spring = with(call(), "type", "office-visit", "all_day", true,
                "start_at", "2024-03-10T05:00:00Z", "end_at", "2024-03-11T04:00:00Z");
        assertThat(create(tenant.token(), event(spring, patient1)).status()).isEqualTo(201);
        refused(create(tenant.token(), event(with(spring, "end_at", "2024-03-11T05:00:00Z"), patient1)), 409,
                "/data/attributes/end_at");
        assertThat(create(tenant.token(), event(with(call(), "start_at", "2024-03-10T05:30:00Z",
                "end_at", "2024-03-11T03:30:00Z"), patient1)).status()).as("00:30 EST to 23:30 EDT").isEqualTo(201);
        refused(create(tenant.token(), event(with(call(), "start_at", "2024-03-10T05:30:00Z",
                "end_at", "2024-03-11T04:30:00Z"), patient1)), 409, "/data/attributes/end_at");
        // 2024-11-03 in New York: 25 hours (04:00Z to 05:00Z the next day).
        Map<String, Object> autumn = with(spring, "start_at", "2024-11-03T04:00:00Z", "end_at", "2024-11-04T05:00:00Z");
        assertThat(create(tenant.token(), event(autumn, patient1)).status()).isEqualTo(201);
        refused(create(tenant.token(), event(with(autumn, "end_at", "2024-11-04T04:00:00Z"), patient1)), 409,
                "/data/attributes/end_at");
        assertThat(create(tenant.token(), event(with(call(), "start_at", "2024-11-03T04:30:00Z",
                "end_at", "2024-11-04T04:30:00Z"), patient1)).status()).as("00:30 EDT to 23:30 EST, 24 hours").isEqualTo(201);
        assertThat(create(tenant.token(), event(checkIn("America/New_York", "2024-11-03T04:00:00Z"), patient1)).status())
                .isEqualTo(201);
        refused(create(tenant.token(), event(checkIn("America/New_York", "2024-11-04T04:00:00Z"), patient1)), 409,
                "/data/attributes/start_at");
    }

    @Test
    void localMidnightFarFromUtc() {
        // Pacific/Kiritimati is UTC+14: its 1 June starts at 10:00Z on 31 May.
        assertThat(create(tenant.token(), event(checkIn("Pacific/Kiritimati", "2024-05-31T10:00:00Z"), patient1)).status())
                .isEqualTo(201);
        assertThat(create(tenant.token(), event(checkIn("Pacific/Kiritimati", "2024-06-01T00:00:00+14:00"), patient1))
                .status()).isEqualTo(201);
        refused(create(tenant.token(), event(checkIn("Pacific/Kiritimati", "2024-06-01T00:00:00Z"), patient1)), 409,
                "/data/attributes/start_at");
        assertThat(create(tenant.token(), event(with(call(), "time_zone", "Pacific/Kiritimati",
                "start_at", "2024-05-31T10:30:00Z", "end_at", "2024-06-01T09:30:00Z"), patient1)).status())
                .as("one local day across two UTC dates").isEqualTo(201);
        // Pacific/Pago_Pago is UTC-11: its 1 June starts at 11:00Z.
        assertThat(create(tenant.token(), event(checkIn("Pacific/Pago_Pago", "2024-06-01T11:00:00Z"), patient1)).status())
                .isEqualTo(201);
        refused(create(tenant.token(), event(checkIn("Pacific/Pago_Pago", "2024-06-01T00:00:00Z"), patient1)), 409,
                "/data/attributes/start_at");
        refused(create(tenant.token(), event(with(call(), "time_zone", "Pacific/Pago_Pago",
                "start_at", "2024-06-01T12:00:00Z", "end_at", "2024-06-02T11:30:00Z"), patient1)), 409,
                "/data/attributes/end_at");
    }

    @Test
    void aChangedTimeZoneIsJudgedAgainstTheStoredTimes() {
        String id = created(checkIn("America/New_York", "2024-05-06T04:00:00Z"), patient1);
        refused(patch(tenant.token(), id, Map.of("time_zone", "Europe/Paris")), 409, "/data/attributes/start_at");
        Api.Response moved = patch(tenant.token(), id, Map.of("time_zone", "Europe/Paris", "start_at", "2024-05-05T22:00:00Z"));
        assertThat(moved.status()).as(moved.body()).isEqualTo(200);
        assertThat(moved.at("/data/attributes/time_zone").asText()).isEqualTo("Europe/Paris");
    }

    // ---- completion and type ----------------------------------------------------------------------------------

    @Test
    void aPlanCheckInIsCompletedAndUncompletedWithBothMembers() {
        String id = created(checkIn("UTC", "2024-05-06T00:00:00Z"), patient1);
        Api.Response done = patch(tenant.token(), id, Map.of("completed_at", "2024-05-06T10:00:00Z", "completed_by", coach1));
        assertThat(done.status()).as(done.body()).isEqualTo(200);
        assertThat(done.at("/data/attributes/completed_at").asText()).isEqualTo("2024-05-06T10:00:00.000Z");
        assertThat(done.at("/data/attributes/completed_by").asText()).isEqualTo(coach1);
        // The member cleared alone is the one reported.
        Map<String, Object> atCleared = new LinkedHashMap<>();
        atCleared.put("completed_at", null);
        refused(patch(tenant.token(), id, atCleared), 409, "/data/attributes/completed_at");
        Map<String, Object> byCleared = new LinkedHashMap<>();
        byCleared.put("completed_by", null);
        refused(patch(tenant.token(), id, byCleared), 409, "/data/attributes/completed_by");
        Map<String, Object> cleared = new LinkedHashMap<>();
        cleared.put("completed_at", null);
        cleared.put("completed_by", null);
        Api.Response undone = patch(tenant.token(), id, cleared);
        assertThat(undone.status()).as(undone.body()).isEqualTo(200);
        assertThat(undone.at("/data/attributes/completed_at").isNull()).isTrue();
        assertThat(undone.at("/data/attributes/completed_by").isNull()).isTrue();
        refused(create(tenant.token(), event(with(checkIn("UTC", "2024-05-06T00:00:00Z"), "completed_at",
                "2024-05-06T10:00:00Z"), patient1)), 409, "/data/attributes/completed_by");
    }

    @Test
    void onlyAPlanCheckInCanBeCompleted() {
        refused(create(tenant.token(), event(with(call(), "completed_at", "2024-05-06T15:00:00Z", "completed_by", coach1),
                patient1)), 409, "/data/attributes/completed_at", "/data/attributes/completed_by");
        String id = created(call(), patient1);
        refused(patch(tenant.token(), id, Map.of("completed_at", "2024-05-06T15:00:00Z", "completed_by", coach1)), 409,
                "/data/attributes/completed_at", "/data/attributes/completed_by");
    }

    @Test
    void theTypeIsImmutable() {
        String id = created(call(), patient1);
        refused(patch(tenant.token(), id, Map.of("type", "video-call")), 409, "/data/attributes/type");
        Api.Response same = patch(tenant.token(), id, Map.of("type", "telephone-call", "title", "Renamed"));
        assertThat(same.status()).as(same.body()).isEqualTo(200);
        assertThat(same.at("/data/attributes/title").asText()).isEqualTo("Renamed");
        assertThat(same.at("/data/attributes/type").asText()).isEqualTo("telephone-call");
    }

    // ---- attendees, responses ---------------------------------------------------------------------------------

    @Test
    void attendeesAddedOrRemovedKeepTheirIdsAndResponses() {
        Api.Response created = create(tenant.token(), event(call(), patient1));
        String id = created.at("/data/id").asText();
        String coachAttendee = created.at("/data/attributes/attendees/0/_id").asText();
        String patientAttendee = created.at("/data/attributes/attendees/1/_id").asText();
        Api.Response accepted = respond(tenant.token(), id, patientAttendee, "user", patient1, "accepted");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(201);

        // coach1 leaves, coach2 joins; the patient repeats its _id and tries to set its own status.
        Api.Response changed = patch(tenant.token(), id, Map.of("attendees", List.of(
                Map.of("user", coach2, "response_status", "accepted"),
                Map.of("_id", patientAttendee, "user", patient1, "response_status", "declined"))));
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        JsonNode attendees = changed.at("/data/attributes/attendees");
        assertThat(attendees.size()).isEqualTo(2);
        assertThat(attendees.get(0).get("user").asText()).isEqualTo(coach2);
        assertThat(attendees.get(0).get("_id").asText()).matches("[0-9a-f]{24}").isNotIn(coachAttendee, patientAttendee);
        assertThat(attendees.get(0).get("response_status").asText()).isEqualTo("needsAction");
        assertThat(attendees.get(1).get("_id").asText()).isEqualTo(patientAttendee);
        assertThat(attendees.get(1).get("response_status").asText()).isEqualTo("accepted");
        assertThat(changed.json().at("/meta/ignored")).extracting(JsonNode::asText).containsExactly(
                "/data/attributes/attendees/0/response_status", "/data/attributes/attendees/1/response_status");

        // A stored _id given to another user is a new attendee: its status starts again.
        Api.Response reassigned = patch(tenant.token(), id, Map.of("attendees", List.of(
                Map.of("_id", patientAttendee, "user", coach1))));
        assertThat(reassigned.status()).as(reassigned.body()).isEqualTo(200);
        assertThat(reassigned.at("/data/attributes/attendees/0/response_status").asText()).isEqualTo("needsAction");

        // Other members leave attendees alone.
        Api.Response renamed = patch(tenant.token(), id, Map.of("title", "Still a call"));
        assertThat(renamed.at("/data/attributes/attendees")).isEqualTo(reassigned.at("/data/attributes/attendees"));
        refused(patch(tenant.token(), id, Map.of("attendees", List.of(Map.of("user", otherCoach)))), 403,
                "/data/attributes/attendees/0/user");
        Map<String, Object> none = new LinkedHashMap<>();
        none.put("attendees", null);
        refused(patch(tenant.token(), id, none), 409, "/data/attributes/attendees");
    }

    @Test
    void aResponseSetsTheAttendeesStatusAndIsAnsweredAsItsOwnResource() {
        Api.Response created = create(tenant.token(), event(call(), patient1));
        String id = created.at("/data/id").asText();
        String coachAttendee = created.at("/data/attributes/attendees/0/_id").asText();
        String updatedBefore = created.at("/data/attributes/updated_at").asText();

        Api.Response response = respond(tenant.token(), id, coachAttendee, "user", coach1, "tentative");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        assertThat(response.at("/data/type").asText()).isEqualTo("calendar_event_response");
        assertThat(response.at("/data/id").asText()).matches("[0-9a-f]{24}");
        assertThat(response.at("/data/attributes/attendee").asText()).isEqualTo(coachAttendee);
        assertThat(response.at("/data/attributes/response_status").asText()).isEqualTo("tentative");
        assertThat(response.at("/data/relationships/user/data/type").asText()).isEqualTo("coach");
        assertThat(response.at("/data/relationships/user/data/id").asText()).isEqualTo(coach1);
        assertThat(response.at("/data/relationships/calendar_event/data/id").asText()).isEqualTo(id);
        assertThat(response.at("/meta/req_id").asText()).isNotEmpty();

        Api.Response declined = respond(tenant.token(), id, coachAttendee, "coach", coach1, "declined");
        assertThat(declined.status()).as(declined.body()).isEqualTo(201);
        assertThat(declined.at("/data/id").asText()).isNotEqualTo(response.at("/data/id").asText());
        Api.Response event = api.get("/pub/calendar_event/" + id, tenant.token());
        assertThat(event.at("/data/attributes/attendees/0/response_status").asText()).isEqualTo("declined");
        assertThat(event.at("/data/attributes/attendees/1/response_status").asText()).isEqualTo("needsAction");
        assertThat(event.at("/data/attributes/updated_at").asText()).isGreaterThan(updatedBefore);
        assertThat(event.at("/data/attributes/updated_by").asText()).isEqualTo(tenant.client().get("client_id"));
    }

    @Test
    void aResponseNamesAnAttendeeOfTheEventAndThatAttendeesUser() {
        Api.Response created = create(tenant.token(), event(call(), patient1));
        String id = created.at("/data/id").asText();
        String coachAttendee = created.at("/data/attributes/attendees/0/_id").asText();
        String patientAttendee = created.at("/data/attributes/attendees/1/_id").asText();
        String otherEvent = create(other.token(), event(with(call(), "attendees", List.of(Map.of("user", otherCoach))),
                otherPatient)).at("/data/id").asText();

        refused(respond(tenant.token(), id, "000000000000000000000000", "user", coach1, "accepted"), 409,
                "/data/attributes/attendee");
        refused(respond(tenant.token(), id, coachAttendee, "user", patient1, "accepted"), 409,
                "/data/relationships/user/data/id");
        refused(respond(tenant.token(), id, patientAttendee, "coach", patient1, "accepted"), 409,
                "/data/relationships/user/data/type");
        refused(respond(tenant.token(), id, coachAttendee, "user", coach1, "needsAction"), 409,
                "/data/attributes/response_status");
        refused(respond(tenant.token(), id, "nope", "user", coach1, "accepted"), 409, "/data/attributes/attendee");
        refused(respond(tenant.token(), id, coachAttendee, "planet", coach1, "accepted"), 409,
                "/data/relationships/user/data/type");
        refused(respond(tenant.token(), otherEvent, coachAttendee, "user", coach1, "accepted"), 403,
                "/data/relationships/calendar_event/data/id");
        refused(respond(tenant.token(), "000000000000000000000000", coachAttendee, "user", coach1, "accepted"), 403,
                "/data/relationships/calendar_event/data/id");
        refused(api.post("/pub/calendar_event_response", tenant.token(), Api.json(Map.of("data", Map.of(
                "type", "calendar_event_response", "attributes", Map.of("colour", "red"))))), 409,
                "/data/attributes/colour", "/data/attributes/attendee", "/data/attributes/response_status",
                "/data/relationships");
        refused(api.post("/pub/calendar_event_response", tenant.token(), Api.json(Map.of("data", Map.of(
                "type", "calendar_event_response", "attributes", Map.of("attendee", coachAttendee, "response_status", "accepted"),
                "relationships", Map.of("calendar_event", Map.of("data", Map.of("type", "calendar_event", "id", id))))))),
                409, "/data/relationships/user");
        Api.Response event = api.get("/pub/calendar_event/" + id, tenant.token());
        assertThat(event.at("/data/attributes/attendees/0/response_status").asText()).isEqualTo("needsAction");
        assertThat(event.at("/data/attributes/updated_at")).isEqualTo(created.at("/data/attributes/updated_at"));
    }

    @Test
    void responsesCannotBeReadBack() {
        Api.Response response = api.get("/pub/calendar_event_response", tenant.token());
        assertThat(response.status()).isEqualTo(405);
        assertThat(response.at("/errors/0/code").asText()).isEqualTo("MethodNotAllowed");
        assertThat(api.send("PATCH", "/pub/calendar_event_response", tenant.token(), Api.JSON_API, "{}", List.of())
                .status()).isEqualTo(405);
    }

    // ---- delete -----------------------------------------------------------------------------------------------

    @Test
    void aDeletedEventIsGone() {
        Api.Response created = create(tenant.token(), event(call(), patient1));
        String id = created.at("/data/id").asText();
        assertThat(respond(tenant.token(), id, created.at("/data/attributes/attendees/0/_id").asText(), "user", coach1,
                "accepted").status()).isEqualTo(201);
        Api.Response deleted = api.send("DELETE", "/pub/calendar_event/" + id, tenant.token(), null, null, List.of());
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
        assertThat(deleted.json().has("data")).isFalse();
        assertThat(deleted.at("/meta/req_id").asText()).isNotEmpty();
        assertThat(api.get("/pub/calendar_event/" + id, tenant.token()).status()).isEqualTo(404);
        Api.Response again = api.send("DELETE", "/pub/calendar_event/" + id, tenant.token(), null, null, List.of());
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.at("/errors/0/code").asText()).isEqualTo("ResourceNotFound");
        assertThat(patch(tenant.token(), id, Map.of("title", "x")).status()).isEqualTo(404);
    }

    // ---- filters naming ids outside the scope ------------------------------------------------------------------

    @Test
    void patientsAndAttendeesOutsideTheScopeCannotBeFilteredOn() {
        for (String filter : List.of("filter[patient]=" + otherPatient, "filter[patient]=000000000000000000000000",
                "filter[attendees]=" + otherCoach, "filter[attendees]=" + coach1 + "," + otherPatient,
                "filter[organization]=" + other.organizationId())) {
            Api.Response response = api.get("/pub/calendar_event?" + filter, tenant.token());
            assertThat(response.status()).as(filter).isEqualTo(403);
            assertThat(response.at("/errors/0/code").asText()).isEqualTo("Forbidden");
            assertThat(response.at("/errors/0/source/parameter").asText()).isEqualTo(filter.substring(0, filter.indexOf('=')));
        }
        assertThat(api.get("/pub/calendar_event?filter[attendees]=" + coach1 + "," + patient1, tenant.token()).status())
                .isEqualTo(200);
    }

    // ---- group scope ------------------------------------------------------------------------------------------

    @Test
    void aGroupScopedClientSeesAndWritesOnlyItsPatientsEvents() {
        String mine = created(call(), patient1);
        String theirs = created(with(call(), "attendees", List.of(Map.of("user", coach2))), patient2);

        Api.Response list = api.get("/pub/calendar_event?filter[organization]=" + tenant.organizationId()
                + "&page[limit]=500", groupScopedToken);
        assertThat(list.status()).as(list.body()).isEqualTo(200);
        assertThat(list.ids()).contains(mine).doesNotContain(theirs);
        for (JsonNode event : list.json().get("data")) {
            assertThat(event.at("/relationships/owner/data/id").asText()).isEqualTo(patient1);
        }
        for (String filter : List.of("filter[patient]=" + patient2, "filter[patient]=" + patient1 + "," + patient2,
                "filter[attendees]=" + coach2, "filter[groups]=" + group2)) {
            Api.Response refused = api.get("/pub/calendar_event?" + filter, groupScopedToken);
            assertThat(refused.status()).as(filter).isEqualTo(403);
            assertThat(refused.at("/errors/0/code").asText()).isEqualTo("Forbidden");
            assertThat(refused.at("/errors/0/source/parameter").asText()).isEqualTo(filter.substring(0, filter.indexOf('=')));
        }
        assertThat(api.get("/pub/calendar_event?filter[attendees]=" + coach1 + "&page[limit]=500", groupScopedToken).ids())
                .contains(mine).doesNotContain(theirs);
        assertThat(api.get("/pub/calendar_event/" + mine, groupScopedToken).status()).isEqualTo(200);
        Api.Response hidden = api.get("/pub/calendar_event/" + theirs, groupScopedToken);
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(hidden.body()).doesNotContain(patient2);
        assertThat(patch(groupScopedToken, theirs, Map.of("title", "x")).status()).isEqualTo(404);
        assertThat(api.send("DELETE", "/pub/calendar_event/" + theirs, groupScopedToken, null, null, List.of()).status())
                .isEqualTo(404);
        refused(create(groupScopedToken, event(call(), patient2)), 403, "/data/relationships/owner/data/id");
        // coach2 belongs to the other group only and coaches none of the client's patients.
        refused(create(groupScopedToken, event(with(call(), "attendees", List.of(Map.of("user", coach2))), patient1)),
                403, "/data/attributes/attendees/0/user");
        refused(create(groupScopedToken, event(with(call(), "attendees", List.of(Map.of("user", patient2))), patient1)),
                403, "/data/attributes/attendees/0/user");
        Api.Response moved = api.send("PATCH", "/pub/calendar_event/" + mine, groupScopedToken, Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "calendar_event", "id", mine, "relationships",
                        Map.of("owner", Map.of("data", Map.of("type", "patient", "id", patient2)))))), List.of());
        refused(moved, 403, "/data/relationships/owner/data/id");
        String theirAttendee = api.get("/pub/calendar_event/" + theirs, tenant.token())
                .at("/data/attributes/attendees/0/_id").asText();
        refused(respond(groupScopedToken, theirs, theirAttendee, "user", coach2, "accepted"), 403,
                "/data/relationships/calendar_event/data/id");
        Api.Response ok = create(groupScopedToken, event(with(call(), "attendees", List.of(Map.of("user", coach1),
                Map.of("user", patient1))), patient1));
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);
        assertThat(respond(groupScopedToken, ok.at("/data/id").asText(), ok.at("/data/attributes/attendees/1/_id").asText(),
                "patient", patient1, "accepted").status()).isEqualTo(201);
    }
}
