package dev.openplus.change;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.jsonapi.ApiExchange;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.CollectionQuery;
import dev.openplus.jsonapi.CursorPosition;
import dev.openplus.jsonapi.DocumentWriter;
import dev.openplus.jsonapi.ErrorCode;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.Page;
import dev.openplus.jsonapi.QueryParser;
import dev.openplus.jsonapi.ResourceEndpoints;
import dev.openplus.jsonapi.ResourceRow;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.SortOrder;

/**
 * The change feed: {@code GET /pub/change} and {@code GET /pub/change/{id}} over the {@code change} table that
 * V17's triggers fill in every writing transaction, and {@link #page} for other readers in the server (webhook
 * delivery). A page holds the changes after a cursor, in feed order (position, id), whose position lies below
 * the oldest transaction still running: every change at or below such a position has committed or never will,
 * so a reader that follows the cursors receives each committed change of its scope once, in commit order per
 * resource, and an open transaction holds the feed back instead of being skipped (docs/decisions.md).
 */
public final class ChangeFeed {
    private static final String SORT = "position";
    private static final List<SortOrder> ORDER = List.of(new SortOrder(ChangeResource.POSITION, false));

    private final ResourceEndpoints resources;
    private final ResourceType type;
    private final QueryParser parser;
    private final Set<String> fedTypes = new LinkedHashSet<>();
    /** The fields of a change row: its attributes and, per type the feed carries, the column of its resource. */
    private final Field<?>[] rowFields;
    /** The position below which the feed is final (V17: the oldest running transaction id + the position base). */
    private static final Field<Long> VISIBLE_BELOW = DSL.field("change_visible_below()", SQLDataType.BIGINT);

    public ChangeFeed(ResourceEndpoints resources) {
        this.resources = resources;
        this.type = ChangeResource.type(resources.registry());
        this.parser = new QueryParser(ChangeResource.withChanges(resources.registry(), type));
        ChangeResource.fedTypes(resources.registry()).forEach(fed -> fedTypes.add(fed.name()));
        List<Field<?>> fields = new ArrayList<>(List.of(type.id(), ChangeResource.RESOURCE_TYPE,
                ChangeResource.RESOURCE_ID, ChangeResource.ACTION, ChangeResource.VERSION, ChangeResource.CHANGED_AT));
        fedTypes.forEach(name -> fields.add(ChangeResource.resourceColumn(name)));
        this.rowFields = fields.toArray(Field[]::new);
    }

    public ResourceType type() {
        return type;
    }

    /**
     * Whose changes a reader follows: an organization's, or (groups not null) those a client scoped to these groups
     * of it sees, where a patient leaving the groups is {@code removed} and one joining them {@code created}.
     */
    public record Scope(String organizationId, Set<String> groups) {
        public static Scope of(Caller caller) {
            return new Scope(caller.organizationId(), caller.groupScoped() ? Set.copyOf(caller.groupIds()) : null);
        }
    }

    /** A place in the feed: after the change {@code id} at {@code position}. {@link #START} is before every change. */
    public record Cursor(long position, long id) implements Comparable<Cursor> {
        public static final Cursor START = new Cursor(0, 0);

        public String encode() {
            return new CursorPosition(SORT, List.of(position), Long.toString(id)).encode();
        }

        /** A cursor this feed returned; anything else is a 409 naming {@code parameter}. */
        public static Cursor decode(String parameter, String token) {
            CursorPosition decoded = CursorPosition.decode(parameter, token, ORDER, SORT, ChangeResource.IDS);
            return new Cursor((Long) decoded.values().get(0), Long.parseLong(decoded.id()));
        }

        @Override
        public int compareTo(Cursor other) {
            int byPosition = Long.compare(position, other.position);
            return byPosition != 0 ? byPosition : Long.compare(id, other.id);
        }
    }

    /** One change as the scope sees it ({@code action} may be {@code removed} or {@code created} for a group scope). */
    public record Change(long id, String resourceType, String resourceId, String action, long version,
            OffsetDateTime changedAt, Cursor cursor) {
    }

    /** A page of changes and where the next one starts (always given: a reader stores it and polls). */
    public record FeedPage(List<Change> changes, Cursor next) {
    }

