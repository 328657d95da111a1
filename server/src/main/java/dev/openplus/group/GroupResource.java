package dev.openplus.group;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import dev.openplus.db.Ids;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.AttributeType;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.FilterKind;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.SortField;
import dev.openplus.jsonapi.TenantScope;
import dev.openplus.jsonapi.WriteBatch;
import dev.openplus.jsonapi.WriteRules;

/**
 * A group is a cohort of patients within an organization. Group-scoped clients see only their groups and
 * cannot create any. Everything else about groups (create, fetch, list) is the generic engine's.
 */
public final class GroupResource {
    public static final ResourceType TYPE;
    public static final Field<String> ORGANIZATION_ID;
    public static final Field<String> NAME;
    private static final Field<String> BIO;
    private static final Field<String> CREATED_BY;
    private static final Field<String> UPDATED_BY;

    /** Only an organization-scoped client may create groups. */
    private static final WriteRules RULES = new WriteRules() {
        @Override
        public void authorize(Caller caller, WriteBatch.Mode mode) {
            if (caller.groupScoped()) {
                throw ApiException.forbidden("a group-scoped client cannot create groups");
            }
        }
    };

    static {
        ResourceType.Builder builder = ResourceType.builder("group", "patient_group");
        Field<String> id = builder.id();
        ORGANIZATION_ID = builder.column("organization_id", SQLDataType.CHAR(24));
        NAME = builder.column("name", SQLDataType.VARCHAR);
        BIO = builder.column("bio", SQLDataType.VARCHAR);
        CREATED_BY = builder.column("created_by", SQLDataType.VARCHAR);
        UPDATED_BY = builder.column("updated_by", SQLDataType.VARCHAR);
        TYPE = builder
                .attribute(Attribute.string("name", NAME).asRequired().maxLength(255))
                .attribute(Attribute.string("bio", BIO).maxLength(10_000))
                .auditAttributes()
                .relationship(Relationship.toOne("organization", "organization", ORGANIZATION_ID).asExtension())
                .filter(new FilterDef("organization", FilterKind.ORGANIZATION, org -> ORGANIZATION_ID.eq((String) org)))
                .filter(new FilterDef("name", FilterKind.STRING, name -> NAME.eq((String) name)))
                .auditFilters()
                .sort(new SortField("name", NAME, AttributeType.STRING, false))
                .requireOneOf("organization")
                .tenant(ORGANIZATION_ID)
                .rules(RULES)
                .scope(caller -> TenantScope.sameOrganization(ORGANIZATION_ID, caller).and(beyondOrganization(id, caller)))
                .linkScope((target, caller) -> Optional.of(beyondOrganization(target, caller)))
                .build();
    }

    private GroupResource() {
    }

    /** Within its organization, a group-scoped client sees its own groups only. */
    private static Condition beyondOrganization(Field<String> id, Caller caller) {
        return caller.groupScoped() ? TenantScope.inAllowedGroups(id, caller) : DSL.noCondition();
    }

    /** Creates a group directly (admin CLI, demo seed, a patient's {@code meta.query} that matches none). */
    public static String create(DSLContext dsl, String organizationId, String name, String bio, String actor) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a group needs a name");
        }
        String id = Ids.newId();
        dsl.insertInto(TYPE.table()).set(TYPE.id(), id).set(ORGANIZATION_ID, organizationId).set(NAME, name)
                .set(BIO, bio).set(CREATED_BY, actor).set(UPDATED_BY, actor).execute();
        return id;
    }

    /** The given ids that are groups of the organization. */
    public static List<String> idsInOrganization(DSLContext dsl, String organizationId, Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return dsl.select(TYPE.id()).from(TYPE.table())
                .where(TYPE.id().in(ids)).and(ORGANIZATION_ID.eq(organizationId)).fetch(TYPE.id());
    }

    /** True when every id is a group in the caller's scope (its organization, and its groups if group-scoped). */
    public static boolean allInScope(DSLContext dsl, Caller caller, Collection<String> ids) {
        if (!ids.stream().allMatch(caller::allowsGroup)) {
            return false;
        }
        return idsInOrganization(dsl, caller.organizationId(), ids).size() == Set.copyOf(ids).size();
    }
}
