package dev.openplus.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The query of a list: filters, includes, sort, sparse fieldsets and page size. Immutable; each method returns a
 * new query. Unknown names are refused by the server (409), never ignored.
 *
 * <pre>{@code
 * Query.organization(org).filter("updated_at", since + "..").include("groups").sort("updated_at")
 * }</pre>
 */
public final class Query {
    /** The page size used unless {@link #pageSize} says otherwise. */
    public static final int DEFAULT_PAGE_SIZE = 100;

    private final Map<String, String> parameters;
    private final int pageSize;

    private Query(Map<String, String> parameters, int pageSize) {
        this.parameters = Collections.unmodifiableMap(parameters);
        this.pageSize = pageSize;
    }

    /**
     * A query without filters (types whose lists require a filter answer 409).
     *
     * @return the empty query
     */
    public static Query all() {
        return new Query(new LinkedHashMap<>(), DEFAULT_PAGE_SIZE);
    }

    /**
     * {@code filter[organization]}: everything of an organization in the client's scope.
     *
     * @param organizationId the organization's id
     * @return the query
     */
    public static Query organization(String organizationId) {
        return all().filter("organization", organizationId);
    }

    /**
     * {@code filter[patient]}.
     *
     * @param patientIds one or more patient ids
     * @return the query
     */
    public static Query patient(String... patientIds) {
        return all().filter("patient", String.join(",", patientIds));
    }

    /**
     * {@code filter[groups]}.
     *
     * @param groupIds one or more group ids
     * @return the query
     */
    public static Query groups(String... groupIds) {
        return all().filter("groups", String.join(",", groupIds));
    }

    private Query with(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(parameters);
        copy.put(name, value);
        return new Query(copy, pageSize);
    }

    /**
     * Adds {@code filter[name]=value}. A dotted name is nested: {@code identifier.system} is
     * {@code filter[identifier][system]}.
     *
     * @param name  the filter's name
     * @param value its value (lists comma-separated; date ranges {@code start..end})
     * @return the query
     */
    public Query filter(String name, String value) {
        return with("filter[" + name.replace(".", "][") + "]", value);
    }

    /**
     * {@code include}: related resources sent along ({@link Results#included}).
     *
     * @param relationships relationship names or paths
     * @return the query
     */
    public Query include(String... relationships) {
        return with("include", String.join(",", relationships));
    }

    /**
     * {@code sort}: fields, {@code -} for descending.
     *
     * @param fields the sort fields, e.g. {@code "-updated_at"}
     * @return the query
     */
    public Query sort(String... fields) {
        return with("sort", String.join(",", fields));
    }

    /**
     * {@code fields[type]}: only these attributes and relationships of the type (the others are null).
     *
     * @param type  the type's name
     * @param names the member names
     * @return the query
     */
    public Query fields(String type, String... names) {
        return with("fields[" + type + "]", String.join(",", names));
    }

    /**
     * Any other query parameter.
     *
     * @param name  the parameter's name
     * @param value its value
     * @return the query
     */
    public Query parameter(String name, String value) {
        return with(name, value);
    }

    /**
     * How many resources each page request asks for ({@code page[limit]}, 1 to 500).
     *
     * @param size the page size
     * @return the query
     */
    public Query pageSize(int size) {
        if (size < 1 || size > 500) {
            throw new IllegalArgumentException("page size must be 1 to 500");
        }
        return new Query(new LinkedHashMap<>(parameters), size);
    }

    /**
     * The parameters, without paging.
     *
     * @return parameter name to value, in order
     */
    public Map<String, String> parameters() {
        return parameters;
    }

    /**
     * The page size.
     *
     * @return the page size
     */
    public int pageSize() {
        return pageSize;
    }

    String encode(boolean paged) {
        StringBuilder out = new StringBuilder();
        parameters.forEach((name, value) -> append(out, name, value));
        if (paged) {
            append(out, "page[limit]", String.valueOf(pageSize));
        }
        return out.toString();
    }

    static String encode(Map<String, String> parameters) {
        StringBuilder out = new StringBuilder();
        parameters.forEach((name, value) -> append(out, name, value));
        return out.toString();
    }

    private static void append(StringBuilder out, String name, String value) {
        out.append(out.isEmpty() ? "?" : "&").append(component(name)).append('=').append(component(value));
    }

    private static String component(String text) {
        return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The query's parameters restricted to what a fetch by id accepts ({@code include}, {@code fields[...]}). */
    Map<String, String> fetchParameters() {
        Map<String, String> kept = new LinkedHashMap<>();
        parameters.forEach((name, value) -> {
            if (name.equals("include") || name.startsWith("fields[")) {
                kept.put(name, value);
            }
        });
        return kept;
    }

    @Override
    public String toString() {
        return encode(true);
    }
}
