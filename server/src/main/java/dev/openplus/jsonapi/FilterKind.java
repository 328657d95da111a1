package dev.openplus.jsonapi;

/** How a filter's value is parsed and checked before it becomes a condition. */
public enum FilterKind {
    /** Exact match on the whole value. */
    STRING,
    /** Comma-separated ids. */
    ID_LIST,
    /** true or false. */
    BOOLEAN,
    /** start..end (start inclusive, end exclusive). */
    DATE_RANGE,
    /** One organization id; outside the caller's organization → 403. */
    ORGANIZATION,
    /** Comma-separated group ids; any outside the caller's scope → 403. */
    GROUPS
}
