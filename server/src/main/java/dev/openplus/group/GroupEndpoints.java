package dev.openplus.group;

import dev.openplus.auth.Principal;
import dev.openplus.db.Database;
import dev.openplus.http.Exchange;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.ResourceEndpoints;
import io.javalin.http.Context;

/** POST /pub/group: a group in the caller's organization. Reads use the generic endpoints. */
public final class GroupEndpoints {
    private final Database database;
    private final ResourceEndpoints resources;

    public GroupEndpoints(Database database, ResourceEndpoints resources) {
        this.database = database;
        this.resources = resources;
    }

    public void create(Context ctx) {
        Principal principal = Exchange.principal(ctx);
        if (principal.groupScoped()) {
            throw ApiException.forbidden("a group-scoped client cannot create groups");
        }
        BodyReader.ResourceInput input = BodyReader.resource(
                BodyReader.singleData(BodyReader.parseDocument(ctx.bodyAsBytes())), "/data", GroupResource.TYPE,
                BodyReader.Mode.CREATE, null);
        database.transaction(dsl -> {
            String id = GroupResource.create(dsl, principal.organizationId(), (String) input.value("name"),
                    (String) input.value("bio"), principal.clientId());
            resources.respondWith(ctx, dsl, 201, GroupResource.TYPE, id, input.ignored());
            return null;
        });
    }
}
