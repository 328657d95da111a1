package dev.openplus.jsonapi;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import dev.openplus.db.Database;

/**
 * The generic read endpoints every resource type uses: fetch one by id and list a collection, with filters,
 * both paging strategies, sort, include, sparse fieldsets, links and {@code meta.count}. Feature packages only
 * describe their types and add what is specific to them.
 */
public final class ResourceEndpoints implements AutoCloseable {
    private final Database database;
    private final ResourceRepository repository;
    private final QueryParser parser;
    private final DocumentWriter writer;
    private final ResourceRegistry registry;
    private final GroupScopeCheck groupScope;
    private final FetchBatches<FetchScope, ResourceRow> fetchBatches;
    /** Threads that take over a busy scope's queued fetches when a statement ends; this server's own. */
    private final ExecutorService fetchHandOff;

    /**
     * The tenant scope of a fetch (what its statement binds besides the id) and its type: fetches of one such
     * scope may share a statement.
     */
    private record FetchScope(ResourceType type, String organizationId, boolean groupScoped, Set<String> groupIds)
            implements Caller {
        static FetchScope of(ResourceType type, Caller caller) {
            return new FetchScope(type, caller.organizationId(), caller.groupScoped(),
                    caller.groupScoped() ? Set.copyOf(caller.groupIds()) : Set.of());
        }

        @Override
        public String actorId() {
            return null;
        }
    }

    private final Settings settings = new Settings();

    /**
     * @param fetchBatchSize       at most this many fetches by id share one statement
     * @param fetchBatchStatements at most this many such statements run at once for one type and scope
     */
    public ResourceEndpoints(Database database, ResourceRegistry registry, GroupScopeCheck groupScope,
            String webAppUrl, int fetchBatchSize, int fetchBatchStatements) {
        this.writer = new DocumentWriter(webAppUrl);
        this.database = database;
        this.registry = registry;
        this.groupScope = groupScope;
        this.repository = new ResourceRepository(registry);
        this.parser = new QueryParser(registry);
        // As many batched statements in flight as the pool has connections, so that none waits in the pool for
        // another batched statement to give its connection back.
        int maxStatements = database.poolSize();
        this.fetchHandOff = FetchBatches.handOffThreads(maxStatements, "openplus-fetch-batch");
        this.fetchBatches = new FetchBatches<>(
                (scope, ids) -> repository.fetchEach(database.dsl(), scope.type(), scope, ids), fetchBatchSize,
                fetchBatchStatements, maxStatements, fetchHandOff);
    }

