package dev.openplus.healthprofile;

import java.util.Collection;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Gives new patients their health profile: the profile row and one row per catalogue question (whether a question
 * is in the profile is decided when it is read, from the patient's birth date and gender). One statement for any
 * number of patients; the patient feature calls it after inserting patients.
 */
public final class HealthProfiles {
    private static final String CREATE = """
            with profile as (
                insert into health_profile (id, organization_id, patient_id, created_by, updated_by)
                select openplus_new_id(), p.organization_id, p.id, {1}, {1} from patient p where p.id = any({0})
                returning id, organization_id, patient_id)
            insert into health_profile_item (id, organization_id, patient_id, profile_id, question_definition_id,
                created_by, updated_by)
            select openplus_new_id(), profile.organization_id, profile.patient_id, profile.id, d.id, {1}, {1}
            from profile cross join health_question_definition d""";

    private HealthProfiles() {
    }

    public static void createFor(DSLContext dsl, Collection<String> patientIds, String actorId) {
        if (patientIds.isEmpty()) {
            return;
        }
        dsl.execute(CREATE, DSL.val(patientIds.toArray(String[]::new), SQLDataType.CHAR(24).array()),
                DSL.val(actorId, SQLDataType.VARCHAR));
    }
}
