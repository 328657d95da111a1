package dev.openplus.reward;

import org.jooq.impl.DSL;

import dev.openplus.group.GroupResource;
import dev.openplus.jsonapi.ApiExchange;
import dev.openplus.jsonapi.ResourceEndpoints;

/** The reward operation beyond the generic ones: a program's group, as a collection of one. */
public final class RewardEndpoints {
    private final ResourceEndpoints resources;

    public RewardEndpoints(ResourceEndpoints resources) {
        this.resources = resources;
    }

    /** GET /pub/reward_program/{id}/group: 404 unless the program is in the caller's scope. */
    public void programGroup(ApiExchange exchange) {
        String id = exchange.pathParam("id");
        resources.requireVisible(resources.database().dsl(), exchange.caller(), RewardProgramResource.TYPE, id);
        resources.collectionWithoutRequiredFilters(exchange, GroupResource.TYPE, GroupResource.TYPE.id().in(
                DSL.select(RewardProgramResource.GROUP_ID).from(RewardProgramResource.TYPE.table())
                        .where(RewardProgramResource.ID.eq(id))));
    }
}
