package dev.openplus.healthprofile;

import java.util.Collection;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import dev.openplus.jsonapi.Caller;

/**
 * Gives new patients their health profile: one row per patient, nothing per question (which questions are in a
 * profile is decided when it is read, from the patient's birth date and gender; a question's id is derived from
 * the profile's id and the question's number). One statement for any number of patients; the patient feature
 * calls it after inserting patients.
 * <p>
 * A profile id is a standard id whose last {@value #QUESTION_DIGITS} hex characters are zeros; a profile
 * question's id puts the catalogue number there (in hex), so a profile id is never one of its questions' ids and
 * ids of one profile's questions sort like their numbers. The catalogue's check keeps numbers within what
 * {@value #QUESTION_DIGITS} hex digits hold (migration V8).
 */
public final class HealthProfiles {
    /** Hex digits of a profile question's id that hold the question's catalogue number. */
    public static final int QUESTION_DIGITS = 4;

    /**
     * A new profile id is a new standard id with its last four hex characters zeroed: 48 random bits per second
     * are left, so two profiles created in the same second may, very rarely, draw the same id. Such a row is
     * skipped ({@code ON CONFLICT DO NOTHING}) and inserted again with a new id.
     */
    private static final String CREATE = """
            insert into health_profile (id, organization_id, patient_id, created_by, updated_by)
            select overlay(openplus_new_id() placing '0000' from 21), {1}, p.id, {2}, {2}
            from unnest({0}) as p (id)
            %s
            on conflict (id) do nothing""";
    private static final String CREATE_ALL = CREATE.formatted("");
    private static final String CREATE_MISSING = CREATE.formatted(
            "where not exists (select 1 from health_profile h where h.patient_id = p.id)");

    private HealthProfiles() {
    }

    public static void createFor(DSLContext dsl, Caller caller, Collection<String> patientIds) {
        if (patientIds.isEmpty()) {
            return;
        }
        int created = insert(dsl, caller, patientIds, true);
        // Only after an id collision (see CREATE): the patients still without a profile get one with a new id.
        for (int attempt = 0; created < patientIds.size(); attempt++) {
            if (attempt == 3) {
                throw new IllegalStateException("could not draw unused health profile ids");
            }
            created += insert(dsl, caller, patientIds, false);
        }
    }

    private static int insert(DSLContext dsl, Caller caller, Collection<String> patientIds, boolean all) {
        return dsl.execute(all ? CREATE_ALL : CREATE_MISSING,
                DSL.val(patientIds.toArray(String[]::new), SQLDataType.CHAR(24).array()),
                DSL.val(caller.organizationId(), SQLDataType.CHAR(24)), DSL.val(caller.actorId(), SQLDataType.VARCHAR));
    }
}