    /** The cursor is older than the retention horizon: changes after it were pruned. */
    public static final class CursorExpired extends ApiException {
        CursorExpired(String parameter) {
            super(new ApiError(410, ErrorCode.ChangeCursorExpired, "changes after this cursor are older than the "
                    + "retention period and were pruned; resynchronise from the lists, then follow the feed from the "
                    + "links.next of a fresh first page", null, parameter));
        }
    }

    /**
     * Up to {@code limit} changes of the scope after {@code after}, of the given resource types (all when empty) and
     * patients (any when empty). Two statements, whatever the page's size; a third tells whether the cursor
     * expired.
     *
     * @throws CursorExpired when changes after {@code after} were pruned
     */
    public FeedPage page(DSLContext dsl, Scope scope, Cursor after, int limit, Collection<String> types,
            Collection<String> patients) {
        // The visible bound, read first: the page's statement runs on a later snapshot, in which every change
        // below it is committed or gone.
        Bound bound = bound(dsl, scope.organizationId());
        List<Change> changes = new ArrayList<>();
        if (limit > 0) {
            Condition where = DSL.condition("c.organization_id = {0}", DSL.val(scope.organizationId(), SQLDataType.CHAR(24)))
                    .and(DSL.condition("c.position < {0}", DSL.val(bound.visibleBelow())))
                    .and(DSL.condition("(c.position, c.id) > ({0}, {1})", DSL.val(after.position()),
                            DSL.val(after.id())))
                    .and(visible(scope));
            if (!patients.isEmpty()) {
                where = where.and(DSL.condition("c.patient_id = any({0})",
                        DSL.val(patients.toArray(String[]::new), SQLDataType.CHAR(24).array())));
            }
            // A type named twice is walked once (a second walk would return its changes twice).
            changes = merge(dsl, scope, where, types.isEmpty() ? fedTypes : new LinkedHashSet<>(types), limit + 1);
        }
        boolean full = changes.size() > limit;
        if (full) {
            changes = new ArrayList<>(changes.subList(0, limit));
        }
        Cursor next = changes.isEmpty() ? after : changes.get(changes.size() - 1).cursor();
        if (!full && limit > 0 && bound.end().compareTo(next) > 0) {
            // Everything below the visible bound was read: the next page starts after the organization's newest
            // change there, so a reader whose filters match little does not read the same changes again on every
            // poll.
            next = bound.end();
        }
        if (after != Cursor.START && expired(dsl, scope.organizationId(), after)) {
            throw new CursorExpired(null);
        }
        return new FeedPage(changes, next);
    }

    /** The webhook's call: every resource type and patient of the scope. */
    public FeedPage page(DSLContext dsl, Scope scope, Cursor after, int limit, Collection<String> types) {
        return page(dsl, scope, after, limit, types, List.of());
    }

    /**
     * The cursor after every change of the organization committed so far (a reader starting there receives each
     * change committed later, and possibly some committed just before by transactions that overlapped an older
     * open one).
     */
    public static Cursor end(DSLContext dsl, String organizationId) {
        return bound(dsl, organizationId).end();
    }

    /**
     * The visible bound, and the cursor after the organization's newest change below it ({@link Cursor#START} when
     * it has none). A cursor the feed hands out never lies beyond a position it has stored (not at the bound
     * itself, which is a transaction id of this cluster + the base): after a restore into another cluster,
     * change_position_heal raises the base above the stored positions, and so above every cursor
     * (docs/decisions.md "Positions across a restore").
     */
    private record Bound(long visibleBelow, Cursor end) {
    }

    private static Bound bound(DSLContext dsl, String organizationId) {
        // The newest position below the bound: one backward probe of change_feed per type (change_type).
        Record read = dsl.fetchOne("select v.below, (select max((select c.position from change c"
                + " where c.organization_id = ?::char(24) and c.resource_type = t.resource_type and c.position < v.below"
                + " order by c.position desc limit 1)) from change_type t)"
                + " from (select change_visible_below() as below) v", organizationId);
        Long newest = read.get(1, Long.class);
        return new Bound(read.get(0, Long.class), newest == null ? Cursor.START : new Cursor(newest, Long.MAX_VALUE));
    }

