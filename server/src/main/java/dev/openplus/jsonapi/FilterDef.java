package dev.openplus.jsonapi;

import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

import org.jooq.Condition;

/**
 * A {@code filter[name]} a collection accepts. The value handed to {@code condition} depends on the kind:
 * String, List of String ids, Boolean, or {@link DateRange}; the second argument holds every given filter's
 * value by name, for filters that only mean something together ({@code requires} names the partner, e.g.
 * {@code filter[identifier][system]} and {@code [value]}). {@code description} is the document's text for it;
 * {@code idType}, when set, names the type whose id format an id-list filter's values must have.
 */
public record FilterDef(String name, FilterKind kind, BiFunction<Object, Map<String, Object>, Condition> condition,
        String requires, String description, String idType) {

    public FilterDef(String name, FilterKind kind, Function<Object, Condition> condition) {
        this(name, kind, (value, all) -> condition.apply(value), null, null, null);
    }

    public static FilterDef paired(String name, String requires, FilterKind kind,
            BiFunction<Object, Map<String, Object>, Condition> condition) {
        return new FilterDef(name, kind, condition, requires, null, null);
    }

    public FilterDef describedAs(String text) {
        return new FilterDef(name, kind, condition, requires, text, idType);
    }

    /** An {@link FilterKind#ID_LIST} filter whose ids are of this type: they are checked against its id format. */
    public FilterDef idsOf(String typeName) {
        return new FilterDef(name, kind, condition, requires, description, typeName);
    }

    /** The query parameter, e.g. {@code filter[identifier][system]} for {@code identifier.system}. */
    public String parameter() {
        return "filter[" + name.replace(".", "][") + "]";
    }
}
