package dev.openplus.auth;

import java.util.Set;

/**
 * Who is calling: an API client of one organization, scoped to the whole organization or to some of its groups.
 * Every query of tenant data is restricted by it.
 */
public record Principal(String clientId, String organizationId, boolean groupScoped, Set<String> groupIds,
        String tokenId, String familyId) {

    public Principal {
        groupIds = Set.copyOf(groupIds);
    }

    /** True when the group lies in this principal's scope (it must also belong to the organization). */
    public boolean allowsGroup(String groupId) {
        return !groupScoped || groupIds.contains(groupId);
    }
}
