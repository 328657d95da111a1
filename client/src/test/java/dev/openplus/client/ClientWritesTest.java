package dev.openplus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.client.model.Action;
import dev.openplus.client.model.Bundle;
import dev.openplus.client.model.CalendarEvent;
import dev.openplus.client.model.Group;
import dev.openplus.client.model.Patient;
import dev.openplus.client.model.PatientPlanSummary;

/**
 * Creates and updates of more types than the patient, delete, and calendar responses, through the typed records:
 * what a sync job writes back into OpenPlus.
 */
class ClientWritesTest {
    private static final OpenPlusClient CLIENT = TestSupport.client();
    private static Patient patient;
    private static Patient partner;
    private static PatientPlanSummary plan;

    @BeforeAll
    static void start() {
        String groupId = CLIENT.groups().create(Group.builder().name("Client writes").build()).id();
        patient = CLIENT.patients().create(Patient.builder().firstName("Writes").lastName("Tester")
                .groups(List.of(Group.ref(groupId))).build());
        partner = CLIENT.patients().create(Patient.builder().firstName("Partner").lastName("Tester")
                .groups(List.of(Group.ref(groupId))).build());
        plan = CLIENT.patientPlanSummaries().list(Query.patient(patient.id())).toList().get(0);
    }

    private static CalendarEvent event(String title, List<CalendarEvent.Attendee> attendees) {
        return CALENDAR_EVENT.toBuilder().title(title).attendees(attendees).build();
    }

    private static final CalendarEvent CALENDAR_EVENT = CalendarEvent.builder().type(CalendarEvent.Type.REMINDER)
            .startAt(Instant.parse("2030-01-01T09:00:00Z")).endAt(Instant.parse("2030-01-01T09:30:00Z")).build();

    @Test
    void aCalendarEventIsAnsweredUpdatedWithItsAttendeesKeptAndDeleted() {
        CalendarEvent created = CLIENT.calendarEvents().create(event("Check-in",
                List.of(new CalendarEvent.Attendee(null, patient.id(), null))).toBuilder().owner(patient.ref())
                .build());
        CalendarEvent.Attendee attendee = created.attendees().get(0);
        assertThat(attendee.id()).as("the attendee's _id the server assigned").matches("[0-9a-f]{24}");

        JsonNode response = CLIENT.respondToCalendarEvent(created.id(), attendee.id(), patient.ref(), "accepted");
        assertThat(response.path("type").asText()).isEqualTo("calendar_event_response");
        CalendarEvent answered = CLIENT.calendarEvents().get(created.id());
        assertThat(answered.attendees()).singleElement().satisfies(a -> {
            assertThat(a.id()).isEqualTo(attendee.id());
            assertThat(a.responseStatus()).isEqualTo(CalendarEvent.Attendee.ResponseStatus.ACCEPTED);
        });

        // Adding an attendee sends the list back: the first keeps its _id and its answer.
        List<CalendarEvent.Attendee> more = new ArrayList<>(answered.attendees());
        more.add(new CalendarEvent.Attendee(null, partner.id(), null));
        CalendarEvent updated = CLIENT.calendarEvents().update(answered, answered.toBuilder().title("Check-in, moved")
                .startAt(Instant.parse("2030-01-02T09:00:00Z")).endAt(Instant.parse("2030-01-02T09:30:00Z"))
                .attendees(more).build());
        assertThat(updated.title()).isEqualTo("Check-in, moved");
        assertThat(updated.startAt()).isEqualTo(Instant.parse("2030-01-02T09:00:00Z"));
        assertThat(updated.attendees()).hasSize(2);
        assertThat(updated.attendees().get(0)).isEqualTo(answered.attendees().get(0));
        assertThat(updated.attendees().get(1).id()).isNotNull().isNotEqualTo(attendee.id());

        CLIENT.calendarEvents().delete(created.id());
        assertThatThrownBy(() -> CLIENT.calendarEvents().get(created.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> CLIENT.calendarEvents().delete(created.id()))
                .isInstanceOfSatisfying(NotFoundException.class,
                        e -> assertThat(e.code()).isEqualTo("ResourceNotFound"));
    }

    @Test
    void actionsAndBundlesAreCreatedAndUpdatedWithTheirRelationships() {
        Action weigh = CLIENT.actions().create(Action.builder().type(Action.Type.WEIGHT).title("Weigh in")
                .effectiveFrom(Instant.parse("2024-01-01T00:00:00Z")).plan(plan.ref()).build());
        Action walk = CLIENT.actions().create(Action.builder().type(Action.Type.PHYSICAL_ACTIVITY).title("Walk")
                .effectiveFrom(Instant.parse("2024-01-01T00:00:00Z")).plan(plan.ref()).build());
        assertThat(weigh.plan()).isEqualTo(plan.ref());

        Action renamed = CLIENT.actions().update(weigh, weigh.toBuilder().title("Weigh in, mornings").build());
        assertThat(renamed.title()).isEqualTo("Weigh in, mornings");
        assertThat(CLIENT.actions().get(weigh.id())).isEqualTo(renamed);

        Bundle bundle = CLIENT.bundles().create(Bundle.builder().type("routine").title("Mornings")
                .effectiveFrom(Instant.parse("2024-01-01T00:00:00Z")).plan(plan.ref())
                .actions(List.of(weigh.ref(), walk.ref())).build());
        // A bundle lists its actions in id order, not as sent (ids of one second differ in their random part).
        assertThat(bundle.actions()).containsExactlyInAnyOrder(weigh.ref(), walk.ref());
        Bundle fewer = CLIENT.bundles().update(bundle, bundle.toBuilder().actions(List.of(walk.ref())).build());
        assertThat(fewer.actions()).containsExactly(walk.ref());
        assertThat(CLIENT.actions().get(weigh.id()).bundles()).doesNotContain(bundle.ref());
        assertThat(CLIENT.actions().get(walk.id()).bundles()).contains(bundle.ref());

        PatientPlanSummary current = CLIENT.patientPlanSummaries().get(plan.id());
        assertThat(current.actions()).contains(weigh.ref(), walk.ref());
        PatientPlanSummary zoned = CLIENT.patientPlanSummaries().update(current,
                current.toBuilder().timeZone("Europe/Berlin").build());
        assertThat(zoned.timeZone()).isEqualTo("Europe/Berlin");
    }
}
