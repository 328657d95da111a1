package dev.openplus.jsonapi;

import org.jooq.Field;

/** A field a collection may be sorted by; {@code nullable} decides how keyset cursors treat it. */
public record SortField(String name, Field<?> column, AttributeType type, boolean nullable) {
}
