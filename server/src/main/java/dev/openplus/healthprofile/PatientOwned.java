package dev.openplus.healthprofile;

import java.util.List;

import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.impl.DSL;

import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.FilterKind;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.TenantScope;
import dev.openplus.patient.PatientResource;

/**
 * What every per-patient health type shares: the tenant rule (the organization; for a group-scoped client, patients
 * in its groups) and the list filters {@code filter[patient]}, {@code filter[groups]} (alias {@code filter[group]})
 * and {@code filter[organization]}, one of which is required.
 */
final class PatientOwned {
    private PatientOwned() {
    }

    static Condition scope(Field<String> organizationId, Field<String> patientId, Caller caller) {
        Condition organization = TenantScope.sameOrganization(organizationId, caller);
        return caller.groupScoped()
                ? organization.and(DSL.exists(DSL.selectOne().from(PatientResource.MEMBER)
                        .where(PatientResource.MEMBER_PATIENT.eq(patientId))
                        .and(TenantScope.inAllowedGroups(PatientResource.MEMBER_GROUP, caller))))
                : organization;
    }

    @SuppressWarnings("unchecked")
    static ResourceType.Builder filters(ResourceType.Builder builder, Field<String> organizationId,
            Field<String> patientId) {
        return builder
                .filter(new FilterDef("patient", FilterKind.ID_LIST, ids -> patientId.in((List<String>) ids))
                        .describedAs("Comma-separated patient ids."))
                .filter(new FilterDef("groups", FilterKind.GROUPS, groups -> DSL.exists(DSL.selectOne()
                        .from(PatientResource.MEMBER).where(PatientResource.MEMBER_PATIENT.eq(patientId))
                        .and(PatientResource.MEMBER_GROUP.in((List<String>) groups))))
                        .describedAs("Comma-separated group ids: the data of the patients in these groups."))
                .filterAlias("group", "groups")
                .filter(new FilterDef("organization", FilterKind.ORGANIZATION,
                        organization -> organizationId.eq((String) organization)))
                .requireOneOf("patient", "groups", "organization");
    }
}
