package dev.openplus.healthprofile;

import java.util.List;

import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.FilterKind;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.TenantScope;

/**
 * What every per-patient health type shares: the tenant rule (the organization; for a group-scoped client, patients
 * in its groups) and the list filters {@code filter[patient]}, {@code filter[groups]} (alias {@code filter[group]})
 * and {@code filter[organization]}, one of which is required. The patient feature calls into this one (to create
 * profiles), so this one names the patients' group membership table itself rather than depending back on it.
 */
final class PatientOwned {
    private static final Table<?> MEMBER = DSL.table(DSL.name("patient_group_member"));
    private static final Field<String> MEMBER_PATIENT = DSL.field(DSL.name("patient_group_member", "patient_id"),
            SQLDataType.CHAR(24));
    private static final Field<String> MEMBER_GROUP = DSL.field(DSL.name("patient_group_member", "group_id"),
            SQLDataType.CHAR(24));

    private PatientOwned() {
    }

    static Condition scope(Field<String> organizationId, Field<String> patientId, Caller caller) {
        Condition organization = TenantScope.sameOrganization(organizationId, caller);
        return caller.groupScoped()
                ? organization.and(DSL.exists(DSL.selectOne().from(MEMBER)
                        .where(MEMBER_PATIENT.eq(patientId))
                        .and(TenantScope.inAllowedGroups(MEMBER_GROUP, caller))))
                : organization;
    }

    @SuppressWarnings("unchecked")
    static ResourceType.Builder filters(ResourceType.Builder builder, Field<String> organizationId,
            Field<String> patientId) {
        return builder
                .filter(new FilterDef("patient", FilterKind.ID_LIST, ids -> patientId.in((List<String>) ids))
                        .describedAs("Comma-separated patient ids."))
                .filter(new FilterDef("groups", FilterKind.GROUPS, groups -> DSL.exists(DSL.selectOne()
                        .from(MEMBER).where(MEMBER_PATIENT.eq(patientId))
                        .and(MEMBER_GROUP.in((List<String>) groups))))
                        .describedAs("Comma-separated group ids: the data of the patients in these groups."))
                .filterAlias("group", "groups")
                .filter(new FilterDef("organization", FilterKind.ORGANIZATION,
                        organization -> organizationId.eq((String) organization)))
                .requireOneOf("patient", "groups", "organization");
    }
}
