package dev.openplus.jsonapi;

import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The building blocks of every tenant condition. Each binds the caller's organization or its group list as
 * one value ({@code = any(?)} for the groups, whatever their number), so that the SQL text of a scoped query
 * depends only on the caller's kind (organization- or group-scoped): the repository renders such queries
 * once and reuses them.
 */
public final class TenantScope {
    private TenantScope() {
    }

    public static Condition sameOrganization(Field<String> organizationId, Caller caller) {
        return organizationId.eq(DSL.val(caller.organizationId(), SQLDataType.CHAR(24)));
    }

    public static Condition inAllowedGroups(Field<String> groupId, Caller caller) {
        return groupId.eq(DSL.any(DSL.val(caller.groupIds().toArray(String[]::new), SQLDataType.CHAR(24).array())));
    }
}
