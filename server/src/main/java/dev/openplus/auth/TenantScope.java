package dev.openplus.auth;

import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The building blocks of every tenant condition. Each binds the principal's organization or its group list as
 * one value ({@code = any(?)} for the groups, whatever their number), so that the SQL text of a scoped query
 * depends only on the principal's kind (organization- or group-scoped): the repository renders such queries
 * once and reuses them.
 */
public final class TenantScope {
    private TenantScope() {
    }

    public static Condition sameOrganization(Field<String> organizationId, Principal principal) {
        return organizationId.eq(DSL.val(principal.organizationId(), SQLDataType.CHAR(24)));
    }

    public static Condition inAllowedGroups(Field<String> groupId, Principal principal) {
        return groupId.eq(DSL.any(DSL.val(principal.groupIds().toArray(String[]::new), SQLDataType.CHAR(24).array())));
    }
}
