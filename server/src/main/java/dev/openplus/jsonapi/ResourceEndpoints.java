package dev.openplus.jsonapi;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import dev.openplus.auth.Principal;
import dev.openplus.db.Database;
import dev.openplus.db.Ids;
import dev.openplus.group.GroupResource;
import dev.openplus.http.Exchange;
import io.javalin.http.Context;

/**
 * The generic read endpoints every resource type uses: fetch one by id and list a collection, with filters,
 * both paging strategies, sort, include, sparse fieldsets, links and {@code meta.count}. Feature packages only
 * describe their types and add what is specific to them.
 */
public final class ResourceEndpoints {
    private final Database database;
    private final ResourceRepository repository;
    private final QueryParser parser;
    private final DocumentWriter writer;

    public ResourceEndpoints(Database database, ResourceRegistry registry, String webAppUrl) {
        this.writer = new DocumentWriter(webAppUrl);
        this.database = database;
        this.repository = new ResourceRepository(registry);
        this.parser = new QueryParser(registry);
    }

    public ResourceRepository repository() {
        return repository;
    }

    public DocumentWriter writer() {
        return writer;
    }

    public QueryParser parser() {
        return parser;
    }

    /** GET /pub/{type}/{id}: one statement for the resource, one more per include. */
    public void fetch(Context ctx, ResourceType type, String id) {
        CollectionQuery query = parser.parseFetch(type, ctx.queryParamMap());
        Principal principal = Exchange.principal(ctx);
        if (!Ids.isWellFormed(id)) {
            throw ApiException.notFound(type.name(), id);
        }
        java.util.function.Function<DSLContext, Void> read = dsl -> {
            ResourceRow row = repository.fetch(dsl, type, principal, id)
                    .orElseThrow(() -> ApiException.notFound(type.name(), id));
            List<ResourceRow> included = repository.included(dsl, principal, List.of(row), query.includes());
            Exchange.respond(ctx, 200, writer.resource(row, included, query.fields(),
                    DocumentWriter.Meta.of(Exchange.reqId(ctx))));
            return null;
        };
        if (query.includes().isEmpty()) {
            // One statement is its own transaction: no BEGIN/COMMIT round trips on the hottest read.
            read.apply(database.dsl());
        } else {
            database.transaction(read);
        }
    }

    /** Answers a write with the stored resource, as a fetch of it would (the includes of the request apply). */
    public void respondWith(Context ctx, DSLContext dsl, int status, ResourceType type, String id,
            List<String> ignored) {
        CollectionQuery query = parser.parseFetch(type, ctx.queryParamMap());
        Principal principal = Exchange.principal(ctx);
        ResourceRow row = repository.fetch(dsl, type, principal, id)
                .orElseThrow(() -> ApiException.notFound(type.name(), id));
        List<ResourceRow> included = repository.included(dsl, principal, List.of(row), query.includes());
        Exchange.respond(ctx, status, writer.resource(row, included, query.fields(),
                new DocumentWriter.Meta(Exchange.reqId(ctx), null, ignored.isEmpty() ? null : ignored)));
    }

    /** GET /pub/{type}: the collection under the caller's scope; the type's required filters apply. */
    public void collection(Context ctx, ResourceType type) {
        collection(ctx, type, DSL.noCondition(), true);
    }

    /** A sub-collection whose path already restricts it ({@code base}): no filter is required. */
    public void collectionWithoutRequiredFilters(Context ctx, ResourceType type, Condition base) {
        collection(ctx, type, base, false);
    }

    private void collection(Context ctx, ResourceType type, Condition base, boolean requiredFilters) {
        CollectionQuery query = parser.parseCollection(type, ctx.queryParamMap(), requiredFilters);
        Principal principal = Exchange.principal(ctx);
        database.transaction(dsl -> {
            checkScopedFilters(dsl, principal, query);
            ResourceRepository.PageResult result = repository.list(dsl, type, principal, query, base);
            List<ResourceRow> included = repository.included(dsl, principal, result.rows(), query.includes());
            Map<String, String> links = links(ctx.path(), query, result);
            Exchange.respond(ctx, 200, writer.collection(result.rows(), included, query.fields(), links,
                    new DocumentWriter.Meta(Exchange.reqId(ctx), result.count(), null)));
            return null;
        });
    }

