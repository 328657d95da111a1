package dev.openplus.auth;

import java.util.Set;

import dev.openplus.jsonapi.Caller;

/**
 * Who is calling: an API client of one organization, scoped to the whole organization or to some of its groups.
 * Every query of tenant data is restricted by it.
 */
public record Principal(String clientId, String organizationId, boolean groupScoped, Set<String> groupIds,
        String tokenId, String familyId) implements Caller {

    public Principal {
        groupIds = Set.copyOf(groupIds);
    }

    @Override
    public String actorId() {
        return clientId;
    }
}
