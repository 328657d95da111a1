package dev.openplus.healthprofile;

import org.jooq.Field;
import org.jooq.impl.SQLDataType;

import dev.openplus.membership.PatientMembership;
import dev.openplus.jsonapi.DerivedId;
import dev.openplus.jsonapi.KeptCount;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;

/**
 * One question of a patient's profile: it relates the catalogue question to the patient's answer, if any. A
 * question is in the profile while the patient meets its requirements (evaluated on every read from the patient's
 * birth date and gender, so an age limit takes effect on the birthday itself) or once it has been answered.
 * Nothing is stored per question: the rows are the view {@code health_profile_question} (profiles × catalogue),
 * and the id is derived from the profile's id and the question's catalogue number (see
 * {@link HealthProfiles#QUESTION_DIGITS}), so it is stable without a row.
 */
public final class HealthProfileQuestionResource {
    public static final ResourceType TYPE;
    /** The profile a question row belongs to (the owner column of the profile's {@code questions}). */
    static final Field<String> PROFILE_ID;

    static {
        ResourceType.Builder builder = ResourceType.builder("health_profile_question", "health_profile_question");
        Field<String> organizationId = builder.column("organization_id", SQLDataType.CHAR(24));
        Field<String> patientId = builder.column("patient_id", SQLDataType.CHAR(24));
        PROFILE_ID = builder.column("profile_id", SQLDataType.CHAR(24));
        builder
                .derivedId(DerivedId.ownerAndNumber(PROFILE_ID, builder.column("question_number", SQLDataType.INTEGER),
                        HealthProfiles.QUESTION_DIGITS))
                .auditAttributes()
                .relationship(Relationship.toOne("question_definition", "health_question_definition",
                        builder.column("question_definition_id", SQLDataType.VARCHAR)))
                .relationship(Relationship.toOne("answer", "health_profile_answer",
                        builder.column("answer_id", SQLDataType.CHAR(24))))
                .relationship(Relationship.toOne("profile", "health_profile", PROFILE_ID));
        TYPE = PatientMembership.patientFilters(builder, organizationId, patientId)
                .describedAs("A question of a patient's health profile, with the patient's answer once given.")
                .scope(caller -> PatientMembership.visible(organizationId, patientId, caller))
                // The whole list of an organization: Σ of the profiles per patient class × the questions the class
                // meets today, plus the answers the patient no longer meets, from counts the database keeps (V15).
                .keptCount(KeptCount.byOrganizationFunction("health_profile_question_count"))
                .build();
    }

    private HealthProfileQuestionResource() {
    }
}
