package dev.openplus.jsonapi;

import java.util.Set;

/**
 * Who is calling, as far as the engine needs to know: the tenant (one organization), whether the caller is
 * restricted to some of its groups, and who to record as the author of writes. The authentication layer
 * supplies it; the engine never learns how it was established.
 */
public interface Caller {
    String organizationId();

    /** True when the caller sees only {@link #groupIds()} and what belongs to them. */
    boolean groupScoped();

    Set<String> groupIds();

    /** The id written to {@code created_by} / {@code updated_by}; null for the operator (CLI, demo seed). */
    String actorId();

    /** True when the group lies in this caller's scope (it must also belong to the organization). */
    default boolean allowsGroup(String groupId) {
        return !groupScoped() || groupIds().contains(groupId);
    }

    /** The operator of an organization: whole-organization scope, no actor id. */
    static Caller operator(String organizationId) {
        return new Operator(organizationId);
    }

    record Operator(String organizationId) implements Caller {
        @Override
        public boolean groupScoped() {
            return false;
        }

        @Override
        public Set<String> groupIds() {
            return Set.of();
        }

        @Override
        public String actorId() {
            return null;
        }
    }
}