    /** The changes as a JSON array of resource objects, exactly as {@code GET /pub/change} renders its data. */
    public void writeChanges(com.fasterxml.jackson.core.JsonGenerator json, List<Change> changes)
            throws java.io.IOException {
        json.writeStartArray();
        for (Change change : changes) {
            resources.writer().writeResource(json, row(change), Map.of());
        }
        json.writeEndArray();
    }

    private static boolean expired(DSLContext dsl, String organizationId, Cursor after) {
        return dsl.fetchExists(DSL.selectOne().from(DSL.table(DSL.name("change_horizon")).as("h"))
                .where(DSL.condition("h.organization_id = {0}", DSL.val(organizationId, SQLDataType.CHAR(24))))
                .and(DSL.condition("(h.position, h.id) > ({0}, {1})", DSL.val(after.position()),
                        DSL.val(after.id()))));
    }

    /**
     * What a scope sees. An organization: every change but the scope-only ones. Groups: the changes whose groups
     * before or after meet them (null groups: the organization itself, seen by all), and of the scope-only changes
     * of a patient's move those that cross the groups' edge.
     */
    private static Condition visible(Scope scope) {
        if (scope.groups() == null) {
            return DSL.condition("not c.scope_only");
        }
        Field<String[]> groups = groups(scope);
        return DSL.condition("(c.groups_after is null or c.groups_before && {0} or c.groups_after && {0})"
                + " and (not c.scope_only or (c.groups_before && {0}) <> (c.groups_after && {0}))", groups);
    }

    private static Field<String[]> groups(Scope scope) {
        return DSL.val(scope.groups().toArray(String[]::new), SQLDataType.CHAR(24).array());
    }

    /** The action as the scope sees it: a move across its groups' edge is a creation or a removal. */
    private static Field<String> action(Scope scope) {
        if (scope.groups() == null) {
            return DSL.field("c.action", SQLDataType.VARCHAR);
        }
        return DSL.field("case when c.action = 'updated' and c.groups_after is not null and not (c.groups_before && {0})"
                + " then 'created' when c.action = 'updated' and c.groups_after is not null"
                + " and not (c.groups_after && {0}) then 'removed' else c.action end", SQLDataType.VARCHAR, groups(scope));
    }

    private static final Field<Long> ID = DSL.field("c.id", SQLDataType.BIGINT);
    private static final Field<Long> POSITION = DSL.field("c.position", SQLDataType.BIGINT);
    /** The columns a change is read with, in every walk of change_feed and by id. */
    private static final List<Field<?>> COLUMNS = List.of(ID, POSITION,
            DSL.field("c.resource_type", SQLDataType.VARCHAR), DSL.field("c.resource_id", SQLDataType.VARCHAR),
            DSL.field("c.action", SQLDataType.VARCHAR), DSL.field("c.version", SQLDataType.BIGINT),
            DSL.field("c.changed_at", SQLDataType.TIMESTAMPWITHTIMEZONE),
            DSL.field("c.groups_before", SQLDataType.CHAR(24).array()),
            DSL.field("c.groups_after", SQLDataType.CHAR(24).array()));

    /**
     * The first {@code limit} changes matching {@code where} among the given types, in feed order: one walk of
     * change_feed (organization, type, position, id) per type, each stopping at {@code limit} rows, merged in
     * order (a merge append). However selective the types, a page reads at most its size plus one row per type
     * beyond the cursor, never the changes of other types in between.
     */
    private static List<Change> merge(DSLContext dsl, Scope scope, Condition where, Collection<String> types,
            int limit) {
        org.jooq.Select<Record> walks = null;
        for (String resourceType : types) {
            org.jooq.Select<Record> walk = dsl.select(COLUMNS).from(DSL.table(DSL.name("change")).as("c"))
                    .where(where.and(DSL.condition("c.resource_type = {0}", DSL.val(resourceType))))
                    .orderBy(POSITION, ID)
                    .limit(limit);
            walks = walks == null ? walk : walks.unionAll(walk);
        }
        return read(dsl.select(ID, POSITION, DSL.field("c.resource_type"), DSL.field("c.resource_id"),
                        action(scope).as("action"), DSL.field("c.version"), DSL.field("c.changed_at"))
                .from(walks.asTable("c"))
                .orderBy(POSITION, ID)
                .limit(limit));
    }

