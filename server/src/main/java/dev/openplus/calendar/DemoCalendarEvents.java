package dev.openplus.calendar;

import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import org.jooq.DSLContext;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.coach.CoachResource;
import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.ResourceWriter;
import dev.openplus.jsonapi.WriteBatch;
import dev.openplus.patient.PatientResource;

/**
 * Demo calendar events for {@code serve --demo}: for each demo patient, a month of events starting today (a
 * weekly plan check-in, a call and a visit with a coach, a reminder), written through the same checks as the API.
 */
public final class DemoCalendarEvents {
    private static final ZoneId ZONE = ZoneId.of("America/New_York");
    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private DemoCalendarEvents() {
    }

    public static void seed(ResourceWriter writer, DSLContext dsl, String organizationId) {
        List<String> patients = dsl.select(PatientResource.ID).from(PatientResource.TYPE.table())
                .where(PatientResource.ORGANIZATION_ID.eq(organizationId)).orderBy(PatientResource.ID)
                .fetch(PatientResource.ID);
        List<String> coaches = dsl.select(CoachResource.TYPE.id()).from(CoachResource.TYPE.table())
                .where(CoachResource.TYPE.scope(Caller.operator(organizationId))).orderBy(CoachResource.TYPE.id())
                .fetch(CoachResource.TYPE.id());
        LocalDate today = LocalDate.now(ZONE);
        List<ObjectNode> events = new ArrayList<>();
        for (int p = 0; p < patients.size(); p++) {
            String patient = patients.get(p);
            String coach = coaches.get(p % coaches.size());
            for (int week = 0; week < 4; week++) {
                LocalDate monday = today.plusWeeks(week).plusDays(p % 5);
                events.add(allDay(patient, coach, "plan-check-in", "Plan Check-In", monday));
                events.add(timed(patient, coach, week % 2 == 0 ? "telephone-call" : "video-call",
                        week % 2 == 0 ? "Coaching call" : "Video check-up", monday.plusDays(2), LocalTime.of(9 + p % 8, 0), 30));
            }
            events.add(timed(patient, coach, "office-visit", "Clinic visit", today.plusDays(10 + p % 10),
                    LocalTime.of(14, 0), 60).put("location", "Main Street Clinic, room 2"));
            events.add(allDay(patient, coach, "reminder", "Refill prescription", today.plusDays(20 + p % 7))
                    .put("end_at", today.plusDays(21 + p % 7).atStartOfDay(ZONE).format(ISO)));
        }
        List<BodyReader.ResourceInput> inputs = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            ObjectNode data = BodyReader.mapper().createObjectNode().put("type", "calendar_event");
            String owner = events.get(i).remove("owner").asText();
            data.set("attributes", events.get(i));
            data.putObject("relationships").putObject("owner").putObject("data").put("type", "patient").put("id", owner);
            inputs.add(BodyReader.resource(data, "/data/" + i, CalendarEventResource.TYPE, WriteBatch.Mode.CREATE, null));
        }
        writer.insert(dsl, Caller.operator(organizationId), CalendarEventResource.TYPE, inputs, null, false);
    }

    private static ObjectNode event(String patient, String coach, String type, String title) {
        ObjectNode event = BodyReader.mapper().createObjectNode().put("owner", patient).put("type", type)
                .put("title", title).put("time_zone", ZONE.getId());
        event.putArray("attendees").add(BodyReader.mapper().createObjectNode().put("user", coach))
                .add(BodyReader.mapper().createObjectNode().put("user", patient));
        return event;
    }

    private static ObjectNode allDay(String patient, String coach, String type, String title, LocalDate day) {
        return event(patient, coach, type, title).put("all_day", true).put("start_at", day.atStartOfDay(ZONE).format(ISO));
    }

    private static ObjectNode timed(String patient, String coach, String type, String title, LocalDate day,
            LocalTime time, int minutes) {
        ZonedDateTime start = day.atTime(time).atZone(ZONE);
        return event(patient, coach, type, title).put("all_day", false).put("start_at", start.format(ISO))
                .put("end_at", start.plusMinutes(minutes).format(ISO));
    }
}
