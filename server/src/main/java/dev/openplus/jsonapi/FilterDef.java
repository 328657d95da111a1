package dev.openplus.jsonapi;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

import org.jooq.Condition;

/**
 * A {@code filter[name]} a collection accepts. The value handed to {@code condition} depends on the kind:
 * String, List of String ids, Boolean, or {@link DateRange}; the second argument holds every given filter's
 * value by name, for filters that only mean something together ({@code requires} names the partner, e.g.
 * {@code filter[identifier][system]} and {@code [value]}). {@code description} is the document's text for it;
 * {@code idTypes}, when set, names the types whose resources an id-list filter's values are: each id must have
 * the format of one of them and name such a resource in the caller's scope (else 403, like organization and
 * group filters), so a foreign id is refused rather than answered with an empty list.
 */
public record FilterDef(String name, FilterKind kind, BiFunction<Object, Map<String, Object>, Condition> condition,
        String requires, String description, List<String> idTypes) {

    public FilterDef(String name, FilterKind kind, Function<Object, Condition> condition) {
        this(name, kind, (value, all) -> condition.apply(value), null, null, List.of());
    }

    public static FilterDef paired(String name, String requires, FilterKind kind,
            BiFunction<Object, Map<String, Object>, Condition> condition) {
        return new FilterDef(name, kind, condition, requires, null, List.of());
    }

    public FilterDef describedAs(String text) {
        return new FilterDef(name, kind, condition, requires, text, idTypes);
    }

    /** An {@link FilterKind#ID_LIST} filter whose ids name resources of these types (format and scope checked). */
    public FilterDef idsOf(String... typeNames) {
        return new FilterDef(name, kind, condition, requires, description, List.of(typeNames));
    }

    /** The query parameter, e.g. {@code filter[identifier][system]} for {@code identifier.system}. */
    public String parameter() {
        return "filter[" + name.replace(".", "][") + "]";
    }
}
