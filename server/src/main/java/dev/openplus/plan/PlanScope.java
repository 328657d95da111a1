package dev.openplus.plan;

import java.util.List;

import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.TenantScope;

/**
 * The tenant rule of everything that belongs to a patient (plans, actions, bundles, metrics, results): the
 * caller's organization, and for a group-scoped caller a patient in one of its groups. Reads the patients'
 * group membership table by name, so that this package does not depend on the patient feature (which calls
 * it to create each patient's plan summary).
 */
public final class PlanScope {
    private static final Table<?> MEMBER = DSL.table(DSL.name("patient_group_member"));
    private static final Field<String> MEMBER_PATIENT = DSL.field(DSL.name("patient_group_member", "patient_id"),
            SQLDataType.CHAR(24));
    private static final Field<String> MEMBER_GROUP = DSL.field(DSL.name("patient_group_member", "group_id"),
            SQLDataType.CHAR(24));

    private PlanScope() {
    }

    /** Rows whose patient the caller may see. */
    public static Condition ofPatient(Field<String> organizationId, Field<String> patientId, Caller caller) {
        Condition organization = TenantScope.sameOrganization(organizationId, caller);
        return caller.groupScoped()
                ? organization.and(DSL.exists(DSL.selectOne().from(MEMBER).where(MEMBER_PATIENT.eq(patientId))
                        .and(TenantScope.inAllowedGroups(MEMBER_GROUP, caller))))
                : organization;
    }

    /** Rows whose patient belongs to at least one of the groups ({@code filter[groups]}). */
    public static Condition patientInGroups(Field<String> patientId, List<String> groupIds) {
        return DSL.exists(DSL.selectOne().from(MEMBER).where(MEMBER_PATIENT.eq(patientId)).and(MEMBER_GROUP.in(groupIds)));
    }
}
