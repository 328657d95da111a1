package dev.openplus.jsonapi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jooq.Field;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One resource of a write request: the checked input, the stored values before the write (on update), the
 * values that will be written, and the problems found so far. Rules read it with {@link #value} (what the
 * resource will hold: the input where given, else the stored or default value) and adjust it with
 * {@link #set}, {@link #link} and {@link #skip}.
 */
public final class WriteItem {
    /**
     * One related resource: its id, the pointer a problem with it is reported at, extra join-row values, and its
     * type (null: the relationship's one target type; a polymorphic relationship's links must name it).
     */
    public record Link(String id, String pointer, Map<Field<?>, Object> joinValues, String type) {
        public Link(String id, String pointer) {
            this(id, pointer, Map.of(), null);
        }

        public Link(String id, String pointer, Map<Field<?>, Object> joinValues) {
            this(id, pointer, joinValues, null);
        }

        /** A link to a resource of a given type (what a polymorphic relationship needs). */
        public static Link typed(String type, String id, String pointer) {
            return new Link(id, pointer, Map.of(), type);
        }

        /** The type of the linked resource within the relationship. */
        public String typeIn(Relationship relationship) {
            if (type == null) {
                return relationship.targetType();
            }
            if (!relationship.targetTypes().contains(type)) {
                throw new IllegalStateException(relationship.name() + " cannot point to a " + type);
            }
            return type;
        }
    }

    private final String id;
    private final BodyReader.ResourceInput input;
    private final Map<String, Object> stored;
    private final Map<String, String> storedForeignKeys;
    private final Map<String, String> storedLinkTypes;
    private final Map<String, Object> values;
    private final Map<Field<?>, Object> columns = new LinkedHashMap<>();
    private final Map<Relationship, List<Link>> links = new LinkedHashMap<>();
    private final List<ApiError> problems = new ArrayList<>();
    private final List<String> ignored = new ArrayList<>();
    private boolean skipped;
    private String writtenAs;

    WriteItem(String id, BodyReader.ResourceInput input, Map<String, Object> stored,
            Map<String, String> storedForeignKeys, Map<String, String> storedLinkTypes, Map<String, Object> values) {
        this.id = id;
        this.input = input;
        this.stored = stored;
        this.storedForeignKeys = storedForeignKeys;
        this.storedLinkTypes = storedLinkTypes;
        this.values = values;
    }

    /** The resource's id: new on create (or the one the rules wrote it as), the path's on update. */
    public String id() {
        return writtenAs != null ? writtenAs : id;
    }

    /** The item's pointer, {@code /data} or {@code /data/3}. */
    public String pointer() {
        return input.pointer();
    }

    public BodyReader.ResourceInput input() {
        return input;
    }

    public boolean isCreate() {
        return stored == null;
    }

    /** True when the request gives the attribute (possibly as null). */
    public boolean has(String attributeName) {
        return input.has(attributeName);
    }

    /** The attribute's value after the write: as given, else as stored (update) or defaulted (create). */
    public Object value(String attributeName) {
        if (values.containsKey(attributeName)) {
            return values.get(attributeName);
        }
        return stored == null ? null : stored.get(attributeName);
    }

    /** The JSON value of an attribute after the write, or null. */
    public JsonNode json(String attributeName) {
        return value(attributeName) instanceof JsonNode node ? node : null;
    }

    /** The attribute as stored before this write; null on create. */
    public Object stored(String attributeName) {
        return stored == null ? null : stored.get(attributeName);
    }

    /** The id a to-one relationship pointed to before this write; null on create. */
    public String storedLink(String relationshipName) {
        return storedForeignKeys == null ? null : storedForeignKeys.get(relationshipName);
    }

    /** The id a to-one relationship will point to: as given (or set by a rule), else as stored. */
    public String linkedId(Relationship relationship) {
        List<Link> given = links.get(relationship);
        if (given != null) {
            return given.isEmpty() ? null : given.get(0).id();
        }
        return storedLink(relationship.name());
    }

    /** The type of what a to-one relationship pointed to before this write; null on create or when unset. */
    public String storedLinkType(String relationshipName) {
        return storedLinkTypes == null ? null : storedLinkTypes.get(relationshipName);
    }

    /**
     * The type of what a to-one relationship will point to (see {@link #linkedId}); null when it points to
     * nothing. Only a polymorphic relationship has a choice.
     */
    public String linkedType(Relationship relationship) {
        List<Link> given = links.get(relationship);
        if (given != null) {
            return given.isEmpty() ? null : given.get(0).typeIn(relationship);
        }
        return storedLink(relationship.name()) == null ? null : storedLinkType(relationship.name());
    }

    /** Attribute values this write stores (all writable ones on create, the given ones on update). */
    Map<String, Object> values() {
        return values;
    }

    /** Writes a column this write would not write otherwise, or overrides an attribute's stored value. */
    public void set(Field<?> column, Object value) {
        columns.put(column, value);
    }

    Map<Field<?>, Object> columns() {
        return columns;
    }

    /** Sets a writable relationship's linkage (replacing what the body gave, if anything). */
    public void link(Relationship relationship, List<Link> related) {
        links.put(relationship, List.copyOf(related));
    }

    Map<Relationship, List<Link>> links() {
        return links;
    }

    /** Reports a problem at a pointer below this item's, e.g. {@code "/attributes/end_at"}. */
    public void problem(String pointerBelowItem, String detail) {
        problems.add(ApiError.pointer(pointer() + pointerBelowItem, detail));
    }

    public void problem(ApiError error) {
        problems.add(error);
    }

    public boolean hasProblems() {
        return !problems.isEmpty();
    }

    List<ApiError> problems() {
        return problems;
    }

    /**
     * Records that the rules ignored a member the client sent (e.g. a read-only member of a nested item, which a
     * shape cannot mark), at a pointer below this item's; listed in {@code meta.ignored} like read-only attributes.
     */
    public void ignore(String pointerBelowItem) {
        ignored.add(pointer() + pointerBelowItem);
    }

    List<String> ignored() {
        return ignored;
    }

    /** Leaves the item out (a duplicate under {@code meta.ignore_duplicates}); listed in {@code meta.ignored}. */
    public void skip() {
        skipped = true;
    }

    public boolean skipped() {
        return skipped;
    }

    /**
     * On create: the rules wrote this item's row themselves under {@code resourceId} (for example merged into an
     * existing row by {@code INSERT … ON CONFLICT … DO UPDATE}, which the database makes race-free). The engine
     * then inserts nothing for it and answers with that resource.
     */
    public void writtenAs(String resourceId) {
        if (!isCreate()) {
            throw new IllegalStateException("only a created item can be written by the rules");
        }
        writtenAs = resourceId;
    }

    /** True when the rules wrote the item's row themselves ({@link #writtenAs}). */
    public boolean writtenByRules() {
        return writtenAs != null;
    }
}