    /**
     * A filter naming an organization or group outside the caller's scope is refused (403), never answered
     * with an empty list: the caller must learn that the filter cannot be served.
     */
    private void checkScopedFilters(DSLContext dsl, Principal principal, CollectionQuery query) {
        ApiException.Collector problems = new ApiException.Collector();
        for (Map.Entry<FilterDef, Object> filter : query.filters().entrySet()) {
            String parameter = query.parameterOf(filter.getKey());
            if (filter.getKey().kind() == FilterKind.ORGANIZATION
                    && !principal.organizationId().equals(filter.getValue())) {
                problems.add(new ApiError(ErrorCode.Forbidden.status(), ErrorCode.Forbidden,
                        "the organization is outside this client's scope", null, parameter));
            } else if (filter.getKey().kind() == FilterKind.GROUPS) {
                @SuppressWarnings("unchecked")
                List<String> groupIds = (List<String>) filter.getValue();
                if (!GroupResource.allInScope(dsl, principal, groupIds)) {
                    problems.add(new ApiError(ErrorCode.Forbidden.status(), ErrorCode.Forbidden,
                            "a group is outside this client's scope", null, parameter));
                }
            }
        }
        problems.throwIfAny();
    }

    private static Map<String, String> links(String path, CollectionQuery query,
            ResourceRepository.PageResult result) {
        Map<String, String> links = new LinkedHashMap<>();
        if (query.page() instanceof Page.Skip skip) {
            links.put("self", link(path, query, skipPage(skip.number(), skip.size())));
            if (skip.size() == 0) {
                return links;
            }
            long last = Math.max(1, (result.count() + skip.size() - 1) / skip.size());
            links.put("first", link(path, query, skipPage(1, skip.size())));
            links.put("last", link(path, query, skipPage(last, skip.size())));
            if (skip.number() > 1) {
                long previous = Math.min(skip.number() - 1L, last);
                links.put("prev", link(path, query, skipPage(previous, skip.size())));
            }
            if (result.hasMore()) {
                links.put("next", link(path, query, skipPage(skip.number() + 1, skip.size())));
            }
            return links;
        }
        Page.Cursor cursor = (Page.Cursor) query.page();
        Map<String, Object> self = new LinkedHashMap<>();
        self.put("page[limit]", cursor.limit());
        if (cursor.after() != null) {
            self.put("page[after]", cursor.after().encode());
        }
        links.put("self", link(path, query, self));
        if (result.hasMore() && !result.rows().isEmpty()) {
            CursorPosition next = ResourceRepository.positionOf(result.rows().get(result.rows().size() - 1),
                    query.sort());
            Map<String, Object> nextPage = new LinkedHashMap<>();
            nextPage.put("page[limit]", cursor.limit());
            nextPage.put("page[after]", next.encode());
            links.put("next", link(path, query, nextPage));
        }
        return links;
    }

    private static Map<String, Object> skipPage(long number, int size) {
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("page[number]", number);
        page.put("page[size]", size);
        return page;
    }

    private static String link(String path, CollectionQuery query, Map<String, ?> page) {
        StringBuilder link = new StringBuilder(path);
        char separator = '?';
        Map<String, Object> parameters = new LinkedHashMap<>(query.rawParameters());
        parameters.putAll(page);
        for (Map.Entry<String, Object> parameter : parameters.entrySet()) {
            link.append(separator).append(parameter.getKey()).append('=')
                    .append(URLEncoder.encode(String.valueOf(parameter.getValue()), StandardCharsets.UTF_8)
                            .replace("+", "%20"));
            separator = '&';
        }
        return link.toString();
    }
}
