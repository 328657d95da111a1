package dev.openplus.organization;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.SQLDataType;

import dev.openplus.db.Ids;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.TenantScope;

/** An organization is a tenant; a client sees only its own. */
public final class OrganizationResource {
    public static final ResourceType TYPE;
    private static final Field<String> NAME;

    static {
        ResourceType.Builder builder = ResourceType.builder("organization", "organization");
        NAME = builder.column("name", SQLDataType.VARCHAR);
        Field<String> id = builder.id();
        TYPE = builder
                .attribute(Attribute.string("name", NAME).asRequired().maxLength(255))
                .auditAttributes()
                .scope(caller -> TenantScope.sameOrganization(id, caller))
                .build();
    }

    private OrganizationResource() {
    }

    /** Creates an organization (admin CLI and demo seed only: the API has no organization create). */
    public static String create(DSLContext dsl, String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an organization needs a name");
        }
        String id = Ids.newId();
        dsl.insertInto(TYPE.table()).set(TYPE.id(), id).set(NAME, name.strip()).execute();
        return id;
    }

    public static boolean exists(DSLContext dsl, String id) {
        return Ids.isWellFormed(id) && dsl.fetchExists(TYPE.table(), TYPE.id().eq(id));
    }
}
