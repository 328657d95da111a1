package dev.openplus.jsonapi;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.jooq.Condition;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import dev.openplus.db.LocalDateBinding;


/**
 * A resource type described once: wire name, table, attributes, relationships, the filters, sorts and includes
 * its collection accepts, and the tenant rule that restricts every query of it. Everything generic (query
 * parsing, paging, includes, serialization, body validation) works from this description.
 */
public final class ResourceType {
    private final String name;
    private final Table<?> table;
    private final Field<String> id;
    private final Map<String, Attribute> attributes;
    private final Map<String, Relationship> relationships;
    private final Map<String, FilterDef> filters;
    private final Map<String, String> filterAliases;
    private final List<List<String>> requiredFilterChoices;
    private final Map<String, SortField> sorts;
    private final Function<Caller, Condition> scope;
    private final int defaultPageSize;
    private final int maxPageSize;
    private final String webAppPath;
    private final Field<String> tenantColumn;
    private final boolean bulkCreate;
    private final boolean duplicatesIgnorable;
    private final boolean deletable;
    private final WriteRules rules;
    private final String description;
    private final IdFormat idFormat;
    private final DerivedId derivedId;
    private final List<Field<?>> idColumns;

    private final List<KeptCount> keptCounts;
    private final LinkScope linkScope;

