package dev.openplus.jsonapi;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Name;
import org.jooq.OrderField;
import org.jooq.Record;
import org.jooq.SelectField;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;


/**
 * Generic reads of any described resource type, always under the caller's tenant scope: fetch by id, a filtered
 * and paged collection (skip or keyset cursor), and included resources. Each read costs a fixed number of
 * statements whatever the page size: relationships are correlated arrays in the same statement, and each
 * include is one statement for the whole page.
 */
public final class ResourceRepository {
    private final ResourceRegistry registry;
    private final KeptCounts keptCounts = new KeptCounts();

    public ResourceRepository(ResourceRegistry registry) {
        this.registry = registry;
    }

    /** One page of a collection, with the total count of matching rows and whether more rows follow. */
    public record PageResult(List<ResourceRow> rows, long count, boolean hasMore) {
    }

    /**
     * Fetch-by-id is the hottest read, and rendering its SQL (columns plus correlated linkage arrays) cost more
     * than running it. Its SQL is therefore rendered once per type and principal kind, with sentinel values
     * whose bind positions say where the id, the organization and the group list go. The SQL text is then the
     * same string on every call, so the driver's statement cache finds it and, from its fifth use on a
     * connection, runs it as a named server-side statement that PostgreSQL does not plan again.
     */
    private record PreparedFetch(String sql, List<Function<FetchArguments, Object>> binds, Field<?>[] fields,
            ColumnReader[] readers, Record empty) {
    }

    /**
     * {@code id}: the values of the type's id columns (one, the id itself, unless the id is derived); or, for the
     * statement of several ids, {@code ids}, as many as it has places for.
     */
    private record FetchArguments(List<Object> id, String[] ids, Caller caller) {
    }

    /** Reads one column as the value jOOQ would hold for its field. */
    @FunctionalInterface
    private interface ColumnReader {
        Object read(ResultSet resultSet, int column) throws SQLException;
    }

    private static final String SENTINEL_ID = "\u0000id";
    private static final String SENTINEL_IDS = "\u0000ids";
    private static final String SENTINEL_ORGANIZATION = "\u0000organization";
    private static final String SENTINEL_GROUP = "\u0000group";
    /** The fetch statements by type, principal kind (organization- or group-scoped) and places for ids. */
    private final Map<FetchKind, PreparedFetch> fetches = new ConcurrentHashMap<>();

    /**
     * {@code idPlaces}: 0 for the statement of one id ({@code id = ?}, whatever the id columns), else the number
     * of ids in its {@code id in (?, …)}.
     */
    private record FetchKind(ResourceType type, boolean groupScoped, int idPlaces) {
    }

    public Optional<ResourceRow> fetch(DSLContext dsl, ResourceType type, Caller caller, String id) {
        List<Object> idValues = type.idValues(id);
        if (idValues == null) {
            return Optional.empty();
        }
        PreparedFetch prepared = prepared(dsl, new FetchKind(type, caller.groupScoped(), 0));
        List<Record> records = run(dsl, prepared, new FetchArguments(idValues, null, caller));
        return records.isEmpty() ? Optional.empty() : Optional.of(new ResourceRow(type, records.get(0)));
    }

    /** A fetch statement's SQL (with JDBC's {@code ?} places) and the values bound to them. */
    record FetchStatement(String sql, List<Object> values) {
    }

    /** The statement {@link #fetch} runs for this id (for tests that ask PostgreSQL how it plans it). */
    FetchStatement fetchStatement(DSLContext dsl, ResourceType type, Caller caller, String id) {
        PreparedFetch prepared = prepared(dsl, new FetchKind(type, caller.groupScoped(), 0));
        return new FetchStatement(prepared.sql(),
                Arrays.asList(values(prepared, new FetchArguments(type.idValues(id), null, caller))));
    }

