package dev.openplus.calendar;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.Set;

import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Record1;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.db.Ids;
import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.jsonapi.ApiExchange;
import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.DocumentWriter;
import dev.openplus.jsonapi.ErrorCode;
import dev.openplus.jsonapi.ResourceEndpoints;
import dev.openplus.jsonapi.Shape;

/**
 * POST /pub/calendar_event_response: an attendee answers an event. The event row is locked while the attendee's
 * status changes, so concurrent responses (and PATCHes of the event) apply one after the other; each accepted
 * response is also recorded, and its id is the one answered. Responses cannot be fetched: the event carries the
 * current status.
 */
public final class CalendarEventResponses {
    public static final String TYPE = "calendar_event_response";
    private static final Set<String> RESOURCE_MEMBERS = Set.of("type", "id", "attributes", "relationships", "meta",
            "links");
    private static final Set<String> USER_TYPES = Set.of("user", "patient", "coach");
    private static final Shape ATTRIBUTES = Shape.object()
            .required("attendee", Shape.string().maxLength(24))
            .required("response_status", Shape.string().oneOf("accepted", "declined", "tentative"));

    private static final Table<?> RESPONSE = DSL.table(DSL.name("calendar_event_response"));
    private static final Field<String> RESPONSE_ID = column("id");
    private static final Field<String> RESPONSE_ORGANIZATION = column("organization_id");
    private static final Field<String> RESPONSE_EVENT = column("calendar_event_id");
    private static final Field<String> RESPONSE_ATTENDEE = column("attendee_id");
    private static final Field<String> RESPONSE_USER = column("user_id");
    private static final Field<String> RESPONSE_STATUS = DSL.field(DSL.name("calendar_event_response", "response_status"),
            SQLDataType.VARCHAR);
    private static final Field<String> RESPONSE_CREATED_BY = DSL.field(DSL.name("calendar_event_response", "created_by"),
            SQLDataType.VARCHAR);

    private static final String ATTENDEE_POINTER = "/data/attributes/attendee";
    private static final String USER_POINTER = "/data/relationships/user/data";
    private static final String EVENT_POINTER = "/data/relationships/calendar_event/data";

    private final ResourceEndpoints resources;

    public CalendarEventResponses(ResourceEndpoints resources) {
        this.resources = resources;
    }

    private static Field<String> column(String name) {
        return DSL.field(DSL.name("calendar_event_response", name), SQLDataType.CHAR(24));
    }

    /** The checked request: which attendee of which event answers what. */
    private record Answer(String attendee, String status, String userType, String user, String event) {
    }

    public void create(ApiExchange exchange) {
        Caller caller = exchange.caller();
        if (!exchange.queryParams().isEmpty()) {
            throw ApiException.invalidParameter(exchange.queryParams().keySet().iterator().next(),
                    "this operation takes no query parameters");
        }
        Answer answer = read(BodyReader.requestDocument(exchange.body()));
        resources.database().transaction(dsl -> {
            Record1<JSONB> locked = dsl.select(CalendarEventResource.ATTENDEES).from(CalendarEventResource.TYPE.table())
                    .where(CalendarEventResource.ID.eq(answer.event()))
                    .and(CalendarEventResource.TYPE.scope(caller))
                    .forUpdate().fetchOne();
            if (locked == null) {
                throw new ApiException(forbidden(EVENT_POINTER + "/id",
                        "no calendar_event with this id in this client's scope"));
            }
            ArrayNode attendees = attendees(locked.value1());
            ObjectNode attendee = null;
            for (JsonNode candidate : attendees) {
                if (candidate.path("_id").asText().equals(answer.attendee())) {
                    attendee = (ObjectNode) candidate;
                }
            }
            if (attendee == null) {
                throw ApiException.invalidBody(ATTENDEE_POINTER, "the event has no attendee with this _id");
            }
            if (!attendee.path("user").asText().equals(answer.user())) {
                throw ApiException.invalidBody(USER_POINTER + "/id", "the attendee is another user");
            }
            String kind = CalendarEventRules.kindsOf(dsl, caller, Set.of(answer.user())).get(answer.user());
            if (kind == null) {
                throw new ApiException(forbidden(USER_POINTER + "/id", "no coach or patient with this id in this client's scope"));
            }
            if (!answer.userType().equals("user") && !answer.userType().equals(kind)) {
                throw ApiException.invalidBody(USER_POINTER + "/type", "the user is a " + kind);
            }
            attendee.put("response_status", answer.status());
            dsl.update(CalendarEventResource.TYPE.table())
                    .set(CalendarEventResource.ATTENDEES, JSONB.valueOf(attendees.toString()))
                    .set(CalendarEventResource.UPDATED_AT, OffsetDateTime.now(ZoneOffset.UTC))
                    .set(CalendarEventResource.UPDATED_BY, caller.actorId())
                    .where(CalendarEventResource.ID.eq(answer.event())).execute();
            String id = Ids.newId();
            dsl.insertInto(RESPONSE).set(RESPONSE_ID, id).set(RESPONSE_ORGANIZATION, caller.organizationId())
                    .set(RESPONSE_EVENT, answer.event()).set(RESPONSE_ATTENDEE, answer.attendee())
                    .set(RESPONSE_USER, answer.user()).set(RESPONSE_STATUS, answer.status())
                    .set(RESPONSE_CREATED_BY, caller.actorId()).execute();
            exchange.respond(201, resources.writer().document(DocumentWriter.Meta.of(exchange.reqId()),
                    json -> {
                        json.writeStartObject();
                        json.writeStringField("type", TYPE);
                        json.writeStringField("id", id);
                        json.writeObjectFieldStart("attributes");
                        json.writeStringField("attendee", answer.attendee());
                        json.writeStringField("response_status", answer.status());
                        json.writeEndObject();
                        json.writeObjectFieldStart("relationships");
                        writeLinkage(json, "user", kind, answer.user());
                        writeLinkage(json, "calendar_event", CalendarEventResource.TYPE.name(), answer.event());
                        json.writeEndObject();
                        json.writeEndObject();
                    }, null, null, null));
            return null;
        });
    }

