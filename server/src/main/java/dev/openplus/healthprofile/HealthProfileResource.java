package dev.openplus.healthprofile;

import org.jooq.Field;
import org.jooq.impl.SQLDataType;

import dev.openplus.membership.PatientMembership;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.Shape;

/**
 * A patient's health profile (one per patient, created with the patient): its questions and its stats, answered
 * and total questions per category plus {@code overall}. Its id ends in {@code 0000}: its questions' ids are
 * derived from it ({@link HealthProfiles}). Read from a view that computes the stats in the same
 * statement as the profile; the questions are decided at read time (see {@link HealthProfileQuestionResource}).
 */
public final class HealthProfileResource {
    public static final ResourceType TYPE;

    static final Shape STAT = Shape.object()
            .required("category", Shape.string()
                    .oneOf("lifestyle_behaviors", "mental_wellbeing", "preventative_care", "overall"))
            .required("answered", Shape.integer())
            .required("total", Shape.integer());

    static {
        ResourceType.Builder builder = ResourceType.builder("health_profile", "health_profile_with_stats");
        Field<String> organizationId = builder.column("organization_id", SQLDataType.CHAR(24));
        Field<String> patientId = builder.column("patient_id", SQLDataType.CHAR(24));
        builder
                .attribute(Attribute.of("stats", builder.column("stats", SQLDataType.JSONB), Shape.arrayOf(STAT))
                        .notNull().asReadOnly())
                .auditAttributes()
                .relationship(Relationship.toOne("patient", "patient", patientId))
                .relationship(Relationship.toManyInverse("questions", "health_profile_question",
                        HealthProfileQuestionResource.PROFILE_ID));
        TYPE = PatientMembership.patientFilters(builder, organizationId, patientId)
                .auditFilters()
                .describedAs("A patient's health profile: the catalogue questions that apply to the patient, with stats.")
                .scope(caller -> PatientMembership.visible(organizationId, patientId, caller))
                .build();
    }

    private HealthProfileResource() {
    }
}
