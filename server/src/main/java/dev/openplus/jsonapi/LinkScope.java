package dev.openplus.jsonapi;

import java.util.Optional;

import org.jooq.Condition;
import org.jooq.Field;

/**
 * A type's tenant rule as it applies to a join row that points at the type, so that a to-many linkage can be
 * read from its join rows alone instead of joining the target's table only to re-check the tenant. It is used
 * for join rows that carry the tenant ({@link Relationship#joinOrganization}): the write path writes the
 * caller's organization there and links only resources in the caller's scope, so a row's organization is its
 * target's. What the rule asks beyond the organization is given as a condition on the row's target id, or
 * empty where only the target's own row can tell; the linkage then joins the target's table and applies its
 * whole scope, as it does for relationships whose join rows carry no tenant.
 */
@FunctionalInterface
public interface LinkScope {
    Optional<Condition> beyondOrganization(Field<String> targetId, Caller caller);
}
