package dev.openplus.jsonapi;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.function.BiPredicate;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Record;
import org.jooq.SelectField;
import org.jooq.UpdateSetMoreStep;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.db.Ids;
import dev.openplus.db.UnnestInsert;

/**
 * The generic write path: create (one, or a bulk array where the type allows it), PATCH and DELETE of any
 * described type, in one transaction per request, answering with the stored resource exactly as a fetch
 * would. The engine checks what the description states (shapes, required, read-only, immutable, defaults,
 * relationship targets in the caller's scope); the type's {@link WriteRules} add what only the feature knows.
 * Each request costs a fixed number of statements whatever the batch size: one per table written, one per
 * related type checked.
 */
public final class ResourceWriter {
    private final ResourceEndpoints resources;
    private final int maxBulkItems;

    public ResourceWriter(ResourceEndpoints resources, int maxBulkItems) {
        this.resources = resources;
        this.maxBulkItems = maxBulkItems;
    }

    /**
     * What a write stored: the ids written (request order), the pointers of skipped items, and the members the
     * rules ignored ({@link WriteItem#ignore}).
     */
    public record Result(List<String> ids, List<String> skipped, List<String> ignoredByRules) {
    }

    // ---- operations -------------------------------------------------------------------------------------------

    /** POST /pub/{type}: one resource, or an array where the type allows bulk creates. */
    public void create(ApiExchange exchange, ResourceType type, int status) {
        Caller caller = exchange.caller();
        type.rules().authorize(caller, WriteBatch.Mode.CREATE);
        resources.parser().parseFetch(type, exchange.queryParams());
        JsonNode document = BodyReader.requestDocument(exchange.body());
        boolean ignoreDuplicates = ignoreDuplicates(type, document);
        JsonNode data = document.get("data");
        boolean bulk = type.bulkCreate() && data != null && data.isArray();
        List<BodyReader.ResourceInput> inputs = createInputs(type, document);
        resources.database().transaction(dsl -> {
            Result result = insert(dsl, caller, type, inputs, document.get("meta"), ignoreDuplicates);
            resources.respondWith(exchange, dsl, status, type, result.ids(), bulk, ignored(inputs, result));
            return null;
        });
    }

    /** PATCH /pub/{type}/{id}: only the members present change. */
    public void update(ApiExchange exchange, ResourceType type, String id, int status) {
        Caller caller = exchange.caller();
        type.rules().authorize(caller, WriteBatch.Mode.UPDATE);
        resources.parser().parseFetch(type, exchange.queryParams());
        if (!type.isWellFormedId(id)) {
            throw ApiException.notFound(type.name(), id);
        }
        JsonNode document = BodyReader.requestDocument(exchange.body());
        BodyReader.ResourceInput input = updateInput(type, document, id);
        resources.database().transaction(dsl -> {
            Result result = update(dsl, caller, type, id, input, document.get("meta"));
            resources.respondWith(exchange, dsl, status, type, result.ids(), false, ignored(List.of(input), result));
            return null;
        });
    }

    /** DELETE /pub/{type}/{id}: answers a meta-only document; the resource is gone afterwards. */
    public void delete(ApiExchange exchange, ResourceType type, String id) {
        Caller caller = exchange.caller();
        type.rules().authorize(caller, WriteBatch.Mode.UPDATE);
        resources.parser().parseFetch(type, exchange.queryParams());
        resources.database().transaction(dsl -> {
            lockStored(dsl, caller, type, id);
            type.rules().beforeDelete(dsl, caller, id);
            for (Relationship relationship : type.relationships()) {
                if (relationship.toMany() && relationship.isWritable()) {
                    dsl.deleteFrom(relationship.joinTable()).where(relationship.joinOwner().eq(id)).execute();
                }
            }
            dsl.deleteFrom(type.table()).where(type.id().eq(id)).execute();
            exchange.respond(200, resources.writer().metaOnly(DocumentWriter.Meta.of(exchange.reqId())));
            return null;
        });
    }

    // ---- building blocks (for features that compose writes, e.g. an upsert) ----------------------------------

