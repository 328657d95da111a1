package dev.openplus.reward;

import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.impl.DSL;

import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.TenantScope;
import dev.openplus.patient.PatientResource;

/**
 * The tenant rule of a patient's reward data (activations, rewards, earnings, fulfillments): the caller's
 * organization, and for a group-scoped client only rows whose patient is a member of one of its groups.
 */
final class RewardScope {
    private RewardScope() {
    }

    static Condition ofPatient(Field<String> organizationId, Field<String> patientId, Caller caller) {
        Condition organization = TenantScope.sameOrganization(organizationId, caller);
        return caller.groupScoped()
                ? organization.and(DSL.exists(DSL.selectOne().from(PatientResource.MEMBER)
                        .where(PatientResource.MEMBER_PATIENT.eq(patientId))
                        .and(TenantScope.inAllowedGroups(PatientResource.MEMBER_GROUP, caller))))
                : organization;
    }

    /** {@code column = any(ids)} for a filter's id list. */
    @SuppressWarnings("unchecked")
    static Condition in(Field<String> column, Object ids) {
        return column.in((java.util.List<String>) ids);
    }
}