    private ResourceType(Builder builder) {
        this.idFormat = builder.derivedId != null ? builder.derivedId.format() : builder.idFormat;
        this.derivedId = builder.derivedId;
        this.idColumns = builder.derivedId != null ? builder.derivedId.columns() : List.of(builder.id);
        this.keptCounts = List.copyOf(builder.keptCounts);
        this.linkScope = builder.linkScope;
        this.tenantColumn = builder.tenantColumn;
        this.bulkCreate = builder.bulkCreate;
        this.duplicatesIgnorable = builder.duplicatesIgnorable;
        this.deletable = builder.deletable;
        this.rules = builder.rules;
        this.description = builder.description;
        this.webAppPath = builder.webAppPath;
        this.defaultPageSize = builder.defaultPageSize;
        this.maxPageSize = builder.maxPageSize;
        this.name = builder.name;
        this.table = builder.table;
        this.id = builder.derivedId != null ? builder.derivedId.expression() : builder.id;
        this.attributes = Map.copyOf(builder.attributes);
        this.relationships = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(builder.relationships));
        this.filters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(builder.filters));
        this.filterAliases = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(builder.filterAliases));
        this.requiredFilterChoices = List.copyOf(builder.requiredFilterChoices);
        this.sorts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(builder.sorts));
        this.scope = builder.scope;
        // Both are read for every resource written: built once, not per call.
        this.orderedAttributes = List.copyOf(builder.attributes.values());
        this.orderedRelationships = List.copyOf(builder.relationships.values());
    }

    private final List<Attribute> orderedAttributes;
    private final List<Relationship> orderedRelationships;

    public String name() {
        return name;
    }

    public Table<?> table() {
        return table;
    }

    /**
     * The id column; for a type with a {@link DerivedId}, the id computed in SQL (correct anywhere, but no index
     * serves it: the engine reads and finds such ids through {@link #idColumns()}, {@link #idOf},
     * {@link #idEquals} and {@link #idIn}).
     */
    public Field<String> id() {
        return id;
    }

    /** How the type's ids are derived from its columns, or null when they are stored in an id column. */
    public DerivedId derivedId() {
        return derivedId;
    }

    /** The columns a row's id is read from, in id order: the id column, or those a derived id is encoded from. */
    public List<Field<?>> idColumns() {
        return idColumns;
    }

    /** The id of a row read with (at least) {@link #idColumns()}. */
    public String idOf(Record record) {
        if (derivedId == null) {
            return record.get(id);
        }
        List<Object> values = new ArrayList<>(idColumns.size());
        for (Field<?> column : idColumns) {
            values.add(record.get(column));
        }
        return derivedId.encode(values);
    }

    /** The values of {@link #idColumns()} a row with this id has, or null when no row can have it. */
    public List<Object> idValues(String value) {
        if (derivedId == null) {
            return value == null ? null : List.of(value);
        }
        return derivedId.decode(value);
    }

    /** The row with this id (no row for an id that cannot exist). */
    @SuppressWarnings("unchecked")
    public Condition idEquals(String value) {
        if (derivedId == null) {
            return id.eq(value);
        }
        List<Object> values = derivedId.decode(value);
        if (values == null) {
            return DSL.falseCondition();
        }
        Condition condition = DSL.noCondition();
        for (int i = 0; i < idColumns.size(); i++) {
            Field<Object> column = (Field<Object>) idColumns.get(i);
            condition = condition.and(column.eq(DSL.val(values.get(i), column.getDataType())));
        }
        return condition;
    }

    /**
     * The rows with one of these ids. A derived id becomes a semi-join on the columns against one array per
     * column (one bind per column whatever the number of ids), which the database answers with index lookups.
     */
    public Condition idIn(Collection<String> values) {
        if (derivedId == null) {
            return id.in(values);
        }
        List<List<Object>> decoded = values.stream().map(derivedId::decode).filter(v -> v != null).toList();
        if (decoded.isEmpty()) {
            return DSL.falseCondition();
        }
        List<Field<?>> arrays = new ArrayList<>(idColumns.size());
        for (int i = 0; i < idColumns.size(); i++) {
            Field<?> column = idColumns.get(i);
            Object[] array = (Object[]) java.lang.reflect.Array.newInstance(column.getType(), decoded.size());
            for (int r = 0; r < decoded.size(); r++) {
                array[r] = decoded.get(r).get(i);
            }
            arrays.add(arrayOf(column, array));
        }
        return DSL.condition("({0}) in (select * from unnest({1}))", DSL.list(idColumns.toArray(Field[]::new)),
                DSL.list(arrays.toArray(Field[]::new)));
    }

    /** {@link #rowsWith} the rows with these ids. */
    public Table<?> rowsWithIds(Collection<String> values) {
        return rowsWith(idIn(values));
    }

    /** {@link #rowsWith} the row with this id. */
    public Table<?> rowWithId(String value) {
        return rowsWith(idEquals(value));
    }

    /**
     * The rows a condition on the id columns selects, read before the tenant scope or anything else is applied to
     * them, under the table's own name so that every column and correlated subquery of the type reads them as it
     * would read the table. Every read by id goes through it.
     *
     * <p>With the id and the tenant condition side by side, the planner may reach the rows through an index that
     * leads with the organization (e.g. {@code (organization_id, archived, id)}) and filter on the id there: a
     * walk over every index entry of the organization, whose cost grows with the organization, not with the ids
     * asked. Which index it took depended on the statistics (one data shape got the primary key, another the
     * organization's index, in generic and custom plans alike). {@code offset 0} keeps PostgreSQL from pulling
     * the subquery up or pushing the scope into it, so the only condition the table's read is planned with is
     * the one on the id columns: a lookup in the primary key per id, whatever the data's shape.
     */
    public Table<?> rowsWith(Condition byId) {
        return DSL.select(DSL.asterisk()).from(table).where(byId).offset(DSL.inline(0)).asTable(table.getName());
    }

    @SuppressWarnings("unchecked")
    private static <T> Field<T[]> arrayOf(Field<T> column, Object[] values) {
        return DSL.val((T[]) values, column.getDataType().getArrayDataType());
    }

    /** What this type's ids look like. */
    public IdFormat idFormat() {
        return idFormat;
    }

    /** True when the value could be an id of this type; anything else cannot exist (404 without a query). */
    public boolean isWellFormedId(String value) {
        return idFormat.accepts(value);
    }

    /** Attributes in declaration order (the order they are written in). */
    public List<Attribute> attributes() {
        return orderedAttributes;
    }

    public Optional<Attribute> attribute(String attributeName) {
        return Optional.ofNullable(attributes.get(attributeName));
    }

    public List<Relationship> relationships() {
        return orderedRelationships;
    }

    public Optional<Relationship> relationship(String relationshipName) {
        return Optional.ofNullable(relationships.get(relationshipName));
    }

    /** A filter by name or alias. */
    public Optional<FilterDef> filter(String filterName) {
        return Optional.ofNullable(filters.get(filterAliases.getOrDefault(filterName, filterName)));
    }

    /**
     * The resource types whose ids an id-list filter names (empty for other filters): every id must be one of
     * them in the caller's scope, or the filter is refused with 403 like an organization or group outside it.
     */

    /** Each inner list: at least one of these filters must be given. */
    public List<List<String>> requiredFilterChoices() {
        return requiredFilterChoices;
    }

    public Optional<SortField> sort(String sortName) {
        return Optional.ofNullable(sorts.get(sortName));
    }

    /** Every filter in declaration order (for the document). */
    public List<FilterDef> filters() {
        return List.copyOf(filters.values());
    }

    /** alias → filter name. */
    public Map<String, String> filterAliases() {
        return filterAliases;
    }

    /** Every sortable field in declaration order. */
    public List<SortField> sorts() {
        return List.copyOf(sorts.values());
    }

    /** The condition every query of this type carries for the caller. */
    public Condition scope(Caller caller) {
        return scope.apply(caller);
    }

    /**
     * What this type's scope asks of a join row that points at it, beyond the row's organization (see
     * {@link LinkScope}); empty when the type declares none or the caller needs the type's own row.
     */
    public Optional<Condition> linkScope(Field<String> targetId, Caller caller) {
        return linkScope == null ? Optional.empty() : linkScope.beyondOrganization(targetId, caller);
    }

    /** The column that carries the tenant's organization id (set from the caller on create), or null. */
    public Field<String> tenantColumn() {
        return tenantColumn;
    }

    /** Whether a create may carry an array of resources. */
    public boolean bulkCreate() {
        return bulkCreate;
    }

    /** Whether a create accepts {@code meta.ignore_duplicates} (the rules decide what a duplicate is). */
    public boolean duplicatesIgnorable() {
        return duplicatesIgnorable;
    }

    public boolean deletable() {
        return deletable;
    }

    /** The counts the database keeps for this type's common unfiltered lists, tried in this order. */
    public List<KeptCount> keptCounts() {
        return keptCounts;
    }

    /** The domain rules the engine runs inside each write transaction. */
    public WriteRules rules() {
        return rules;
    }

    /** The document's text for the resource, or null. */
    public String description() {
        return description;
    }

    /** Skip paging's page[size] default and maximum for this type's collections. */
    public int defaultPageSize() {
        return defaultPageSize;
    }

    public int maxPageSize() {
        return maxPageSize;
    }

    /** The path (a format with the id as %s) of the resource in the coaching web app, or null. */
    public String webAppPath() {
        return webAppPath;
    }

    public String selfLink(String resourceId) {
        return "/pub/" + name + "/" + resourceId;
    }

    public static Builder builder(String name, String tableName) {
        return new Builder(name, tableName, IdFormat.STANDARD);
    }

    /** A type whose ids are not the standard 24-hex ones (its id column is text). */
    public static Builder builder(String name, String tableName, IdFormat idFormat) {
        return new Builder(name, tableName, idFormat);
    }

    /** Column of this type's table. */
    /** A column of a table; a date column reads and binds {@link LocalDate} ({@link LocalDateBinding}). */
    @SuppressWarnings("unchecked")
    public static <T> Field<T> tableColumn(String tableName, String columnName, DataType<T> dataType) {
        DataType<T> bound = dataType.getType() == LocalDate.class
                ? (DataType<T>) LocalDateBinding.DATE.nullable(dataType.nullable()) : dataType;
        return DSL.field(DSL.name(tableName, columnName), bound);
    }

    public static final class Builder {
        private final String name;
        private final String tableName;
        private final Table<?> table;
        private final Field<String> id;
        private final LinkedHashMap<String, Attribute> attributes = new LinkedHashMap<>();
        private final LinkedHashMap<String, Relationship> relationships = new LinkedHashMap<>();
        private final LinkedHashMap<String, FilterDef> filters = new LinkedHashMap<>();
        private final LinkedHashMap<String, String> filterAliases = new LinkedHashMap<>();
        private final List<List<String>> requiredFilterChoices = new ArrayList<>();
        private final LinkedHashMap<String, SortField> sorts = new LinkedHashMap<>();
        private Function<Caller, Condition> scope;
        private int defaultPageSize = 10;
        private int maxPageSize = 50;
        private String webAppPath;
        private Field<String> tenantColumn;
        private boolean bulkCreate;
        private boolean duplicatesIgnorable;
        private boolean deletable;
        private WriteRules rules = WriteRules.NONE;
        private String description;
        private final IdFormat idFormat;
        private DerivedId derivedId;
        private final List<KeptCount> keptCounts = new ArrayList<>();
        private LinkScope linkScope;

        private Builder(String name, String tableName, IdFormat idFormat) {
            this.name = name;
            this.tableName = tableName;
            this.idFormat = idFormat;
            this.table = DSL.table(DSL.name(tableName));
            this.id = tableColumn(tableName, "id", idFormat == IdFormat.STANDARD ? SQLDataType.CHAR(24) : SQLDataType.VARCHAR);
        }

        public Field<String> id() {
            return id;
        }

        public <T> Field<T> column(String columnName, org.jooq.DataType<T> dataType) {
            return tableColumn(tableName, columnName, dataType);
        }

        public Builder attribute(Attribute attribute) {
            attributes.put(attribute.name(), attribute);
            return this;
        }

        /** created_at, created_by, updated_at, updated_by: read-only on every resource (DESIGN §3). */
        public Builder auditAttributes() {
            attribute(Attribute.of("created_at", column("created_at", SQLDataType.TIMESTAMPWITHTIMEZONE),
                    Shape.timestamp()).notNull().asReadOnly().asExtension());
            attribute(Attribute.string("created_by", column("created_by", SQLDataType.VARCHAR)).asReadOnly().asExtension());
            attribute(Attribute.of("updated_at", column("updated_at", SQLDataType.TIMESTAMPWITHTIMEZONE),
                    Shape.timestamp()).notNull().asReadOnly().asExtension());
            attribute(Attribute.string("updated_by", column("updated_by", SQLDataType.VARCHAR)).asReadOnly().asExtension());
            return this;
        }

        /** filter[created_at] and filter[updated_at] date ranges: what a sync job asks for "changed since". */
        public Builder auditFilters() {
            Field<OffsetDateTime> createdAt = column("created_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
            Field<OffsetDateTime> updatedAt = column("updated_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
            filter(new FilterDef("created_at", FilterKind.DATE_RANGE, range -> ((DateRange) range).on(createdAt)));
            filter(new FilterDef("updated_at", FilterKind.DATE_RANGE, range -> ((DateRange) range).on(updatedAt)));
            sort(new SortField("created_at", createdAt, AttributeType.TIMESTAMP, false));
            sort(new SortField("updated_at", updatedAt, AttributeType.TIMESTAMP, false));
            return this;
        }

        public Builder relationship(Relationship relationship) {
            relationships.put(relationship.name(), relationship);
            return this;
        }

        public Builder filter(FilterDef filter) {
            filters.put(filter.name(), filter);
            return this;
        }

        public Builder filterAlias(String alias, String filterName) {
            filterAliases.put(alias, filterName);
            return this;
        }


        public Builder requireOneOf(String... filterNames) {
            requiredFilterChoices.add(List.of(filterNames));
            return this;
        }

        public Builder sort(SortField sort) {
            sorts.put(sort.name(), sort);
            return this;
        }

        public Builder webAppLink(String pathFormat) {
            this.webAppPath = pathFormat;
            return this;
        }

        public Builder skipPaging(int defaultSize, int maxSize) {
            this.defaultPageSize = defaultSize;
            this.maxPageSize = maxSize;
            return this;
        }

        /** The organization column, written from the caller on create. */
        public Builder tenant(Field<String> organizationColumn) {
            this.tenantColumn = organizationColumn;
            return this;
        }

        /** A create may carry {@code data} as an array (all-or-nothing, answered in request order). */
        public Builder bulkCreate() {
            this.bulkCreate = true;
            return this;
        }

        /** A create accepts {@code meta.ignore_duplicates}: items the rules find duplicate are skipped. */
        public Builder duplicatesIgnorable() {
            this.duplicatesIgnorable = true;
            return this;
        }

        public Builder deletable() {
            this.deletable = true;
            return this;
        }

        public Builder rules(WriteRules writeRules) {
            this.rules = writeRules;
            return this;
        }

        /**
         * Ids are not stored but derived from columns (see {@link DerivedId}); the table needs no id column. Such
         * a type is read-only.
         */
        public Builder derivedId(DerivedId codec) {
            this.derivedId = codec;
            return this;
        }

        /** A count the database keeps for one of this type's unfiltered lists ({@link KeptCount}). */
        public Builder keptCount(KeptCount count) {
            keptCounts.add(count);
            return this;
        }

        public Builder describedAs(String text) {
            this.description = text;
            return this;
        }

        public Builder scope(Function<Caller, Condition> tenantScope) {
            this.scope = tenantScope;
            return this;
        }

        /**
         * The scope for join rows that point at this type and carry the caller's organization: must agree with
         * {@link #scope} (the organization in the tenant column, and this condition on the id).
         */
        public Builder linkScope(LinkScope rule) {
            this.linkScope = rule;
            return this;
        }

        public ResourceType build() {
            if (linkScope != null && tenantColumn == null) {
                throw new IllegalStateException("resource type " + name + " has a link scope but no tenant column");
            }
            if (scope == null) {
                throw new IllegalStateException("resource type " + name + " has no tenant scope");
            }
            if (derivedId != null && (tenantColumn != null || bulkCreate || deletable || rules != WriteRules.NONE)) {
                throw new IllegalStateException("resource type " + name + " derives its ids, so it cannot be written");
            }
            if ((derivedId != null || idFormat != IdFormat.STANDARD)
                    && attributes.values().stream().anyMatch(attribute -> attribute.computedForRows() != null)) {
                // The functions of such attributes take and answer ids as char(24).
                throw new IllegalStateException("resource type " + name + " computes an attribute for many rows"
                        + " but its ids are not standard ids");
            }
            keptCounts.forEach(count -> count.check(name, tableName, filters));
            return new ResourceType(this);
        }
    }
}