    /** The checked resource objects of a create document: one, or each item of a bulk array. */
    public List<BodyReader.ResourceInput> createInputs(ResourceType type, JsonNode document) {
        JsonNode data = document.get("data");
        List<JsonNode> items = new ArrayList<>();
        boolean bulk = type.bulkCreate() && data != null && data.isArray();
        if (bulk) {
            if (data.isEmpty() || data.size() > maxBulkItems) {
                throw ApiException.invalidBody("/data", "a bulk create takes 1 to " + maxBulkItems + " resources");
            }
            data.forEach(items::add);
        } else {
            items.add(BodyReader.singleData(document));
        }
        ApiException.Collector problems = new ApiException.Collector();
        List<BodyReader.ResourceInput> inputs = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String pointer = bulk ? "/data/" + i : "/data";
            JsonNode item = items.get(i);
            if (item == null || !item.isObject()) {
                problems.add(ApiError.pointer(pointer, "must be a resource object"));
                continue;
            }
            try {
                inputs.add(BodyReader.resource(item, pointer, type, WriteBatch.Mode.CREATE, null, resources.registry()));
            } catch (ApiException e) {
                problems.addAll(e.errors());
            }
        }
        problems.throwIfAny();
        return inputs;
    }

    /** The checked resource object of an update document. */
    public BodyReader.ResourceInput updateInput(ResourceType type, JsonNode document, String id) {
        return BodyReader.resource(BodyReader.singleData(document), "/data", type, WriteBatch.Mode.UPDATE, id,
                resources.registry());
    }

    /** Inserts checked resources (inside the caller's transaction). */
    public Result insert(DSLContext dsl, Caller caller, ResourceType type, List<BodyReader.ResourceInput> inputs,
            JsonNode meta, boolean ignoreDuplicates) {
        List<WriteItem> items = new ArrayList<>();
        for (BodyReader.ResourceInput input : inputs) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (Attribute attribute : type.attributes()) {
                if (attribute.readOnly()) {
                    continue;
                }
                Object value = input.has(attribute.name()) ? input.value(attribute.name()) : attribute.defaultValue();
                values.put(attribute.name(), stored(attribute, value, null));
            }
            WriteItem item = new WriteItem(Ids.newId(), input, null, null, null, values);
            givenLinks(input).forEach(item::link);
            items.add(item);
        }
        WriteBatch batch = new WriteBatch(dsl, caller, type, WriteBatch.Mode.CREATE, items, meta, ignoreDuplicates,
                resources.settings());
        runBeforeWrite(batch);
        List<WriteItem> written = batch.written().stream().filter(item -> !item.writtenByRules()).toList();
        insertRows(dsl, caller, type, written);
        insertJoinRows(dsl, caller, written);
        type.rules().afterWrite(batch);
        batch.throwIfProblems();
        return result(batch);
    }

    /** Updates one checked resource (inside the caller's transaction); 404 unless it is in the caller's scope. */
    public Result update(DSLContext dsl, Caller caller, ResourceType type, String id, BodyReader.ResourceInput input,
            JsonNode meta) {
        Record record = lockStored(dsl, caller, type, id);
        Map<String, Object> stored = new LinkedHashMap<>();
        for (Attribute attribute : type.attributes()) {
            stored.put(attribute.name(), javaValue(attribute, record.get(attribute.column())));
        }
        Map<String, String> storedKeys = new LinkedHashMap<>();
        Map<String, String> storedTypes = new LinkedHashMap<>();
        ResourceRow storedRow = new ResourceRow(type, record);
        for (Relationship relationship : type.relationships()) {
            if (!relationship.toMany()) {
                List<String> linked = storedRow.linkage(relationship);
                storedKeys.put(relationship.name(), linked.isEmpty() ? null : linked.get(0));
                storedTypes.put(relationship.name(), linked.isEmpty() ? null : storedRow.linkedType(relationship));
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        WriteItem item = new WriteItem(id, input, stored, storedKeys, storedTypes, values);
        for (Attribute attribute : type.attributes()) {
            if (!input.has(attribute.name())) {
                continue;
            }
            Object value = input.value(attribute.name());
            if (attribute.isImmutable() && !sameValue(value, stored.get(attribute.name()))) {
                item.problem("/attributes/" + BodyReader.escape(attribute.name()),
                        attribute.name() + " cannot be changed after creation");
            }
            values.put(attribute.name(), stored(attribute, value, stored.get(attribute.name())));
        }
        givenLinks(input).forEach(item::link);
        WriteBatch batch = new WriteBatch(dsl, caller, type, WriteBatch.Mode.UPDATE, List.of(item), meta, false,
                resources.settings());
        batch.throwIfProblems();
        runBeforeWrite(batch);
        updateRow(dsl, caller, type, item);
        // A given to-many linkage replaces what the caller can see of the stored one, never more: a
        // group-scoped client round-tripping the linkage it read must not drop the memberships it cannot see.
        for (Map.Entry<Relationship, List<WriteItem.Link>> link : item.links().entrySet()) {
            Relationship relationship = link.getKey();
            if (relationship.toMany()) {
                dsl.deleteFrom(relationship.joinTable()).where(relationship.joinOwner().eq(id))
                        .and(resources.repository().visibleJoinRows(relationship, caller)).execute();
            }
        }
        insertJoinRows(dsl, caller, List.of(item));
        type.rules().afterWrite(batch);
        batch.throwIfProblems();
        return result(batch);
    }

    // ---- the steps ----------------------------------------------------------------------------------------------

    /**
     * Links from the body are checked before the rules run (so a rule never reasons about a foreign id); links
     * the rules set themselves (e.g. read from a custom member) are held to the same rule afterwards.
     */
    private void runBeforeWrite(WriteBatch batch) {
        checkLinks(batch, (item, relationship) -> true);
        batch.throwIfProblems();
        Map<WriteItem, Map<Relationship, List<WriteItem.Link>>> checked = new HashMap<>();
        batch.items().forEach(item -> checked.put(item, new HashMap<>(item.links())));
        batch.type().rules().beforeWrite(batch);
        batch.throwIfProblems();
        checkLinks(batch, (item, relationship) -> !item.links().get(relationship)
                .equals(checked.get(item).get(relationship)));
        batch.throwIfProblems();
    }

    /**
     * Every linked id must name a resource of its type (the target type, or the one its identifier gave for a
     * polymorphic relationship) in the caller's scope; one that does not is reported exactly like one that does
     * not exist (403 at its pointer, never revealing which it was). One statement per target type for the whole
     * batch.
     */
    private void checkLinks(WriteBatch batch, BiPredicate<WriteItem, Relationship> which) {
        Map<String, Set<String>> byTarget = new LinkedHashMap<>();
        forEachLink(batch, which, (item, relationship, related) -> byTarget
                .computeIfAbsent(related.typeIn(relationship), t -> new LinkedHashSet<>()).add(related.id()));
        Map<String, Set<String>> visible = new HashMap<>();
        for (Map.Entry<String, Set<String>> target : byTarget.entrySet()) {
            ResourceType targetType = resources.registry().get(target.getKey());
            visible.put(target.getKey(), new HashSet<>(batch.dsl().select(targetType.idColumns()).from(targetType.rowsWithIds(target.getValue()))
                    .where(targetType.scope(batch.caller()))
                    .fetch(targetType::idOf)));
        }
        forEachLink(batch, which, (item, relationship, related) -> {
            if (!visible.get(related.typeIn(relationship)).contains(related.id())) {
                item.problem(new ApiError(ErrorCode.Forbidden.status(), ErrorCode.Forbidden,
                        "no " + related.typeIn(relationship) + " with this id in this client's scope",
                        related.pointer(), null));
            }
        });
    }

    private interface LinkVisitor {
        void visit(WriteItem item, Relationship relationship, WriteItem.Link related);
    }

    private static void forEachLink(WriteBatch batch, BiPredicate<WriteItem, Relationship> which, LinkVisitor visitor) {
        for (WriteItem item : batch.items()) {
            for (Map.Entry<Relationship, List<WriteItem.Link>> link : item.links().entrySet()) {
                if (which.test(item, link.getKey())) {
                    link.getValue().forEach(related -> visitor.visit(item, link.getKey(), related));
                }
            }
        }
    }

    private Map<Relationship, List<WriteItem.Link>> givenLinks(BodyReader.ResourceInput input) {
        Map<Relationship, List<WriteItem.Link>> links = new LinkedHashMap<>();
        for (Map.Entry<Relationship, List<String>> given : input.links().entrySet()) {
            Relationship relationship = given.getKey();
            String base = input.relationshipPointer(relationship) + "/data";
            // Only a polymorphic relationship's links carry their type; the others have one.
            List<String> types = input.linkTypes(relationship);
            List<WriteItem.Link> related = new ArrayList<>();
            for (int i = 0; i < given.getValue().size(); i++) {
                related.add(WriteItem.Link.typed(relationship.isPolymorphic() ? types.get(i) : null,
                        given.getValue().get(i), relationship.toMany() ? base + "/" + i + "/id" : base + "/id"));
            }
            links.put(relationship, related);
        }
        return links;
    }

    private void insertRows(DSLContext dsl, Caller caller, ResourceType type, List<WriteItem> items) {
        if (items.isEmpty()) {
            return;
        }
        // The union of columns over the batch, so that one statement writes every row.
        LinkedHashMap<String, Field<?>> columns = new LinkedHashMap<>();
        columns.put(type.id().getName(), type.id());
        if (type.tenantColumn() != null) {
            columns.put(type.tenantColumn().getName(), type.tenantColumn());
        }
        boolean audited = type.attribute("created_by").isPresent();
        Field<?> createdBy = audited ? type.attribute("created_by").orElseThrow().column() : null;
        Field<?> updatedBy = audited ? type.attribute("updated_by").orElseThrow().column() : null;
        if (audited) {
            columns.put(createdBy.getName(), createdBy);
            columns.put(updatedBy.getName(), updatedBy);
        }
        for (Attribute attribute : type.attributes()) {
            if (!attribute.readOnly()) {
                columns.putIfAbsent(attribute.column().getName(), attribute.column());
            }
        }
        for (Relationship relationship : type.relationships()) {
            if (!relationship.toMany() && relationship.isWritable()) {
                relationship.foreignKeys().forEach(key -> columns.putIfAbsent(key.getName(), key));
            }
            if (relationship.stored() != null) {
                columns.putIfAbsent(relationship.stored().ids().getName(), relationship.stored().ids());
                if (relationship.stored().flags() != null) {
                    columns.putIfAbsent(relationship.stored().flags().getName(), relationship.stored().flags());
                }
            }
        }
        items.forEach(item -> item.columns().keySet().forEach(c -> columns.putIfAbsent(c.getName(), c)));
        List<Field<?>> ordered = new ArrayList<>(columns.values());
        List<Object[]> rows = new ArrayList<>();
        for (WriteItem item : items) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put(type.id().getName(), item.id());
            if (type.tenantColumn() != null) {
                row.put(type.tenantColumn().getName(), caller.organizationId());
            }
            if (audited) {
                row.put(createdBy.getName(), caller.actorId());
                row.put(updatedBy.getName(), caller.actorId());
            }
            for (Attribute attribute : type.attributes()) {
                if (!attribute.readOnly()) {
                    row.put(attribute.column().getName(), item.values().get(attribute.name()));
                }
            }
            for (Relationship relationship : type.relationships()) {
                if (!relationship.toMany() && relationship.isWritable()) {
                    foreignKeyValues(relationship, item.linkedType(relationship), item.linkedId(relationship))
                            .forEach((column, value) -> row.put(column.getName(), value));
                }
                if (relationship.stored() != null) {
                    storedLinkage(relationship, item.links().getOrDefault(relationship, List.of()), row);
                }
            }
            item.columns().forEach((column, value) -> row.put(column.getName(), value));
            Object[] values = new Object[ordered.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = columnValue(row.get(ordered.get(i).getName()));
            }
            rows.add(values);
        }
        UnnestInsert.insert(dsl, type.table().getName(), ordered.stream().map(ResourceWriter::unnestColumn).toList(),
                rows, null, null);
    }

    /**
     * A new row's stored linkage, as the join table's trigger would compute it from the join rows inserted next
     * (ids in order, flags in the same order): written with the row, so the trigger finds nothing to change
     * and a bulk create does not write each row twice.
     */
    private static void storedLinkage(Relationship relationship, List<WriteItem.Link> links, Map<String, Object> row) {
        TreeMap<String, Object> byId = new TreeMap<>();
        for (WriteItem.Link link : links) {
            byId.put(link.id(), relationship.primaryFlag() == null ? null
                    : link.joinValues().getOrDefault(relationship.primaryFlag(), false));
        }
        row.put(relationship.stored().ids().getName(), arrayLiteral(byId.keySet()));
        if (relationship.stored().flags() != null) {
            row.put(relationship.stored().flags().getName(), arrayLiteral(byId.values()));
        }
    }

    /** A PostgreSQL array literal of ids or flags (neither needs quoting); a null element is NULL. */
    private static String arrayLiteral(Collection<?> values) {
        StringJoiner literal = new StringJoiner(",", "{", "}");
        values.forEach(value -> literal.add(value == null ? "NULL" : value.toString()));
        return literal.toString();
    }

    /** One statement per to-many relationship for the whole batch; extra join columns (e.g. a primary flag) too. */
    private void insertJoinRows(DSLContext dsl, Caller caller, List<WriteItem> items) {
        Map<Relationship, List<Field<?>>> columnsByRelationship = new LinkedHashMap<>();
        for (WriteItem item : items) {
            for (Map.Entry<Relationship, List<WriteItem.Link>> link : item.links().entrySet()) {
                Relationship relationship = link.getKey();
                if (!relationship.toMany()) {
                    continue;
                }
                List<Field<?>> columns = columnsByRelationship.computeIfAbsent(relationship, r -> {
                    List<Field<?>> fixed = new ArrayList<>(List.of(r.joinOwner(), r.joinTarget()));
                    if (r.joinOrganization() != null) {
                        fixed.add(r.joinOrganization());
                    }
                    return fixed;
                });
                link.getValue().forEach(related -> related.joinValues().keySet().forEach(extra -> {
                    if (!columns.contains(extra)) {
                        columns.add(extra);
                    }
                }));
            }
        }
        for (Map.Entry<Relationship, List<Field<?>>> entry : columnsByRelationship.entrySet()) {
            Relationship relationship = entry.getKey();
            List<Field<?>> columns = entry.getValue();
            List<Object[]> rows = new ArrayList<>();
            for (WriteItem item : items) {
                for (WriteItem.Link related : item.links().getOrDefault(relationship, List.of())) {
                    Object[] row = new Object[columns.size()];
                    for (int c = 0; c < row.length; c++) {
                        Field<?> column = columns.get(c);
                        row[c] = column == relationship.joinOwner() ? item.id()
                                : column == relationship.joinTarget() ? related.id()
                                : column == relationship.joinOrganization() ? caller.organizationId()
                                : columnValue(related.joinValues().get(column));
                    }
                    rows.add(row);
                }
            }
            UnnestInsert.insert(dsl, relationship.joinTable().getName(),
                    columns.stream().map(ResourceWriter::unnestColumn).toList(), rows, null, null);
        }
    }

    private void updateRow(DSLContext dsl, Caller caller, ResourceType type, WriteItem item) {
        Map<Field<?>, Object> sets = new LinkedHashMap<>();
        type.attribute("updated_at").ifPresent(a -> sets.put(a.column(), OffsetDateTime.now(ZoneOffset.UTC)));
        type.attribute("updated_by").ifPresent(a -> sets.put(a.column(), caller.actorId()));
        for (Map.Entry<String, Object> value : item.values().entrySet()) {
            sets.put(type.attribute(value.getKey()).orElseThrow().column(), value.getValue());
        }
        for (Map.Entry<Relationship, List<WriteItem.Link>> link : item.links().entrySet()) {
            Relationship relationship = link.getKey();
            if (!relationship.toMany()) {
                sets.putAll(foreignKeyValues(relationship, item.linkedType(relationship), item.linkedId(relationship)));
            }
        }
        sets.putAll(item.columns());
        UpdateSetMoreStep<?> update = null;
        for (Map.Entry<Field<?>, Object> set : sets.entrySet()) {
            @SuppressWarnings("unchecked")
            Field<Object> column = (Field<Object>) set.getKey();
            Object value = jooqValue(set.getValue());
            update = update == null ? dsl.update(type.table()).set(column, value) : update.set(column, value);
        }
        if (update != null) {
            update.where(type.id().eq(item.id())).execute();
        }
    }

    /**
     * What a to-one relationship's columns hold when it points to {@code id} of {@code linkedType}: the id in that
     * type's column, null in the others (a polymorphic relationship has one column per type).
     */
    private static Map<Field<String>, String> foreignKeyValues(Relationship relationship, String linkedType,
            String id) {
        Map<Field<String>, String> values = new LinkedHashMap<>();
        for (Relationship.Target target : relationship.targets()) {
            values.put(target.foreignKey(), id != null && target.type().equals(linkedType) ? id : null);
        }
        return values;
    }

    /** The stored row (attribute columns and to-one keys), locked for the transaction; 404 outside the scope. */
    private Record lockStored(DSLContext dsl, Caller caller, ResourceType type, String id) {
        if (!type.isWellFormedId(id)) {
            throw ApiException.notFound(type.name(), id);
        }
        Map<String, SelectField<?>> fields = new LinkedHashMap<>();
        fields.put(type.id().getName(), type.id());
        type.attributes().forEach(a -> fields.putIfAbsent(a.column().getName(), a.column()));
        type.relationships().stream().filter(r -> !r.toMany()).flatMap(r -> r.foreignKeys().stream())
                .forEach(key -> fields.putIfAbsent(key.getName(), key));
        Record record = dsl.select(fields.values()).from(type.table()).where(type.id().eq(id))
                .and(type.scope(caller)).forUpdate().of(type.table()).fetchOne();
        if (record == null) {
            throw ApiException.notFound(type.name(), id);
        }
        return record;
    }

    private static Result result(WriteBatch batch) {
        List<String> ids = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<String> ignoredByRules = new ArrayList<>();
        for (WriteItem item : batch.items()) {
            if (item.skipped()) {
                skipped.add(item.pointer());
            } else {
                ids.add(item.id());
                ignoredByRules.addAll(item.ignored());
            }
        }
        return new Result(ids, skipped, ignoredByRules);
    }

    /**
     * meta.ignored: the read-only members each item sent, the members the rules ignored, then the items skipped
     * as duplicates.
     */
    public static List<String> ignored(List<BodyReader.ResourceInput> inputs, Result result) {
        List<String> ignored = new ArrayList<>();
        inputs.forEach(input -> ignored.addAll(input.ignored()));
        ignored.addAll(result.ignoredByRules());
        ignored.addAll(result.skipped());
        return ignored;
    }

    private static boolean ignoreDuplicates(ResourceType type, JsonNode document) {
        JsonNode flag = document.path("meta").path("ignore_duplicates");
        if (flag.isMissingNode() || flag.isNull()) {
            return false;
        }
        if (!type.duplicatesIgnorable()) {
            throw ApiException.invalidBody("/meta/ignore_duplicates", "this resource type has no duplicates to ignore");
        }
        if (!flag.isBoolean()) {
            throw ApiException.invalidBody("/meta/ignore_duplicates", "ignore_duplicates must be true or false");
        }
        return flag.asBoolean();
    }

    // ---- values -------------------------------------------------------------------------------------------------

    /** The value an attribute stores: null becomes the attribute's cleared value; nested items get server ids. */
    private static Object stored(Attribute attribute, Object value, Object before) {
        Object effective = value == null ? attribute.clearedValue() : value;
        if (effective instanceof JsonNode json) {
            return attribute.shape().assignServerIds(json, before instanceof JsonNode stored ? stored : null);
        }
        return effective;
    }

    /** A stored column value in the form the input uses (JsonNode for jsonb, Long for integers …). */
    static Object javaValue(Attribute attribute, Object stored) {
        if (stored instanceof JSONB jsonb) {
            try {
                return BodyReader.mapper().readTree(jsonb.data());
            } catch (IOException e) {
                throw new IllegalStateException("stored " + attribute.name() + " is not JSON", e);
            }
        }
        if (stored instanceof Integer number) {
            return number.longValue();
        }
        return stored;
    }

    private static boolean sameValue(Object given, Object stored) {
        if (given == null || stored == null) {
            return given == stored;
        }
        if (given instanceof OffsetDateTime a && stored instanceof OffsetDateTime b) {
            return a.isEqual(b);
        }
        if (given instanceof Number a && stored instanceof Number b) {
            return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString())) == 0;
        }
        return given.equals(stored);
    }

    /** A value as UnnestInsert binds it (JSON as its text). */
    private static Object columnValue(Object value) {
        return value instanceof JsonNode json ? json.toString() : value;
    }

    /** A value as jOOQ binds it in an UPDATE (JSON as jsonb). */
    private static Object jooqValue(Object value) {
        return value instanceof JsonNode json ? JSONB.valueOf(json.toString()) : value;
    }

    /** The array element type a column is bound as in {@code unnest(?::type[])}. */
    private static UnnestInsert.Column unnestColumn(Field<?> field) {
        Class<?> type = field.getType();
        String name = field.getName();
        if (type == JSONB.class) {
            return UnnestInsert.Column.jsonb(name);
        }
        if (type == Boolean.class) {
            return UnnestInsert.Column.of(name, "bool");
        }
        if (type == Integer.class) {
            return UnnestInsert.Column.of(name, "int4");
        }
        if (type == Long.class) {
            return UnnestInsert.Column.of(name, "int8");
        }
        if (type == BigDecimal.class) {
            return UnnestInsert.Column.of(name, "numeric");
        }
        if (type == OffsetDateTime.class) {
            return UnnestInsert.Column.of(name, "timestamptz");
        }
        if (type == LocalDate.class) {
            return UnnestInsert.Column.of(name, "date");
        }
        // An array per row cannot be unnested from one array bind: each row's array travels as its literal.
        if (type == String[].class) {
            return new UnnestInsert.Column(name, "text", "bpchar[]");
        }
        if (type == Boolean[].class) {
            return new UnnestInsert.Column(name, "text", "bool[]");
        }
        return UnnestInsert.Column.of(name, "text");
    }
}
