package dev.openplus.calendar;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.membership.PatientMembership;
import dev.openplus.db.Ids;
import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.AttributeType;
import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.DateRange;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.FilterKind;
import dev.openplus.jsonapi.KeptCount;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.Shape;
import dev.openplus.jsonapi.SortField;
import dev.openplus.patient.PatientResource;

/**
 * A calendar event of a patient (its {@code owner}): type, time zone, all-day or timed, attendees (coaches or
 * patients, each with a server {@code _id} and a response status), completion for plan check-ins. A
 * group-scoped client sees the events whose owner is in one of its groups. The rules a description cannot
 * state are in {@link CalendarEventRules}.
 */
public final class CalendarEventResource {
    public static final ResourceType TYPE;
    public static final List<String> TYPES = List.of("plan-check-in", "reminder", "telephone-call", "office-visit",
            "video-call");
    public static final List<String> RESPONSE_STATUSES = List.of("needsAction", "declined", "tentative", "accepted");
    static final int MAX_ATTENDEES = 100;

    public static final Field<String> ID;
    public static final Field<String> ORGANIZATION_ID;
    public static final Field<String> OWNER_ID;
    static final Field<JSONB> ATTENDEES;
    static final Field<String> UPDATED_BY;
    static final Field<OffsetDateTime> UPDATED_AT;
    public static final Relationship OWNER;

    /** An attendee: a coach or patient id, and a status that only calendar event responses change. */
    static final Shape ATTENDEE = Shape.object().serverId("_id")
            .required("user", Shape.string().maxLength(24))
            .member("response_status", Shape.string().oneOf(RESPONSE_STATUSES).nullable());

