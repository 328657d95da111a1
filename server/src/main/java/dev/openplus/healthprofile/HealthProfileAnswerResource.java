package dev.openplus.healthprofile;

import java.time.OffsetDateTime;

import org.jooq.Field;
import org.jooq.impl.SQLDataType;

import dev.openplus.membership.PatientMembership;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.Shape;

/**
 * A patient's answers to one catalogue question: {@code history} holds every answer given (in the order recorded),
 * {@code latest} the one with the latest {@code answered_at}. An answer is recorded with
 * {@code POST /pub/health_profile_answer} (an OpenPlus extension, see {@link HealthProfileAnswerRules}): the first
 * answer to a question creates the resource, later ones are appended to it.
 */
public final class HealthProfileAnswerResource {
    public static final ResourceType TYPE;
    public static final Relationship PATIENT;
    static final Field<String> ID;

    static final Shape ENTRY = Shape.object()
            .required("answered_at", Shape.timestamp())
            .required("value", Shape.string())
            .member("_created_by", Shape.string().nullable());

    static {
        ResourceType.Builder builder = ResourceType.builder("health_profile_answer", "health_profile_answer");
        ID = builder.id();
        Field<String> organizationId = builder.column("organization_id", SQLDataType.CHAR(24));
        Field<String> patientId = builder.column("patient_id", SQLDataType.CHAR(24));
        Field<OffsetDateTime> answeredAt = builder.column("latest_answered_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        PATIENT = Relationship.toOne("patient", "patient", patientId).writable().asRequired();
        builder
                .attribute(Attribute.string("question_id", builder.column("question_id", SQLDataType.VARCHAR))
                        .asRequired().maxLength(20)
                        .describedAs("The id of the health question definition this answers."))
                .attribute(Attribute.of("history", builder.column("history", SQLDataType.JSONB),
                        Shape.arrayOf(ENTRY.serverId("_id"))).notNull().asReadOnly())
                .attribute(Attribute.of("latest", builder.column("latest", SQLDataType.JSONB), ENTRY).notNull()
                        .asReadOnly())
                .attribute(Attribute.string("value", builder.column("latest_value", SQLDataType.VARCHAR))
                        .asRequired().maxLength(1000).asExtension()
                        .describedAs("On create, the answer's value: one of the question's choices. Afterwards the"
                                + " latest answer's value."))
                .attribute(Attribute.of("answered_at", answeredAt, Shape.timestamp()).asExtension()
                        .describedAs("On create, when the question was answered (default: now; not in the future)."
                                + " Afterwards the latest answer's time."))
                .auditAttributes()
                .relationship(PATIENT);
        TYPE = PatientMembership.patientFilters(builder, organizationId, patientId)
                .auditFilters()
                .skipPaging(50, 100)
                .rules(new HealthProfileAnswerRules())
                .describedAs("A patient's answers to one health profile question.")
                .scope(caller -> PatientMembership.visible(organizationId, patientId, caller))
                .build();
    }

    private HealthProfileAnswerResource() {
    }
}
