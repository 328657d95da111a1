package dev.openplus.email;

import java.time.OffsetDateTime;
import java.util.List;

import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.coach.CoachResource;
import dev.openplus.membership.PatientMembership;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.AttributeType;
import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.FilterKind;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.Shape;
import dev.openplus.jsonapi.SortField;
import dev.openplus.jsonapi.TenantScope;

/**
 * A record of one email sent to a patient or a coach: address, type, send time, and the times a mail provider
 * reported for each status. Recorded with {@code POST /pub/email_history} and completed with {@code PATCH} as the
 * provider's events arrive (both OpenPlus extensions); status times are only ever added ({@link EmailHistoryRules}).
 * The receiver is polymorphic ({@link Relationship#toOneOf}): a column per type, exactly one of them set.
 */
public final class EmailHistoryResource {
    public static final ResourceType TYPE;
    static final Field<JSONB> STATUS_TIMES;
    static final Relationship RECEIVER;
    static final Relationship SENDER;
    /** The statuses a provider reports, as the reference names them. */
    static final List<String> STATUSES = List.of("processed", "dropped", "deferred", "bounce", "open", "spamreport",
            "unsubscribe", "click", "delivered");

    static {
        ResourceType.Builder builder = ResourceType.builder("email_history", "email_history");
        Field<String> organizationId = builder.column("organization_id", SQLDataType.CHAR(24));
        Field<String> receiverPatient = builder.column("receiver_patient_id", SQLDataType.CHAR(24));
        Field<String> receiverCoach = builder.column("receiver_coach_id", SQLDataType.CHAR(24));
        Field<String> senderId = builder.column("sender_id", SQLDataType.CHAR(24));
        Field<String> emailType = builder.column("email_type", SQLDataType.VARCHAR);
        Field<OffsetDateTime> sendTime = builder.column("send_time", SQLDataType.TIMESTAMPWITHTIMEZONE);
        STATUS_TIMES = builder.column("status_times", SQLDataType.JSONB);
        Shape statusTimes = Shape.object();
        for (String status : STATUSES) {
            statusTimes = statusTimes.member(status, Shape.timestamp().nullable());
        }
        JsonNode none = BodyReader.mapper().createObjectNode();
        RECEIVER = Relationship.toOneOf("receiver", List.of(new Relationship.Target("patient", receiverPatient),
                new Relationship.Target("coach", receiverCoach))).writable().asRequired();
        SENDER = Relationship.toOne("sender", "coach", senderId).writable();
        TYPE = builder
                .attribute(Attribute.string("twine_email_id", builder.column("twine_email_id", SQLDataType.VARCHAR))
                        .notNull().asReadOnly())
                .attribute(Attribute.of("email_address", builder.column("email_address", SQLDataType.VARCHAR),
                        Shape.string().email()).asRequired().maxLength(320).immutable())
                .attribute(Attribute.string("email_type", emailType).asRequired().maxLength(100).immutable())
                .attribute(Attribute.of("send_time", sendTime, Shape.timestamp()).asRequired().immutable())
                .attribute(Attribute.of("status_times", STATUS_TIMES, statusTimes).defaultValue(none).clearedTo(none))
                .auditAttributes()
                .relationship(RECEIVER)
                .relationship(SENDER)
                .filter(new FilterDef("receiver", FilterKind.ID_LIST, ids -> RECEIVER.pointsToAny(ids(ids)))
                        .describedAs("Comma-separated patient or coach ids: emails sent to them.")
                        .idsOf("patient", "coach"))
                .filter(new FilterDef("sender", FilterKind.ID_LIST, ids -> senderId.in(ids(ids)))
                        .describedAs("Comma-separated coach ids: emails they sent.").idsOf("coach"))
                .filter(new FilterDef("emailType", FilterKind.STRING, type -> emailType.eq((String) type)))
                .auditFilters()
                .sort(new SortField("send_time", sendTime, AttributeType.TIMESTAMP, false))
                .requireOneOf("receiver", "sender")
                .tenant(organizationId)
                .rules(new EmailHistoryRules())
                .describedAs("A record of an email sent to a patient or a coach, with the times of its delivery "
                        + "statuses.")
                .scope(caller -> visible(organizationId, receiverPatient, receiverCoach, caller))
                .build();
    }

    private EmailHistoryResource() {
    }

    /**
     * The caller's organization; for a group-scoped client, an email whose receiver it can see: a patient of its
     * groups, or a coach it sees under the coaches' rule (a coach of its groups, or of one of its patients).
     */
    private static Condition visible(Field<String> organizationId, Field<String> receiverPatient,
            Field<String> receiverCoach, Caller caller) {
        if (!caller.groupScoped()) {
            return TenantScope.sameOrganization(organizationId, caller);
        }
        ResourceType coach = CoachResource.TYPE;
        return PatientMembership.visible(organizationId, receiverPatient, caller)
                .or(TenantScope.sameOrganization(organizationId, caller).and(DSL.exists(DSL.selectOne()
                        .from(coach.table()).where(coach.id().eq(receiverCoach)).and(coach.scope(caller)))));
    }


    @SuppressWarnings("unchecked")
    private static List<String> ids(Object value) {
        return (List<String>) value;
    }
}