    /** The statement {@link #fetchEach} runs for these ids (for tests that ask PostgreSQL how it plans it). */
    FetchStatement fetchStatement(DSLContext dsl, ResourceType type, Caller caller, List<String> ids) {
        PreparedFetch prepared = prepared(dsl, new FetchKind(type, caller.groupScoped(), places(ids)));
        return new FetchStatement(prepared.sql(),
                Arrays.asList(values(prepared, new FetchArguments(null, bound(ids), caller))));
    }

    /** Whether {@link #fetchEach} can read this type: one id column of standard ids. */
    public static boolean fetchesManyIds(ResourceType type) {
        return type.derivedId() == null && type.idFormat() == IdFormat.STANDARD;
    }

    /**
     * The rows of these ids under the caller's scope, by id (an id without a visible row is absent), read by one
     * prepared statement. Only for types {@link #fetchesManyIds} accepts, and well-formed ids.
     *
     * <p>The statement lists its ids one parameter each, in as many places as the smallest power of two that
     * holds them (the last id fills the places left). An array parameter ({@code id = any(?)}) would make one
     * statement of every batch, but PostgreSQL's generic plan takes an array parameter for ten elements, costs
     * it above the custom plans of smaller batches, and so planned the statement afresh on every execution.
     * With the number of ids in the text, the generic plan costs what the custom ones do and is kept.
     */
    public Map<String, ResourceRow> fetchEach(DSLContext dsl, ResourceType type, Caller caller, List<String> ids) {
        if (!fetchesManyIds(type)) {
            throw new IllegalArgumentException(type.name() + " has no one-column standard id");
        }
        if (ids.isEmpty()) {
            return Map.of();
        }
        PreparedFetch prepared = prepared(dsl, new FetchKind(type, caller.groupScoped(), places(ids)));
        List<Record> records = run(dsl, prepared, new FetchArguments(null, bound(ids), caller));
        Map<String, ResourceRow> rows = new java.util.HashMap<>();
        for (Record record : records) {
            ResourceRow row = new ResourceRow(type, record);
            rows.put(row.id(), row);
        }
        return rows;
    }

    /** The places of the statement that reads these ids: the smallest power of two that holds them. */
    private static int places(List<String> ids) {
        return ids.size() == 1 ? 1 : Integer.highestOneBit(ids.size() - 1) << 1;
    }

    /** The ids in {@link #places} places, the last id filling the places left. */
    private static String[] bound(List<String> ids) {
        String[] bound = new String[places(ids)];
        for (int i = 0; i < bound.length; i++) {
            bound[i] = ids.get(Math.min(i, ids.size() - 1));
        }
        return bound;
    }

    private PreparedFetch prepared(DSLContext dsl, FetchKind kind) {
        PreparedFetch prepared = fetches.get(kind);
        return prepared != null ? prepared : fetches.computeIfAbsent(kind, key -> prepareFetch(dsl, key));
    }

