package dev.openplus.client.model;

import java.util.Map;
import java.util.Objects;

/**
 * A typed reference to a resource: what a relationship holds. In a request it may instead name the resource by a
 * query ({@link #matching}), where the server accepts one (a metric's patient by identifier, a patient's group by
 * name).
 *
 * @param <T>   the type referred to ({@link Resource} when a relationship may point to several types)
 * @param type  the type's wire name
 * @param id    the id, or null for a reference by query
 * @param query the query ({@code meta.query}) naming the resource, or null
 */
public record Id<T extends Resource>(String type, String id, Map<String, ?> query) {
    /**
     * A reference by id.
     *
     * @param type the type's wire name
     * @param id   the id
     */
    public Id(String type, String id) {
        this(type, Objects.requireNonNull(id, "id"), null);
    }

    /**
     * A reference that the server resolves by {@code meta.query}.
     *
     * @param <T>   the type referred to
     * @param type  the type's wire name
     * @param query the query, e.g. {@code Map.of("identifier", Map.of("system", "EHR", "value", "1"), "organization", org)}
     * @return the reference
     */
    public static <T extends Resource> Id<T> matching(String type, Map<String, ?> query) {
        return new Id<>(type, null, Map.copyOf(query));
    }

    @Override
    public String toString() {
        return type + "/" + (id != null ? id : "?" + query);
    }
}
