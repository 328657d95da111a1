package dev.openplus.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.client.model.CalendarEvent;
import dev.openplus.client.model.Change;
import dev.openplus.client.model.Group;
import dev.openplus.client.model.Patient;
import dev.openplus.client.model.Resource;
import dev.openplus.support.Fixtures;

/**
 * What the change feed reports for writes and for a group scope, written with the client (these were
 * {@code ChangeFeedTest}'s {@code deleteArchiveAndUpdate} and {@code aGroupScopedClientSeesPatientsLeaveAndJoin} in
 * the server's tests, in raw HTTP: the writes were nested maps and the follow loop a hand-made links.next walk). The
 * feed's wire shape, filters and errors stay in the server's {@code ChangeFeedTest}.
 */
class ChangeFeedScopeTest {
    private static final Fixtures FIXTURES = new Fixtures(TestSupport.SERVER);
    private static String organization;
    private static OpenPlusClient client;
    private static OpenPlusClient groupClient;
    private static String groupA;
    private static String groupB;

    @BeforeAll
    static void start() {
        organization = FIXTURES.organization("Change feed scopes");
        client = TestSupport.clientOf(organization);
        groupA = client.groups().create(Group.builder().name("Feed A").build()).id();
        groupB = client.groups().create(Group.builder().name("Feed B").build()).id();
        groupClient = TestSupport.clientOf(organization, groupA);
    }

    /** What a follow read: each change as "type id action version", the included resources, the cursor after it. */
    record Followed(List<String> summary, List<Change> changes, List<Resource> included, String next) {
    }

    private static Followed follow(ChangeFeed feed, String cursor) {
        List<String> summary = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        List<Resource> included = new ArrayList<>();
        String next = cursor;
        for (ChangePage page : feed.follow(cursor)) {
            for (Change change : page.changes()) {
                changes.add(change);
                summary.add(change.resourceTypeAttribute().wire() + " " + change.resourceId() + " "
                        + change.action().wire() + " " + change.version());
                page.resource(change).ifPresent(included::add);
            }
            next = page.next();
        }
        return new Followed(summary, changes, included, next);
    }

    private static ChangeFeed organizationFeed() {
        return client.changes(Query.organization(organization).pageSize(3));
    }

    private static Patient patient(String groupId) {
        return client.patients().create(Patient.builder().firstName("Feed").groups(List.of(Group.ref(groupId)))
                .build());
    }

    private static CalendarEvent event(Patient patient) {
        return client.calendarEvents().create(CalendarEvent.builder().type(CalendarEvent.Type.REMINDER)
                .timeZone("UTC").allDay(true).startAt(Instant.parse("2024-05-06T00:00:00Z"))
                .endAt(Instant.parse("2024-05-07T00:00:00Z")).title("Walk")
                .attendees(List.of(new CalendarEvent.Attendee(null, patient.id(), null))).owner(patient.ref())
                .build());
    }

    @Test
    void anEventsCreateUpdateAndDeleteAreThreeVersionsAndADeletedOneHasNoState() {
        patient(groupA);
        String start = follow(organizationFeed(), null).next();
        Patient patient = patient(groupA);
        CalendarEvent event = event(patient);
        client.calendarEvents().update(event, event.toBuilder().title("Run").build());
        client.calendarEvents().delete(event.id());

        Followed feed = follow(client.changes(Query.organization(organization)
                .filter("resource_type", "calendar_event").include("resource").pageSize(3)), start);

        assertThat(feed.summary()).containsExactly("calendar_event " + event.id() + " created 1",
                "calendar_event " + event.id() + " updated 2", "calendar_event " + event.id() + " deleted 3");
        assertThat(feed.changes().get(2).resource()).isNull();
        assertThat(feed.included()).as("the deleted event's state is gone").isEmpty();
    }

    @Test
    void aGroupScopedClientSeesPatientsLeaveAndJoin() {
        Patient patient = patient(groupA);
        CalendarEvent event = event(patient);
        ChangeFeed groupFeed = groupClient.changes(Query.groups(groupA));
        Followed start = follow(groupFeed, null);
        assertThat(start.summary()).contains("patient " + patient.id() + " created 1",
                "calendar_event " + event.id() + " created 1");
        Followed organizationStart = follow(organizationFeed(), null);

        Patient moved = client.patients().update(patient, patient.toBuilder().groups(List.of(Group.ref(groupB)))
                .build());
        Followed left = follow(groupFeed, start.next());
        // The profile's questions (derived from the catalogue, never written: version 0) leave with it.
        assertThat(left.summary()).filteredOn(line -> line.startsWith("health_profile_question "))
                .isNotEmpty().allMatch(line -> line.endsWith(" removed 0"));
        assertThat(left.summary()).filteredOn(line -> !line.startsWith("health_profile_question "))
                .containsExactlyInAnyOrder("patient " + patient.id() + " removed 2",
                        "calendar_event " + event.id() + " removed 1",
                        "patient_plan_summary " + idOf(left, Change.ResourceType.PATIENT_PLAN_SUMMARY) + " removed 1",
                        "health_profile " + idOf(left, Change.ResourceType.HEALTH_PROFILE) + " removed 1");
        // The organization sees one update of the patient.
        assertThat(follow(organizationFeed(), organizationStart.next()).summary())
                .containsExactly("patient " + patient.id() + " updated 2");

        // Changes of the patient's data outside the client's groups do not reach it.
        client.calendarEvents().update(event, event.toBuilder().title("Away").build());
        Followed away = follow(groupFeed, left.next());
        assertThat(away.changes()).isEmpty();

        client.patients().update(moved, moved.toBuilder().groups(List.of(Group.ref(groupA))).build());
        Followed back = follow(groupClient.changes(Query.groups(groupA).include("resource")), away.next());
        assertThat(back.summary()).contains("patient " + patient.id() + " created 3",
                "calendar_event " + event.id() + " created 2");
        assertThat(back.included()).extracting(Resource::id).contains(patient.id(), event.id());
        assertThat(back.included()).filteredOn(CalendarEvent.class::isInstance).extracting(r -> ((CalendarEvent) r)
                .title()).containsExactly("Away");
    }

    private static String idOf(Followed feed, Change.ResourceType type) {
        return feed.changes().stream().filter(change -> change.resourceTypeAttribute() == type)
                .map(Change::resourceId).findFirst().orElse("none");
    }
}