    /** The change {@code id} if {@code where} holds for it (the primary key; no walk). */
    private static List<Change> byId(DSLContext dsl, Scope scope, long id, Condition where) {
        return read(dsl.select(ID, POSITION, DSL.field("c.resource_type"), DSL.field("c.resource_id"),
                        action(scope).as("action"), DSL.field("c.version"), DSL.field("c.changed_at"))
                .from(DSL.table(DSL.name("change")).as("c"))
                .where(DSL.condition("c.id = {0}", DSL.val(id)).and(where)));
    }

    private static List<Change> read(org.jooq.ResultQuery<? extends Record> query) {
        return query.fetch(record -> new Change(record.get(0, Long.class), record.get(2, String.class),
                        record.get(3, String.class), record.get(4, String.class), record.get(5, Long.class),
                        record.get(6, OffsetDateTime.class),
                        new Cursor(record.get(1, Long.class), record.get(0, Long.class))));
    }

    // ---- HTTP ---------------------------------------------------------------------------------------------------

    /** GET /pub/change. */
    public void list(ApiExchange exchange) {
        Map<String, List<String>> parameters = new LinkedHashMap<>(exchange.queryParams());
        ApiException.Collector problems = new ApiException.Collector();
        for (String skip : List.of("page[number]", "page[size]")) {
            if (parameters.containsKey(skip)) {
                problems.add(ApiError.parameter(skip, "this collection is paged by cursor only: page[limit] and "
                        + "page[after] (follow links.next)"));
            }
        }
        String cursorParameter = parameters.containsKey("page[after]") ? "page[after]" : "page[cursor]";
        List<String> tokens = new ArrayList<>();
        for (String name : List.of("page[after]", "page[cursor]")) {
            List<String> given = parameters.remove(name);
            if (given != null) {
                if (given.size() != 1) {
                    problems.add(ApiError.parameter(name, "given more than once; give it once"));
                } else if (!tokens.isEmpty() && !tokens.get(0).equals(given.get(0))) {
                    problems.add(ApiError.parameter("page[cursor]", "page[cursor] and page[after] name different cursors"));
                } else {
                    tokens.add(given.get(0));
                }
            }
        }
        parameters.putIfAbsent("page[limit]", List.of(Integer.toString(QueryParser.DEFAULT_CURSOR_LIMIT)));
        CollectionQuery query = null;
        try {
            query = parser.parseCollection(type, parameters, true);
        } catch (ApiException e) {
            problems.addAll(e.errors());
        }
        Cursor after = Cursor.START;
        if (!tokens.isEmpty()) {
            try {
                if (tokens.get(0).isEmpty()) {
                    throw ApiException.invalidParameter(cursorParameter, "the cursor is empty");
                }
                after = Cursor.decode(cursorParameter, tokens.get(0));
            } catch (ApiException e) {
                problems.addAll(e.errors());
            }
        }
        List<String> types = List.of();
        if (query != null) {
            types = resourceTypes(query, problems);
        }
        problems.throwIfAny();
        CollectionQuery parsed = query;
        Cursor start = after;
        List<String> typeFilter = types;
        Caller caller = exchange.caller();
        int limit = ((Page.Cursor) parsed.page()).limit();
        resources.database().transaction(dsl -> {
            resources.checkScopedFilters(dsl, caller, parsed);
            FeedPage page;
            try {
                page = page(dsl, scope(caller, parsed), start, limit, typeFilter, filterIds(parsed, "patient"));
            } catch (CursorExpired e) {
                throw new CursorExpired(cursorParameter);
            }
            List<ResourceRow> rows = page.changes().stream().map(this::row).toList();
            List<ResourceRow> included = resources.repository().included(dsl, caller, rows, parsed.includes());
            Map<String, String> links = new LinkedHashMap<>();
            Map<String, Object> self = new LinkedHashMap<>();
            self.put("page[limit]", limit);
            if (start != Cursor.START) {
                self.put("page[after]", start.encode());
            }
            links.put("self", ResourceEndpoints.link(exchange.path(), parsed, self));
            Map<String, Object> next = new LinkedHashMap<>();
            next.put("page[limit]", limit);
            next.put("page[after]", page.next().encode());
            links.put("next", ResourceEndpoints.link(exchange.path(), parsed, next));
            exchange.respond(200, resources.writer().collection(rows, included, parsed.fields(), links,
                    DocumentWriter.Meta.of(exchange.reqId())));
            return null;
        });
    }