    /** Runs a prepared fetch with these arguments: its rows, in no particular order. */
    private static List<Record> run(DSLContext dsl, PreparedFetch prepared, FetchArguments arguments) {
        Object[] values = values(prepared, arguments);
        // Plain JDBC: even jOOQ's plain-SQL path would re-scan the SQL text on every call.
        return dsl.connectionResult(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(prepared.sql())) {
                for (int i = 0; i < values.length; i++) {
                    if (values[i] instanceof String[] array) {
                        statement.setArray(i + 1, connection.createArrayOf("bpchar", array));
                    } else {
                        statement.setObject(i + 1, values[i]);
                    }
                }
                try (ResultSet resultSet = statement.executeQuery()) {
                    return read(dsl, prepared, resultSet);
                }
            }
        });
    }

    private static Object[] values(PreparedFetch prepared, FetchArguments arguments) {
        Object[] values = new Object[prepared.binds().size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = prepared.binds().get(i).apply(arguments);
        }
        return values;
    }

    /** The rows of a fetch, read column by column where every column has a known reader. */
    @SuppressWarnings("unchecked")
    private static List<Record> read(DSLContext dsl, PreparedFetch prepared, ResultSet resultSet) throws SQLException {
        Field<?>[] fields = prepared.fields();
        if (prepared.readers() == null) {
            return new ArrayList<>(dsl.fetch(resultSet, fields));
        }
        List<Record> records = new ArrayList<>(1);
        while (resultSet.next()) {
            // A copy of an empty record of the fields: creating one from the fields costs several microseconds.
            Record record = prepared.empty().original();
            for (int i = 0; i < fields.length; i++) {
                record.set((Field<Object>) fields[i], prepared.readers()[i].read(resultSet, i + 1));
            }
            record.changed(false);
            records.add(record);
        }
        return records;
    }

    /**
     * The reader of each column, or null when some column's type has none here (jOOQ then reads the row).
     * jOOQ's own bindings read timestamps as text and parse them, and go through several layers per value.
     */
    private static ColumnReader[] readers(Field<?>[] fields) {
        ColumnReader[] readers = new ColumnReader[fields.length];
        for (int i = 0; i < fields.length; i++) {
            boolean converted = fields[i].getConverter().fromType() != fields[i].getConverter().toType();
            readers[i] = converted ? null : reader(fields[i].getType());
            if (readers[i] == null) {
                return null;
            }
        }
        return readers;
    }

    private static ColumnReader reader(Class<?> type) {
        if (type == String.class) {
            return ResultSet::getString;
        } else if (type == JSONB.class) {
            return (resultSet, column) -> {
                String text = resultSet.getString(column);
                return text == null ? null : JSONB.valueOf(text);
            };
        } else if (type == OffsetDateTime.class) {
            return (resultSet, column) -> resultSet.getObject(column, OffsetDateTime.class);
        } else if (type == LocalDate.class) {
            return (resultSet, column) -> resultSet.getObject(column, LocalDate.class);
        } else if (type == Boolean.class) {
            return (resultSet, column) -> {
                boolean value = resultSet.getBoolean(column);
                return resultSet.wasNull() ? null : value;
            };
        } else if (type == Integer.class) {
            return (resultSet, column) -> {
                int value = resultSet.getInt(column);
                return resultSet.wasNull() ? null : value;
            };
        } else if (type == Long.class) {
            return (resultSet, column) -> {
                long value = resultSet.getLong(column);
                return resultSet.wasNull() ? null : value;
            };
        } else if (type == BigDecimal.class) {
            return ResultSet::getBigDecimal;
        } else if (type == String[].class || type == Boolean[].class || type == Integer[].class) {
            return (resultSet, column) -> {
                java.sql.Array array = resultSet.getArray(column);
                return array == null ? null : array.getArray();
            };
        }
        return null;
    }

    /** A caller whose values mark their bind positions in the rendered fetch statement. */
    private record SentinelCaller(boolean groupScoped) implements Caller {
        @Override
        public String organizationId() {
            return SENTINEL_ORGANIZATION;
        }

        @Override
        public Set<String> groupIds() {
            return Set.of(SENTINEL_GROUP);
        }

        @Override
        public String actorId() {
            return null;
        }
    }

    private PreparedFetch prepareFetch(DSLContext dsl, FetchKind kind) {
        ResourceType type = kind.type();
        Caller sentinel = new SentinelCaller(kind.groupScoped());
        List<SelectField<?>> fields = selectFields(type, sentinel);
        List<Object> idSentinels = new ArrayList<>();
        Condition byId = DSL.noCondition();
        if (kind.idPlaces() > 0) {
            List<Field<String>> places = new ArrayList<>();
            for (int i = 0; i < kind.idPlaces(); i++) {
                places.add(DSL.val(SENTINEL_IDS + i, type.id().getDataType()));
            }
            byId = type.id().in(places);
        } else {
            for (Field<?> column : type.idColumns()) {
                Object marker = idSentinel(type, column, idSentinels.size());
                idSentinels.add(marker);
                @SuppressWarnings("unchecked")
                Field<Object> typed = (Field<Object>) column;
                byId = byId.and(typed.eq(DSL.val(marker, typed.getDataType())));
            }
        }
        var query = dsl.select(fields).from(type.rowsWith(byId)).where(type.scope(sentinel));
        List<Function<FetchArguments, Object>> binds = new ArrayList<>();
        int idBinds = 0;
        for (Object value : query.getBindValues()) {
            int idPart = idSentinels.indexOf(value);
            if (idPart >= 0) {
                binds.add(arguments -> arguments.id().get(idPart));
                idBinds++;
            } else if (value instanceof String text && text.startsWith(SENTINEL_IDS)) {
                int place = Integer.parseInt(text.substring(SENTINEL_IDS.length()));
                binds.add(arguments -> arguments.ids()[place]);
                idBinds++;
            } else if (SENTINEL_ORGANIZATION.equals(value)) {
                binds.add(arguments -> arguments.caller().organizationId());
            } else if (value instanceof String[] array && array.length == 1 && SENTINEL_GROUP.equals(array[0])) {
                binds.add(arguments -> arguments.caller().groupIds().toArray(String[]::new));
            } else if (value instanceof String text && text.startsWith("\u0000")
                    || value instanceof String[] array && array.length == 1 && array[0].startsWith("\u0000")) {
                throw new IllegalStateException("unexpected sentinel in the fetch query of " + type.name());
            } else {
                binds.add(arguments -> value);
            }
        }
        if (idBinds != (kind.idPlaces() > 0 ? kind.idPlaces() : idSentinels.size())) {
            throw new IllegalStateException("the fetch query of " + type.name() + " lost an id column's bind");
        }
        Field<?>[] typed = fields.stream().map(field -> (Field<?>) field).toArray(Field<?>[]::new);
        return new PreparedFetch(query.getSQL(org.jooq.conf.ParamType.INDEXED), List.copyOf(binds), typed,
                readers(typed), DSL.using(dsl.dialect()).newRecord(typed));
    }

    /** A value of an id column's type that marks where the id's value is bound (no real id equals it). */
    private static Object idSentinel(ResourceType type, Field<?> column, int part) {
        Class<?> javaType = column.getType();
        if (javaType == String.class) {
            return SENTINEL_ID + part;
        }
        if (javaType == Integer.class) {
            return Integer.MIN_VALUE + part;
        }
        if (javaType == Long.class) {
            return Long.MIN_VALUE + part;
        }
        throw new IllegalStateException("the id column " + column.getName() + " of " + type.name()
                + " is neither text nor a whole number");
    }

    /** Rows of a type by id, in scope, in id order (for includes and for answering writes). */
    public List<ResourceRow> fetchAll(DSLContext dsl, ResourceType type, Caller caller, Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return rows(dsl, type, caller, type.rowsWithIds(ids), type.scope(caller), type.idColumns(), null, null, ids);
    }

    public PageResult list(DSLContext dsl, ResourceType type, Caller caller, CollectionQuery query,
            Condition base) {
        Condition where = type.scope(caller).and(base);
        Map<String, Object> byName = new LinkedHashMap<>();
        query.filters().forEach((filter, value) -> byName.put(filter.name(), value));
        for (Map.Entry<FilterDef, Object> filter : query.filters().entrySet()) {
            where = where.and(filter.getKey().condition().apply(filter.getValue(), byName));
        }
        // The common unfiltered lists read a count the database keeps; any other list counts its rows (an
        // index-only scan where the filters are on indexed columns).
        Condition counted = where;
        long count = keptCounts.count(dsl, type, caller, query, base)
                .orElseGet(() -> dsl.selectCount().from(type.table()).where(counted).fetchOne(0, Long.class));
        Page page = query.page();
        if (page.size() == 0 || count == 0) {
            return new PageResult(List.of(), count, false);
        }
        List<SortOrder> sort = effectiveSort(type, query.sort());
        List<OrderField<?>> order = new ArrayList<>();
        for (SortOrder key : sort) {
            Field<?> column = key.field().column();
            order.add(key.descending() ? column.desc().nullsFirst() : column.asc().nullsLast());
        }
        if (page instanceof Page.Skip skip) {
            List<ResourceRow> rows = rows(dsl, type, caller, type.table(), where, order, skip.size(), skip.offset(),
                    null);
            return new PageResult(rows, count, skip.offset() + rows.size() < count);
        }
        Page.Cursor cursor = (Page.Cursor) page;
        if (cursor.after() != null) {
            where = where.and(after(type, sort, cursor.after()));
        }
        List<ResourceRow> rows = new ArrayList<>(rows(dsl, type, caller, type.table(), where, order,
                cursor.limit() + 1, null, null));
        boolean hasMore = rows.size() > cursor.limit();
        if (hasMore) {
            rows.remove(rows.size() - 1);
        }
        return new PageResult(rows, count, hasMore);
    }

    /**
     * Up to {@code limit} rows of the type in the caller's scope that meet {@code base}, in id order after
     * {@code after} (null: from the first): the keyset walk of a cursor list without its count, for readers that go
     * through every row (a Bulk Data export). One statement, on the (organization_id, id) order of the lists.
     */
    public List<ResourceRow> idPage(DSLContext dsl, ResourceType type, Caller caller, Condition base,
            CursorPosition after, int limit) {
        Condition where = type.scope(caller).and(base);
        List<SortOrder> sort = effectiveSort(type, List.of());
        List<OrderField<?>> order = new ArrayList<>();
        for (SortOrder key : sort) {
            order.add(key.field().column().asc().nullsLast());
        }
        if (after != null) {
            where = where.and(after(type, sort, after));
        }
        return rows(dsl, type, caller, type.table(), where, order, limit, null, null);
    }

    /** The cursor of the row a page ends with. */
    public static CursorPosition positionOf(ResourceRow row, List<SortOrder> requested) {
        List<Object> values = new ArrayList<>();
        for (SortOrder key : requested) {
            values.add(row.value(key.field()));
        }
        return new CursorPosition(CollectionQuery.sortSpec(requested), values, row.id());
    }

    /**
     * The requested sort plus {@code id} as final tie-breaker, in the direction of the last key so that an
     * index on (organization_id, key, id) serves the whole order. Cursor values cover the requested keys. A
     * derived id breaks ties by its columns, which order like the ids.
     */
    private static List<SortOrder> effectiveSort(ResourceType type, List<SortOrder> requested) {
        List<SortOrder> sort = new ArrayList<>(requested);
        boolean descending = !requested.isEmpty() && requested.get(requested.size() - 1).descending();
        for (Field<?> column : type.idColumns()) {
            sort.add(new SortOrder(new SortField("id", column, AttributeType.STRING, false), descending));
        }
        return sort;
    }

    /**
     * The keyset condition "strictly after this position". Where every key is non-null and in one direction a
     * row comparison is used, which PostgreSQL turns into an index range; otherwise the expanded form handles
     * mixed directions and NULLs (ascending puts NULLs last, descending first, as the ORDER BY does).
     */
    private static Condition after(ResourceType type, List<SortOrder> sort, CursorPosition position) {
        List<Object> values = new ArrayList<>(position.values());
        List<Object> idValues = type.idValues(position.id());
        if (idValues == null) {
            // The cursor's id passed the type's id format, which every id that format accepts decodes from.
            throw new IllegalStateException("a cursor id of " + type.name() + " does not decode");
        }
        values.addAll(idValues);
        Condition keyset = keysetAfter(sort, values);
        // The columns of a derived id may come from different tables of a view, where the database cannot turn a
        // comparison of several columns into an index range; a bound on the first key alone it can.
        return type.derivedId() == null ? keyset : leadingBound(sort.get(0), values.get(0)).and(keyset);
    }

    /** Rows not before {@code value} in the order of the first sort key (implied by the keyset condition). */
    private static Condition leadingBound(SortOrder key, Object value) {
        @SuppressWarnings("unchecked")
        Field<Object> column = (Field<Object>) key.field().column();
        if (key.descending()) {
            // NULLs come first, so after a NULL anything may follow.
            return value == null ? DSL.noCondition() : column.le(value(key.field(), value));
        }
        if (value == null) {
            return column.isNull();
        }
        Condition bound = column.ge(value(key.field(), value));
        return key.field().nullable() ? bound.or(column.isNull()) : bound;
    }

    private static Condition keysetAfter(List<SortOrder> sort, List<Object> values) {
        boolean uniform = sort.stream().allMatch(key -> key.descending() == sort.get(0).descending()
                && !key.field().nullable());
        if (uniform) {
            Field<?>[] columns = sort.stream().map(key -> key.field().column()).toArray(Field[]::new);
            Field<?>[] literals = new Field<?>[sort.size()];
            for (int i = 0; i < sort.size(); i++) {
                literals[i] = value(sort.get(i).field(), values.get(i));
            }
            return sort.get(0).descending() ? DSL.row(columns).lt(DSL.row(literals))
                    : DSL.row(columns).gt(DSL.row(literals));
        }
        Condition any = DSL.falseCondition();
        Condition equalSoFar = DSL.trueCondition();
        for (int i = 0; i < sort.size(); i++) {
            SortOrder key = sort.get(i);
            @SuppressWarnings("unchecked")
            Field<Object> column = (Field<Object>) key.field().column();
            Object value = values.get(i);
            Field<Object> literal = value(key.field(), value);
            Condition strictlyAfter;
            if (key.descending()) {
                strictlyAfter = value == null ? column.isNotNull() : column.lt(literal);
            } else if (value == null) {
                strictlyAfter = DSL.falseCondition();
            } else {
                strictlyAfter = key.field().nullable() ? column.gt(literal).or(column.isNull()) : column.gt(literal);
            }
            any = any.or(equalSoFar.and(strictlyAfter));
            equalSoFar = equalSoFar.and(value == null ? column.isNull() : column.eq(literal));
        }
        return any;
    }

    @SuppressWarnings("unchecked")
    private static Field<Object> value(SortField field, Object value) {
        return (Field<Object>) DSL.val(value, field.column().getDataType());
    }

    /**
     * Included resources for a page: one statement per included relationship (per target type of a polymorphic
     * one), each related resource once, in the caller's scope.
     */
    public List<ResourceRow> included(DSLContext dsl, Caller caller, List<ResourceRow> rows,
            List<Relationship> includes) {
        List<ResourceRow> included = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (ResourceRow row : rows) {
            seen.add(row.type().name() + "/" + row.id());
        }
        for (Relationship relationship : includes) {
            // One statement per target type (a polymorphic to-one has several), none for a type no row points to.
            Map<String, Set<String>> idsByType = new LinkedHashMap<>();
            relationship.targetTypes().forEach(type -> idsByType.put(type, new LinkedHashSet<>()));
            for (ResourceRow row : rows) {
                String type = row.linkedType(relationship);
                for (String id : row.linkage(relationship)) {
                    if (!seen.contains(type + "/" + id)) {
                        idsByType.get(type).add(id);
                    }
                }
            }
            for (Map.Entry<String, Set<String>> ids : idsByType.entrySet()) {
                ResourceType target = registry.get(ids.getKey());
                for (ResourceRow related : fetchAll(dsl, target, caller, ids.getValue())) {
                    if (seen.add(target.name() + "/" + related.id())) {
                        included.add(related);
                    }
                }
            }
        }
        return included;
    }

    /**
     * A correlated array over a to-many relationship's join rows that lie in the caller's scope, ordered by
     * target id, so that several such arrays of one relationship line up element by element. Where the join
     * rows carry the tenant and the target type says what its scope asks of them ({@link LinkScope}), the
     * rows alone answer (one index range, no join); otherwise each target is joined and its scope applied.
     */
    private <T> Field<T[]> linkageArray(ResourceType type, Relationship relationship, Caller caller,
            Field<T> element, Field<T[]> stored, org.jooq.DataType<T[]> arrayType, String alias) {
        ResourceType target = registry.target(relationship);
        Optional<Condition> beyondOrganization = relationship.joinOrganization() == null ? Optional.empty()
                : target.linkScope(relationship.joinTarget(), caller);
        // The owner's row holds every join row of it, and they all carry its organization: where the caller's
        // scope asks nothing more of them, the stored column is the linkage (no index probe per relationship).
        // DSL.noCondition() is a singleton, and a link scope that asks nothing more returns exactly it.
        if (stored != null && beyondOrganization.isPresent() && beyondOrganization.get() == DSL.noCondition()) {
            return stored.as(alias);
        }
        var rows = DSL.select(element).from(relationship.joinTable());
        var linked = beyondOrganization.isPresent()
                ? rows.where(relationship.joinOwner().eq(type.id()))
                        .and(TenantScope.sameOrganization(relationship.joinOrganization(), caller))
                        .and(beyondOrganization.get())
                : rows.join(target.table()).on(target.id().eq(relationship.joinTarget()))
                        .where(relationship.joinOwner().eq(type.id()))
                        .and(target.scope(caller));
        // array(select ...) rather than an array_agg aggregate: no aggregate node per linkage, and an index on
        // (owner, target) gives the order without a sort.
        return DSL.array(linked.orderBy(relationship.joinTarget())).coerce(arrayType).as(alias);
    }

    /**
     * The join rows of a to-many relationship that the caller's scope lets it see, whatever their owner: exactly
     * the rows a linkage read lists ({@link #linkageArray}), so that a write that replaces the linkage replaces
     * only these. A group-scoped client sees, and so replaces, only the memberships inside its scope; the others
     * (a patient's groups outside the client's groups) survive its PATCH or upsert untouched.
     */
    public Condition visibleJoinRows(Relationship relationship, Caller caller) {
        ResourceType target = registry.target(relationship);
        Optional<Condition> beyondOrganization = relationship.joinOrganization() == null ? Optional.empty()
                : target.linkScope(relationship.joinTarget(), caller);
        if (beyondOrganization.isPresent()) {
            return TenantScope.sameOrganization(relationship.joinOrganization(), caller).and(beyondOrganization.get());
        }
        return relationship.joinTarget().in(DSL.select(target.id()).from(target.table()).where(target.scope(caller)));
    }

    /**
     * The linkage of an inverse to-many relationship: the ids of the targets whose owner column names this row,
     * in id order, in the caller's scope; no join table and no join (the targets' own table is read).
     */
    private Field<String[]> inverseLinkageArray(ResourceType type, Relationship relationship, Caller caller) {
        ResourceType target = registry.target(relationship);
        return DSL.field(DSL.select(DSL.arrayAgg(target.id()).orderBy(target.idColumns()))
                .from(target.table())
                .where(relationship.joinOwner().eq(type.id()))
                .and(target.scope(caller)))
                .coerce(SQLDataType.CHAR(24).array())
                .as(relationship.linkageAlias());
    }

    /** The columns of a type plus each to-many linkage as a correlated, scope-restricted array of ids. */
    /**
     * Several rows of a type, in this order: with the attributes {@linkplain Attribute#computedForRows computed for
     * many rows} computed by one call of their function for all the rows, not once per row. The rows are then
     * read in a common table expression named as the type's table, so that the order, the columns and the
     * readers of the rows name them as they name the table's, and each function joins them by id.
     *
     * <p>{@code ids}, when the read is of known ids, go to the functions as one array parameter (ids out of scope
     * are computed and not joined), which lets PostgreSQL inline a SQL function into the statement and keep its
     * plan with the statement's; otherwise the functions read the ids of the rows.
     */
    private List<ResourceRow> rows(DSLContext dsl, ResourceType type, Caller caller, Table<?> from, Condition where,
            List<? extends OrderField<?>> order, Integer limit, Long offset, Collection<String> ids) {
        List<Attribute> computed = type.attributes().stream().filter(a -> a.computedForRows() != null).toList();
        var select = dsl.select(selectFields(type, caller, computed.isEmpty())).from(from).where(where).orderBy(order);
        var rows = offset != null ? select.limit(limit).offset(offset) : limit != null ? select.limit(limit) : select;
        if (computed.isEmpty()) {
            return rows.fetch(record -> new ResourceRow(type, record));
        }
        Name table = type.table().getUnqualifiedName();
        List<SelectField<?>> fields = new ArrayList<>();
        for (Field<?> field : rows.getSelect()) {
            fields.add(DSL.field(table.append(field.getUnqualifiedName()), field.getDataType()));
        }
        Table<?> joined = DSL.table(table);
        for (Attribute attribute : computed) {
            Attribute.RowSetFunction function = attribute.computedForRows();
            Name alias = DSL.name("computed_" + attribute.name());
            Field<?> argument = ids != null
                    ? DSL.val(ids.toArray(String[]::new), type.id().getDataType().getArrayDataType())
                    : DSL.field("array(select {0} from {1})", DSL.field(table.append(type.id().getUnqualifiedName())),
                            table);
            joined = joined.leftJoin(DSL.table("{0}({1})", DSL.name(function.function()), argument).as(alias))
                    .on(DSL.field(alias.append(function.idColumn())).eq(DSL.field(table.append(
                            type.id().getUnqualifiedName()))));
            fields.add(DSL.field(alias.append(function.valueColumn()), attribute.column().getDataType())
                    .as(attribute.name()));
        }
        return dsl.with(table.as(rows)).select(fields).from(joined).orderBy(order)
                .fetch(record -> new ResourceRow(type, record));
    }

    /**
     * The columns of a read: ids, attributes, and the linkage of relationships; {@code computedPerRow} false
     * leaves out the attributes {@linkplain Attribute#computedForRows computed for many rows} ({@link #rows}).
     */
    private List<SelectField<?>> selectFields(ResourceType type, Caller caller) {
        return selectFields(type, caller, true);
    }

    private List<SelectField<?>> selectFields(ResourceType type, Caller caller, boolean computedPerRow) {
        Map<String, SelectField<?>> fields = new LinkedHashMap<>();
        for (Field<?> idColumn : type.idColumns()) {
            fields.put(idColumn.getName(), idColumn);
        }
        for (Attribute attribute : type.attributes()) {
            if (computedPerRow || attribute.computedForRows() == null) {
                fields.putIfAbsent(attribute.column().getName(), attribute.column());
            }
        }
        for (Relationship relationship : type.relationships()) {
            if (relationship.inverse()) {
                fields.put(relationship.linkageAlias(), inverseLinkageArray(type, relationship, caller));
            } else if (relationship.toMany()) {
                Relationship.StoredLinkage stored = relationship.stored();
                fields.put(relationship.linkageAlias(), linkageArray(type, relationship, caller,
                        relationship.joinTarget(), stored == null ? null : stored.ids(), SQLDataType.CHAR(24).array(),
                        relationship.linkageAlias()));
                if (relationship.primaryFlag() != null) {
                    fields.put(relationship.primaryAlias(), linkageArray(type, relationship, caller,
                            relationship.primaryFlag(), stored == null ? null : stored.flags(),
                            SQLDataType.BOOLEAN.array(), relationship.primaryAlias()));
                }
            } else {
                relationship.foreignKeys().forEach(key -> fields.putIfAbsent(key.getName(), key));
            }
        }
        return new ArrayList<>(fields.values());
    }
}