    private static ArrayNode attendees(JSONB stored) {
        try {
            return (ArrayNode) BodyReader.mapper().readTree(stored.data());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("stored attendees are not JSON", e);
        }
    }

    private static void writeLinkage(com.fasterxml.jackson.core.JsonGenerator json, String name, String type, String id)
            throws java.io.IOException {
        json.writeObjectFieldStart(name);
        json.writeObjectFieldStart("data");
        json.writeStringField("type", type);
        json.writeStringField("id", id);
        json.writeEndObject();
        json.writeEndObject();
    }

    /** Checks the request document; every problem is reported with its pointer, all together. */
    private static Answer read(JsonNode document) {
        JsonNode data = BodyReader.singleData(document);
        ApiException.Collector problems = new ApiException.Collector();
        data.fieldNames().forEachRemaining(member -> {
            if (!RESOURCE_MEMBERS.contains(member)) {
                problems.add(ApiError.pointer("/data/" + BodyReader.escape(member), "unknown member of a resource object"));
            }
        });
        if (!TYPE.equals(data.path("type").asText(null))) {
            problems.add(ApiError.pointer("/data/type", "type is required and must be \"" + TYPE + "\""));
        }
        JsonNode id = data.get("id");
        if (id != null && !id.isNull() && !(id.isTextual() && id.asText().isEmpty())) {
            throw ApiException.forbiddenPointer("/data/id", "client-generated ids are not supported");
        }
        JsonNode attributes = data.get("attributes");
        if (attributes == null || attributes.isNull()) {
            problems.add(ApiError.pointer("/data/attributes", "attributes is required"));
        } else {
            int before = problems.size();
            ATTRIBUTES.read(attributes, "/data/attributes", "attributes", problems);
            if (problems.size() == before && !Ids.isWellFormed(attributes.get("attendee").asText())) {
                problems.add(ApiError.pointer(ATTENDEE_POINTER, "must be the _id of one of the event's attendees"));
            }
        }
        JsonNode relationships = data.get("relationships");
        String[] user = null;
        String[] event = null;
        if (relationships == null || !relationships.isObject()) {
            problems.add(ApiError.pointer("/data/relationships", "relationships user and calendar_event are required"));
        } else {
            Iterator<String> names = relationships.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!name.equals("user") && !name.equals("calendar_event")) {
                    problems.add(ApiError.pointer("/data/relationships/" + BodyReader.escape(name),
                            "unknown relationship of " + TYPE));
                }
            }
            user = identifier(relationships, "user", USER_TYPES, problems);
            event = identifier(relationships, "calendar_event", Set.of(CalendarEventResource.TYPE.name()), problems);
        }
        problems.throwIfAny();
        return new Answer(attributes.get("attendee").asText(), attributes.get("response_status").asText(), user[0],
                user[1], event[1]);
    }

    /** The {type, id} of a required to-one relationship, or null with the problem reported. */
    private static String[] identifier(JsonNode relationships, String name, Set<String> types,
            ApiException.Collector problems) {
        String pointer = "/data/relationships/" + name;
        JsonNode relationship = relationships.get(name);
        if (relationship == null) {
            problems.add(ApiError.pointer(pointer, "relationships." + name + " is required"));
            return null;
        }
        JsonNode data = relationship.isObject() ? relationship.get("data") : null;
        if (data == null || !data.isObject()) {
            problems.add(ApiError.pointer(pointer + "/data", "must be a resource identifier {type, id}"));
            return null;
        }
        String type = data.path("type").asText(null);
        if (!data.path("type").isTextual() || !types.contains(type)) {
            problems.add(ApiError.pointer(pointer + "/data/type", "type must be one of " + String.join(", ",
                    types.stream().sorted().toList())));
            return null;
        }
        String id = data.path("id").isTextual() ? data.get("id").asText() : null;
        if (!Ids.isWellFormed(id)) {
            problems.add(ApiError.pointer(pointer + "/data/id", "must be an id (24 lowercase hex characters)"));
            return null;
        }
        return new String[] {type, id};
    }

    private static ApiError forbidden(String pointer, String detail) {
        return new ApiError(ErrorCode.Forbidden.status(), ErrorCode.Forbidden, detail, pointer, null);
    }
}