    /** GET /pub/change/{id}: a change the feed would give this client (404 otherwise). */
    public void fetch(ApiExchange exchange, String id) {
        CollectionQuery query = parser.parseFetch(type, exchange.queryParams());
        Caller caller = exchange.caller();
        if (!ChangeResource.IDS.accepts(id) || id.length() > 18) {
            throw ApiException.notFound(type.name(), id);
        }
        resources.database().transaction(dsl -> {
            Scope scope = Scope.of(caller);
            Long visibleBelow = dsl.fetchValue(VISIBLE_BELOW);
            List<Change> found = byId(dsl, scope, Long.parseLong(id),
                    DSL.condition("c.organization_id = {0}", DSL.val(scope.organizationId(), SQLDataType.CHAR(24)))
                    .and(DSL.condition("c.position < {0}", DSL.val(visibleBelow)))
                    .and(visible(scope)));
            if (found.isEmpty()) {
                throw ApiException.notFound(type.name(), id);
            }
            ResourceRow row = row(found.get(0));
            List<ResourceRow> included = resources.repository().included(dsl, caller, List.of(row), query.includes());
            exchange.respond(200, resources.writer().resource(row, included, query.fields(),
                    DocumentWriter.Meta.of(exchange.reqId())));
            return null;
        });
    }

    /** filter[resource_type]: types the feed carries; another name is a 409 naming the parameter. */
    private List<String> resourceTypes(CollectionQuery query, ApiException.Collector problems) {
        for (Map.Entry<FilterDef, Object> filter : query.filters().entrySet()) {
            if (filter.getKey().name().equals("resource_type")) {
                List<String> names = new ArrayList<>();
                for (String part : ((String) filter.getValue()).split(",", -1)) {
                    String name = part.trim();
                    if (!fedTypes.contains(name)) {
                        problems.add(ApiError.parameter(query.parameterOf(filter.getKey()), "'" + name
                                + "' is not a resource type of the feed (" + String.join(", ", fedTypes) + ")"));
                        return List.of();
                    }
                    names.add(name);
                }
                return names;
            }
        }
        return List.of();
    }

    /** The scope a request reads: filter[groups] narrows it to those groups (checked to lie in the caller's). */
    private static Scope scope(Caller caller, CollectionQuery query) {
        List<String> groups = filterIds(query, "groups");
        if (!groups.isEmpty()) {
            return new Scope(caller.organizationId(), Set.copyOf(groups));
        }
        return Scope.of(caller);
    }

    @SuppressWarnings("unchecked")
    private static List<String> filterIds(CollectionQuery query, String name) {
        for (Map.Entry<FilterDef, Object> filter : query.filters().entrySet()) {
            if (filter.getKey().name().equals(name)) {
                return (List<String>) filter.getValue();
            }
        }
        return List.of();
    }

    /** A change as a row of the change type; its resource is linked unless it was deleted or left the scope. */
    private ResourceRow row(Change change) {
        Field<String> linked = ChangeResource.resourceColumn(change.resourceType());
        Record record = DSL.using(org.jooq.SQLDialect.POSTGRES).newRecord(rowFields);
        record.set(type.id(), Long.toString(change.id()));
        record.set(ChangeResource.RESOURCE_TYPE, change.resourceType());
        record.set(ChangeResource.RESOURCE_ID, change.resourceId());
        record.set(ChangeResource.ACTION, change.action());
        record.set(ChangeResource.VERSION, change.version());
        record.set(ChangeResource.CHANGED_AT, change.changedAt());
        boolean present = change.action().equals("created") || change.action().equals("updated");
        record.set(linked, present ? change.resourceId() : null);
        return new ResourceRow(type, record);
    }
}
