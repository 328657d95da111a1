package dev.openplus.jsonapi;

import java.util.function.Function;

import org.jooq.Condition;

/**
 * A {@code filter[name]} a collection accepts. The value handed to {@code condition} depends on the kind:
 * String, List of String ids, Boolean, or {@link DateRange}.
 */
public record FilterDef(String name, FilterKind kind, Function<Object, Condition> condition) {
}
