package dev.openplus.calendar;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record2;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import dev.openplus.coach.CoachResource;
import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.ErrorCode;
import dev.openplus.jsonapi.WriteBatch;
import dev.openplus.jsonapi.WriteItem;
import dev.openplus.jsonapi.WriteRules;
import dev.openplus.patient.PatientResource;

/**
 * What only calendar events have, over the generic write path: attendees and {@code completed_by} name coaches
 * or patients in the caller's scope (one statement per request), attendee response statuses that only calendar
 * event responses change, and the calendar rules of types, all-day events and completion, judged in the event's
 * own time zone (so days of 23 or 25 hours are days like any other).
 */
final class CalendarEventRules implements WriteRules {
    static final String PLAN_CHECK_IN = "plan-check-in";
    static final String NEEDS_ACTION = "needsAction";

    @Override
    public void beforeWrite(WriteBatch batch) {
        Map<String, String> users = visibleUsers(batch);
        for (WriteItem item : batch.items()) {
            if (item.isCreate() || item.has("attendees")) {
                attendees(item, users);
            }
            if (item.has("completed_by") && item.value("completed_by") instanceof String coach
                    && !"coach".equals(users.get(coach))) {
                item.problem(forbidden(item, "/attributes/completed_by", "no coach with this id in this client's scope"));
            }
        }
        // Like the engine's relationship check: ids outside the scope are answered before any other rule.
        batch.throwIfProblems();
        for (WriteItem item : batch.items()) {
            calendar(item);
            completion(item);
        }
    }

    // ---- users ------------------------------------------------------------------------------------------------

    /**
     * The attendee users and completing coaches the batch names, each mapped to "patient" or "coach" when it lies
     * in the caller's scope. One statement for the whole request, whatever the number of attendees.
     */
    private static Map<String, String> visibleUsers(WriteBatch batch) {
        Set<String> named = new LinkedHashSet<>();
        for (WriteItem item : batch.items()) {
            if (item.isCreate() || item.has("attendees")) {
                named.addAll(CalendarEventResource.users(item.json("attendees")));
            }
            if (item.has("completed_by") && item.value("completed_by") instanceof String coach) {
                named.add(coach);
            }
        }
        return kindsOf(batch.dsl(), batch.caller(), named);
    }

    /** Each id that is a patient or a coach in the caller's scope, with its kind. */
    static Map<String, String> kindsOf(DSLContext dsl, Caller caller, Set<String> ids) {
        Map<String, String> kinds = new HashMap<>();
        if (ids.isEmpty()) {
            return kinds;
        }
        Field<String> kind = DSL.field(DSL.name("kind"), SQLDataType.VARCHAR);
        var patients = DSL.select(PatientResource.ID, DSL.inline("patient").as(kind))
                .from(PatientResource.TYPE.table())
                .where(PatientResource.ID.in(ids)).and(PatientResource.TYPE.scope(caller));
        var coaches = DSL.select(CoachResource.TYPE.id(), DSL.inline("coach").as(kind))
                .from(CoachResource.TYPE.table())
                .where(CoachResource.TYPE.id().in(ids)).and(CoachResource.TYPE.scope(caller));
        for (Record2<String, String> row : dsl.fetch(patients.unionAll(coaches))) {
            kinds.put(row.value1(), row.value2());
        }
        return kinds;
    }

    /**
     * Every attendee's user must be a coach or patient in scope. Statuses are the server's: an attendee that
     * repeats a stored {@code _id} for the same user keeps its stored status, any other starts at
     * {@code needsAction}; a status the client sent is ignored and listed in {@code meta.ignored}.
     */
    private static void attendees(WriteItem item, Map<String, String> users) {
        JsonNode given = item.json("attendees");
        if (given == null) {
            return;
        }
        Map<String, JsonNode> stored = new HashMap<>();
        if (item.stored("attendees") instanceof JsonNode before) {
            before.forEach(attendee -> stored.put(attendee.path("_id").asText(), attendee));
        }
        ArrayNode attendees = BodyReader.mapper().createArrayNode();
        for (int i = 0; i < given.size(); i++) {
            JsonNode attendee = given.get(i);
            String pointer = "/attributes/attendees/" + i;
            String user = attendee.path("user").asText();
            if (!users.containsKey(user)) {
                item.problem(forbidden(item, pointer + "/user", "no coach or patient with this id in this client's scope"));
            }
            if (attendee.has("response_status")) {
                item.ignore(pointer + "/response_status");
            }
            String id = attendee.path("_id").asText();
            JsonNode previous = stored.get(id);
            String status = previous != null && previous.path("user").asText().equals(user)
                    ? previous.path("response_status").asText(NEEDS_ACTION) : NEEDS_ACTION;
            attendees.addObject().put("_id", id).put("user", user).put("response_status", status);
        }
        item.set(CalendarEventResource.ATTENDEES, attendees);
    }

