package dev.openplus.membership;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.FilterKind;
import dev.openplus.jsonapi.LinkScope;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.TenantScope;

/**
 * Which groups a patient belongs to ({@code patient_group_member}), and the one tenant rule of everything that
 * belongs to a patient (the patient itself, plans, actions, metrics, results, events, profiles, emails,
 * rewards): the caller's organization, and for a group-scoped caller a patient in one of its groups. It is a
 * package of its own so that every feature can use it, including those the patient feature calls when a
 * patient is created (its plan summary, its health profile), without a cycle between them.
 */
public final class PatientMembership {
    public static final Table<?> TABLE = DSL.table(DSL.name("patient_group_member"));
    public static final Field<String> PATIENT = DSL.field(DSL.name("patient_group_member", "patient_id"), SQLDataType.CHAR(24));
    public static final Field<String> GROUP = DSL.field(DSL.name("patient_group_member", "group_id"), SQLDataType.CHAR(24));
    public static final Field<String> ORGANIZATION = DSL.field(DSL.name("patient_group_member", "organization_id"),
            SQLDataType.CHAR(24));

    /**
     * The tenant rule of a patient's data for join rows that point at it ({@link LinkScope}): the organization
     * is the whole rule for an organization-scoped client; for a group-scoped one the data's patient decides,
     * which only the data's own row tells.
     */
    public static final LinkScope LINK_SCOPE = (targetId, caller) ->
            caller.groupScoped() ? Optional.empty() : Optional.of(DSL.noCondition());

    private PatientMembership() {
    }

    /** Rows of a patient's data the caller may see. */
    public static Condition visible(Field<String> organizationColumn, Field<String> patientColumn, Caller caller) {
        Condition organization = TenantScope.sameOrganization(organizationColumn, caller);
        return caller.groupScoped()
                ? organization.and(DSL.exists(DSL.selectOne().from(TABLE).where(PATIENT.eq(patientColumn))
                        .and(TenantScope.inAllowedGroups(GROUP, caller))))
                : organization;
    }

    /** The patient belongs to at least one of the groups ({@code filter[groups]}). */
    public static Condition inGroups(Field<String> patientColumn, Collection<String> groupIds) {
        return DSL.exists(DSL.selectOne().from(TABLE).where(PATIENT.eq(patientColumn)).and(GROUP.in(groupIds)));
    }

    /**
     * The list filters of a patient's data: {@code filter[patient]}, {@code filter[groups]} (alias
     * {@code filter[group]}) and {@code filter[organization]}, one of which is required.
     */
    @SuppressWarnings("unchecked")
    public static ResourceType.Builder patientFilters(ResourceType.Builder builder, Field<String> organizationColumn,
            Field<String> patientColumn) {
        return builder
                .filter(new FilterDef("patient", FilterKind.ID_LIST, ids -> patientColumn.in((List<String>) ids))
                        .describedAs("Comma-separated patient ids.").idsOf("patient"))
                .filter(new FilterDef("groups", FilterKind.GROUPS, groups -> inGroups(patientColumn, (List<String>) groups))
                        .describedAs("Comma-separated group ids: the data of the patients in these groups."))
                .filterAlias("group", "groups")
                .filter(new FilterDef("organization", FilterKind.ORGANIZATION,
                        organization -> organizationColumn.eq((String) organization)))
                .requireOneOf("patient", "groups", "organization");
    }
}