    static {
        ResourceType.Builder builder = ResourceType.builder("calendar_event", "calendar_event");
        ID = builder.id();
        ORGANIZATION_ID = builder.column("organization_id", SQLDataType.CHAR(24));
        OWNER_ID = builder.column("owner_id", SQLDataType.CHAR(24));
        ATTENDEES = builder.column("attendees", SQLDataType.JSONB);
        UPDATED_BY = builder.column("updated_by", SQLDataType.VARCHAR);
        UPDATED_AT = builder.column("updated_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        Field<String> type = builder.column("type", SQLDataType.VARCHAR);
        Field<OffsetDateTime> startAt = builder.column("start_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        Field<OffsetDateTime> endAt = builder.column("end_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        Field<OffsetDateTime> completedAt = builder.column("completed_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        OWNER = Relationship.toOne("owner", "patient", OWNER_ID).writable().asRequired();
        TYPE = builder
                .attribute(Attribute.string("type", type).oneOf(TYPES.toArray(String[]::new)).asRequired().immutable())
                .attribute(Attribute.of("time_zone", builder.column("time_zone", SQLDataType.VARCHAR),
                        Shape.string().timeZone()).notNull().defaultValue("UTC"))
                .attribute(Attribute.of("all_day", builder.column("all_day", SQLDataType.BOOLEAN), Shape.bool())
                        .notNull().defaultValue(false))
                .attribute(Attribute.of("start_at", startAt, Shape.timestamp()).asRequired())
                .attribute(Attribute.of("end_at", endAt, Shape.timestamp()))
                .attribute(Attribute.string("title", builder.column("title", SQLDataType.VARCHAR)).asRequired()
                        .maxLength(1000))
                .attribute(Attribute.string("location", builder.column("location", SQLDataType.VARCHAR)).maxLength(1000))
                .attribute(Attribute.string("description", builder.column("description", SQLDataType.VARCHAR))
                        .maxLength(10_000))
                .attribute(Attribute.of("attendees", ATTENDEES, Shape.arrayOf(ATTENDEE).maxItems(MAX_ATTENDEES))
                        .asRequired().validatedBy(CalendarEventResource::attendeeUsers))
                .attribute(Attribute.of("completed_at", completedAt, Shape.timestamp()))
                .attribute(Attribute.of("completed_by", builder.column("completed_by", SQLDataType.CHAR(24)),
                        Shape.string().maxLength(24)).validatedBy(CalendarEventResource::coachId))
                .auditAttributes()
                .relationship(OWNER)
                .filter(new FilterDef("patient", FilterKind.ID_LIST, patients -> OWNER_ID.in(ids(patients)))
                        .describedAs("Comma-separated patient ids (the events' owners).").idsOf("patient"))
                .filter(new FilterDef("groups", FilterKind.GROUPS, groups -> PatientMembership.inGroups(OWNER_ID, ids(groups)))
                        .describedAs("Comma-separated group ids: events whose owner is in one of them."))
                .filterAlias("group", "groups")
                .filter(new FilterDef("organization", FilterKind.ORGANIZATION, org -> ORGANIZATION_ID.eq((String) org)))
                .filter(new FilterDef("attendees", FilterKind.ID_LIST, users -> attendedBy(ids(users)))
                        .describedAs("Comma-separated coach or patient ids: events any of them attends.")
                        .idsOf("patient", "coach"))
                .filter(new FilterDef("type", FilterKind.STRING, CalendarEventResource::ofType)
                        .describedAs("One of " + String.join(", ", TYPES) + "."))
                .filter(new FilterDef("completed", FilterKind.BOOLEAN,
                        completed -> (Boolean) completed ? completedAt.isNotNull() : completedAt.isNull()))
                .filter(new FilterDef("start_at", FilterKind.DATE_RANGE, range -> ((DateRange) range).on(startAt)))
                .filter(new FilterDef("end_at", FilterKind.DATE_RANGE, range -> ((DateRange) range).on(endAt)))
                .filter(new FilterDef("completed_at", FilterKind.DATE_RANGE,
                        range -> ((DateRange) range).on(completedAt)))
                .auditFilters()
                .sort(new SortField("start_at", startAt, AttributeType.TIMESTAMP, false))
                .sort(new SortField("end_at", endAt, AttributeType.TIMESTAMP, true))
                .sort(new SortField("completed_at", completedAt, AttributeType.TIMESTAMP, true))
                .requireOneOf("patient", "groups", "organization", "attendees")
                .keptCount(KeptCount.perOrganization(ORGANIZATION_ID))
                .keptCount(KeptCount.perFilterValue("patient", ORGANIZATION_ID, OWNER_ID))
                .tenant(ORGANIZATION_ID)
                .deletable()
                .rules(new CalendarEventRules())
                .scope(CalendarEventResource::scope)
                .build();
    }

    private CalendarEventResource() {
    }

    /** The organization's events; for a group-scoped client, those whose owner is in one of its groups. */
    static Condition scope(Caller caller) {
        return PatientMembership.visible(ORGANIZATION_ID, OWNER_ID, caller);
    }

    /** Any of the users attends; each test is a containment the GIN index on attendees answers. */
    private static Condition attendedBy(List<String> users) {
        Condition any = DSL.falseCondition();
        for (String user : users) {
            JSONB probe = JSONB.valueOf(BodyReader.mapper().createArrayNode().add(
                    BodyReader.mapper().createObjectNode().put("user", user)).toString());
            any = any.or(DSL.condition("{0} @> {1}", ATTENDEES, DSL.val(probe, SQLDataType.JSONB)));
        }
        return any;
    }

    /** An unknown type is a misspelling to report, never a silently empty list. */
    private static Condition ofType(Object value) {
        if (!TYPES.contains(value)) {
            throw ApiException.invalidParameter("filter[type]", "must be one of " + String.join(", ", TYPES));
        }
        return DSL.field(DSL.name("calendar_event", "type"), SQLDataType.VARCHAR).eq((String) value);
    }

    @SuppressWarnings("unchecked")
    private static List<String> ids(Object value) {
        return (List<String>) value;
    }

    /** Each attendee names a user by id, and a user attends an event once. */
    private static void attendeeUsers(JsonNode attendees, String pointer, ApiException.Collector problems) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < attendees.size(); i++) {
            String user = attendees.get(i).path("user").asText();
            String userPointer = pointer + "/" + i + "/user";
            if (!Ids.isWellFormed(user)) {
                problems.add(ApiError.pointer(userPointer, "must be a coach or patient id (24 lowercase hex characters)"));
            } else if (!seen.add(user)) {
                problems.add(ApiError.pointer(userPointer, "this user is already an attendee of the event"));
            }
        }
    }

    private static void coachId(JsonNode value, String pointer, ApiException.Collector problems) {
        if (!Ids.isWellFormed(value.asText())) {
            problems.add(ApiError.pointer(pointer, "must be a coach id (24 lowercase hex characters)"));
        }
    }

    /** The users of attendees in a stored or checked attendees array. */
    static List<String> users(JsonNode attendees) {
        List<String> users = new ArrayList<>();
        if (attendees != null) {
            attendees.forEach(attendee -> users.add(attendee.path("user").asText()));
        }
        return users;
    }
}
