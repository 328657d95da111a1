package dev.openplus.jsonapi;

import java.util.Collection;

import org.jooq.DSLContext;

/**
 * Whether group ids lie in a caller's scope (groups of its organization, and its own groups when it is
 * group-scoped). Supplied by the group feature: the engine needs it for {@code filter[groups]} but must not
 * know how groups are stored.
 */
@FunctionalInterface
public interface GroupScopeCheck {
    boolean allInScope(DSLContext dsl, Caller caller, Collection<String> groupIds);
}