    // ---- calendar rules ---------------------------------------------------------------------------------------

    /**
     * A plan check-in is all-day without an end; an all-day event starts (and ends, when it has an end) at the
     * beginning of a day; a timed event has an end, not before its start, on the same day. Days are the event's
     * time zone's: midnight to midnight, however many hours that is.
     */
    private static void calendar(WriteItem item) {
        String type = (String) item.value("type");
        ZoneId zone = ZoneId.of((String) item.value("time_zone"));
        boolean allDay = Boolean.TRUE.equals(item.value("all_day"));
        OffsetDateTime start = (OffsetDateTime) item.value("start_at");
        OffsetDateTime end = (OffsetDateTime) item.value("end_at");
        if (PLAN_CHECK_IN.equals(type)) {
            if (!allDay) {
                item.problem("/attributes/all_day", "a plan-check-in is an all-day event: all_day must be true");
            }
            if (end != null) {
                item.problem("/attributes/end_at", "a plan-check-in has no end_at");
            }
            if (!allDay) {
                // The timed-event rules do not apply to what must be an all-day event.
                return;
            }
        }
        if (allDay) {
            if (!startsADay(start, zone)) {
                item.problem("/attributes/start_at", "an all-day event starts at the beginning of a day in " + zone);
            }
            if (end != null && !PLAN_CHECK_IN.equals(type)) {
                if (!startsADay(end, zone)) {
                    item.problem("/attributes/end_at", "an all-day event ends at the beginning of a day in " + zone);
                } else if (!end.isAfter(start)) {
                    item.problem("/attributes/end_at", "end_at must be after start_at");
                }
            }
            return;
        }
        if (end == null) {
            item.problem("/attributes/end_at", "end_at is required unless all_day is true");
        } else if (end.isBefore(start)) {
            item.problem("/attributes/end_at", "end_at cannot be before start_at");
        } else if (!sameDay(start, end, zone)) {
            item.problem("/attributes/end_at", "an event that is not all-day ends on the day it starts in " + zone);
        }
    }

    /** The instant is the first instant of its day in the zone (not always 00:00 where DST starts at midnight). */
    static boolean startsADay(OffsetDateTime instant, ZoneId zone) {
        LocalDate day = instant.atZoneSameInstant(zone).toLocalDate();
        return day.atStartOfDay(zone).toInstant().equals(instant.toInstant());
    }

    /** Same local date, or the end is exactly the beginning of the next day (an event running until midnight). */
    private static boolean sameDay(OffsetDateTime start, OffsetDateTime end, ZoneId zone) {
        LocalDate day = start.atZoneSameInstant(zone).toLocalDate();
        return day.equals(end.atZoneSameInstant(zone).toLocalDate())
                || day.plusDays(1).atStartOfDay(zone).toInstant().equals(end.toInstant());
    }

    /** Only a plan check-in is completed; completed_at and completed_by are set together, or cleared together. */
    private static void completion(WriteItem item) {
        Object completedAt = item.value("completed_at");
        Object completedBy = item.value("completed_by");
        if (!PLAN_CHECK_IN.equals(item.value("type"))) {
            if (completedAt != null) {
                item.problem("/attributes/completed_at", "only a plan-check-in can be completed");
            }
            if (completedBy != null) {
                item.problem("/attributes/completed_by", "only a plan-check-in can be completed");
            }
            return;
        }
        if (completedAt == null && completedBy != null) {
            item.problem("/attributes/completed_at", "completed_at and completed_by are set together; "
                    + "both null marks the event not completed");
        } else if (completedAt != null && completedBy == null) {
            item.problem("/attributes/completed_by", "completed_at and completed_by are set together; "
                    + "both null marks the event not completed");
        }
    }

    private static ApiError forbidden(WriteItem item, String pointerBelowItem, String detail) {
        return new ApiError(ErrorCode.Forbidden.status(), ErrorCode.Forbidden, detail,
                item.pointer() + pointerBelowItem, null);
    }
}
