package dev.openplus.coach;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import dev.openplus.db.Ids;
import dev.openplus.group.GroupResource;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.AttributeType;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.FilterKind;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.SortField;
import dev.openplus.jsonapi.TenantScope;
import dev.openplus.jsonapi.Caller;

/**
 * A coach supports patients; belongs to one organization and to groups. A group-scoped client sees the coaches
 * of its groups only.
 */
public final class CoachResource {
    public static final ResourceType TYPE;
    public static final Table<?> COACH_GROUP = DSL.table(DSL.name("coach_group"));
    public static final Field<String> COACH_GROUP_COACH = DSL.field(DSL.name("coach_group", "coach_id"), SQLDataType.CHAR(24));
    public static final Field<String> COACH_GROUP_GROUP = DSL.field(DSL.name("coach_group", "group_id"), SQLDataType.CHAR(24));
    private static final Field<String> COACH_GROUP_ORGANIZATION = DSL.field(DSL.name("coach_group", "organization_id"), SQLDataType.CHAR(24));
    private static final Field<String> ORGANIZATION_ID;
    private static final Field<String> FIRST_NAME;
    private static final Field<String> LAST_NAME;

    static {
        ResourceType.Builder builder = ResourceType.builder("coach", "coach");
        Field<String> id = builder.id();
        ORGANIZATION_ID = builder.column("organization_id", SQLDataType.CHAR(24));
        FIRST_NAME = builder.column("first_name", SQLDataType.VARCHAR);
        LAST_NAME = builder.column("last_name", SQLDataType.VARCHAR);
        TYPE = builder
                .attribute(Attribute.string("first_name", FIRST_NAME).maxLength(255))
                .attribute(Attribute.string("last_name", LAST_NAME).maxLength(255))
                .auditAttributes()
                .relationship(Relationship.toOne("organization", "organization", ORGANIZATION_ID).asExtension())
                .relationship(Relationship.toMany("groups", "group", COACH_GROUP, COACH_GROUP_COACH, COACH_GROUP_GROUP)
                        .joinOrganization(COACH_GROUP_ORGANIZATION).asExtension())
                .filter(new FilterDef("organization", FilterKind.ORGANIZATION, org -> ORGANIZATION_ID.eq((String) org)))
                .filter(new FilterDef("groups", FilterKind.GROUPS, groups -> DSL.exists(DSL.selectOne().from(COACH_GROUP)
                        .where(COACH_GROUP_COACH.eq(id)).and(COACH_GROUP_GROUP.in(castIds(groups))))))
                .filterAlias("group", "groups")
                .auditFilters()
                .sort(new SortField("first_name", FIRST_NAME, AttributeType.STRING, true))
                .sort(new SortField("last_name", LAST_NAME, AttributeType.STRING, true))
                .requireOneOf("groups", "organization")
                .tenant(ORGANIZATION_ID)
                .scope(caller -> TenantScope.sameOrganization(ORGANIZATION_ID, caller).and(beyondOrganization(id, caller)))
                .linkScope((target, caller) -> Optional.of(beyondOrganization(target, caller)))
                .build();
    }

    private CoachResource() {
    }

    /** Within its organization, a group-scoped client sees the coaches of its groups only. */
    private static org.jooq.Condition beyondOrganization(Field<String> id, Caller caller) {
        return caller.groupScoped() ? inAllowedGroups(id, caller) : DSL.noCondition();
    }

    /**
     * For a group-scoped client: the coach belongs to one of its groups, or coaches a patient of one of them
     * ("their patients and everything related to those patients").
     */
    private static org.jooq.Condition inAllowedGroups(Field<String> id, Caller caller) {
        Table<?> member = DSL.table(DSL.name("patient_group_member")).as("m");
        Table<?> coaching = DSL.table(DSL.name("patient_coach")).as("pc");
        Field<String> memberPatient = DSL.field(DSL.name("m", "patient_id"), SQLDataType.CHAR(24));
        Field<String> memberGroup = DSL.field(DSL.name("m", "group_id"), SQLDataType.CHAR(24));
        Field<String> coachingPatient = DSL.field(DSL.name("pc", "patient_id"), SQLDataType.CHAR(24));
        Field<String> coachingCoach = DSL.field(DSL.name("pc", "coach_id"), SQLDataType.CHAR(24));
        return DSL.exists(DSL.selectOne().from(COACH_GROUP)
                        .where(COACH_GROUP_COACH.eq(id)).and(TenantScope.inAllowedGroups(COACH_GROUP_GROUP, caller)))
                .or(DSL.exists(DSL.selectOne().from(coaching).join(member).on(memberPatient.eq(coachingPatient))
                        .where(coachingCoach.eq(id)).and(TenantScope.inAllowedGroups(memberGroup, caller))));
    }

    @SuppressWarnings("unchecked")
    private static List<String> castIds(Object value) {
        return (List<String>) value;
    }

    /** Creates a coach in the organization and its groups (admin CLI and demo seed). */
    public static String create(DSLContext dsl, String organizationId, String firstName, String lastName,
            List<String> groupIds) {
        Set<String> groups = Set.copyOf(groupIds);
        if (GroupResource.idsInOrganization(dsl, organizationId, groups).size() != groups.size()) {
            throw new IllegalArgumentException("every group must belong to organization " + organizationId);
        }
        String id = Ids.newId();
        dsl.insertInto(TYPE.table()).set(TYPE.id(), id).set(ORGANIZATION_ID, organizationId)
                .set(FIRST_NAME, firstName).set(LAST_NAME, lastName).execute();
        for (String groupId : groups) {
            dsl.insertInto(COACH_GROUP).set(COACH_GROUP_COACH, id).set(COACH_GROUP_GROUP, groupId)
                    .set(COACH_GROUP_ORGANIZATION, organizationId).execute();
        }
        return id;
    }
}