    /**
     * Stops the hand-off threads of batched fetches once the web server has stopped: statements running finish,
     * and a fetch still queued gets an error rather than no answer.
     */
    @Override
    public void close() {
        fetchHandOff.shutdown();
        try {
            if (!fetchHandOff.awaitTermination(10, TimeUnit.SECONDS)) {
                fetchHandOff.shutdownNow();
            }
        } catch (InterruptedException e) {
            fetchHandOff.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** The application's settings for the features' rules. */
    public Settings settings() {
        return settings;
    }

    public ResourceRegistry registry() {
        return registry;
    }

    public Database database() {
        return database;
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

    /** Statements that answered batched fetches by id, and the fetches they answered (for the metrics). */
    public long batchedFetchStatements() {
        return fetchBatches.statements();
    }

    public long batchedFetches() {
        return fetchBatches.requests();
    }

    /** Times a hand-off thread took over a scope's queued fetches. */
    public long batchedFetchHandOffs() {
        return fetchBatches.handOffs();
    }

    /** Batched statements in flight, at most the connection pool's size. */
    public int batchedFetchStatementsRunning() {
        return fetchBatches.statementsRunning();
    }

    /** GET /pub/{type}/{id}: one statement for the resource, one more per include. */
    public void fetch(ApiExchange exchange, ResourceType type, String id) {
        CollectionQuery query = parser.parseFetch(type, exchange.queryParams());
        Caller caller = exchange.caller();
        if (!type.isWellFormedId(id)) {
            throw ApiException.notFound(type.name(), id);
        }
        java.util.function.Function<DSLContext, Void> read = dsl -> {
            ResourceRow row = repository.fetch(dsl, type, caller, id)
                    .orElseThrow(() -> ApiException.notFound(type.name(), id));
            List<ResourceRow> included = repository.included(dsl, caller, List.of(row), query.includes());
            exchange.respond(200, writer.resource(row, included, query.fields(),
                    DocumentWriter.Meta.of(exchange.reqId())));
            return null;
        };
        if (query.includes().isEmpty() && ResourceRepository.fetchesManyIds(type) && exchange.deferAnswer()) {
            // The hottest read, where the web layer can answer later: one statement for the fetches of the same
            // scope that arrive meanwhile, with no transaction (one statement is its own).
            fetchBatches.submit(FetchScope.of(type, caller), id, (row, failure) -> {
                try {
                    if (failure != null) {
                        throw failure;
                    }
                    if (row == null) {
                        throw ApiException.notFound(type.name(), id);
                    }
                    exchange.respond(200, writer.resource(row, List.of(), query.fields(),
                            DocumentWriter.Meta.of(exchange.reqId())));
                } catch (RuntimeException e) {
                    exchange.fail(e);
                }
            });
        } else if (query.includes().isEmpty()) {
            // One statement is its own transaction: no BEGIN/COMMIT round trips.
            read.apply(database.dsl());
        } else {
            database.transaction(read);
        }
    }

    /**
     * Answers a write with the stored resources, as a fetch of them would (the request's {@code include} and
     * {@code fields} apply): one resource, an array for a bulk create (request order), or null when the one
     * item was skipped. {@code ignored} becomes {@code meta.ignored}.
     */
    public void respondWith(ApiExchange exchange, DSLContext dsl, int status, ResourceType type, List<String> ids,
            boolean bulk, List<String> ignored) {
        CollectionQuery query = parser.parseFetch(type, exchange.queryParams());
        Caller caller = exchange.caller();
        Map<String, ResourceRow> byId = new java.util.HashMap<>();
        for (ResourceRow row : repository.fetchAll(dsl, type, caller, ids)) {
            byId.put(row.id(), row);
        }
        List<ResourceRow> rows = new java.util.ArrayList<>();
        for (String id : ids) {
            ResourceRow row = byId.get(id);
            if (row == null) {
                // Written but not visible to the writer: the write path let something out of scope through.
                throw new IllegalStateException("a written " + type.name() + " is outside the writer's scope");
            }
            rows.add(row);
        }
        List<ResourceRow> included = repository.included(dsl, caller, rows, query.includes());
        DocumentWriter.Meta meta = new DocumentWriter.Meta(exchange.reqId(), null, ignored.isEmpty() ? null : ignored);
        if (bulk) {
            exchange.respond(status, writer.collection(rows, included, query.fields(), null, meta));
        } else if (rows.isEmpty()) {
            exchange.respond(status, writer.document(meta, json -> json.writeNull(), List.of(), null, null));
        } else {
            exchange.respond(status, writer.resource(rows.get(0), included, query.fields(), meta));
        }
    }

    /** GET /pub/{type}: the collection under the caller's scope; the type's required filters apply. */
    public void collection(ApiExchange exchange, ResourceType type) {
        collection(exchange, type, DSL.noCondition(), true);
    }

    /** A sub-collection whose path already restricts it ({@code base}): no filter is required. */
    public void collectionWithoutRequiredFilters(ApiExchange exchange, ResourceType type, Condition base) {
        collection(exchange, type, base, false);
    }

    private void collection(ApiExchange exchange, ResourceType type, Condition base, boolean requiredFilters) {
        CollectionQuery query = parser.parseCollection(type, exchange.queryParams(), requiredFilters);
        Caller caller = exchange.caller();
        database.transaction(dsl -> {
            checkScopedFilters(dsl, caller, query);
            ResourceRepository.PageResult result = repository.list(dsl, type, caller, query, base);
            List<ResourceRow> included = repository.included(dsl, caller, result.rows(), query.includes());
            Map<String, String> links = links(exchange.path(), query, result);
            exchange.respond(200, writer.collection(result.rows(), included, query.fields(), links,
                    new DocumentWriter.Meta(exchange.reqId(), result.count(), null)));
            return null;
        });
    }

    /** 404 unless a resource of the type with this id lies in the caller's scope. */
    public void requireVisible(DSLContext dsl, Caller caller, ResourceType type, String id) {
        if (!type.isWellFormedId(id) || !dsl.fetchExists(type.rowWithId(id), type.scope(caller))) {
            throw ApiException.notFound(type.name(), id);
        }
    }

    /**
     * A filter naming an organization, a group, or (for id filters of given types) any resource
     * outside the caller's scope is refused (403), never answered with an empty list: the caller must learn that
     * the filter cannot be served. One statement per group filter and per target type. (FHIR's search runs its
     * reference parameters through the same check.)
     */
    public void checkScopedFilters(DSLContext dsl, Caller caller, CollectionQuery query) {
        ApiException.Collector problems = new ApiException.Collector();
        for (Map.Entry<FilterDef, Object> filter : query.filters().entrySet()) {
            String parameter = query.parameterOf(filter.getKey());
            List<String> targets = filter.getKey().idTypes();
            if (!targets.isEmpty()) {
                @SuppressWarnings("unchecked")
                List<String> ids = (List<String>) filter.getValue();
                java.util.Set<String> visible = new java.util.HashSet<>();
                for (String target : targets) {
                    ResourceType targetType = registry.get(target);
                    visible.addAll(dsl.select(targetType.idColumns()).from(targetType.rowsWithIds(ids))
                            .where(targetType.scope(caller)).fetch(targetType::idOf));
                }
                if (!visible.containsAll(ids)) {
                    problems.add(new ApiError(ErrorCode.Forbidden.status(), ErrorCode.Forbidden,
                            "an id is not a " + String.join(" or ", targets) + " in this client's scope", null, parameter));
                }
            }
            if (filter.getKey().kind() == FilterKind.ORGANIZATION
                    && !caller.organizationId().equals(filter.getValue())) {
                problems.add(new ApiError(ErrorCode.Forbidden.status(), ErrorCode.Forbidden,
                        "the organization is outside this client's scope", null, parameter));
            } else if (filter.getKey().kind() == FilterKind.GROUPS) {
                @SuppressWarnings("unchecked")
                List<String> groupIds = (List<String>) filter.getValue();
                if (!groupScope.allInScope(dsl, caller, groupIds)) {
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

    /** A link to the collection at {@code path} with the query's accepted parameters and these paging ones. */
    public static String link(String path, CollectionQuery query, Map<String, ?> page) {
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
