package dev.openplus.jsonapi;

/** How an attribute is stored, validated and written. */
public enum AttributeType {
    STRING,
    INTEGER,
    NUMBER,
    BOOLEAN,
    /** ISO-8601 date-time with offset in, UTC with milliseconds out. */
    TIMESTAMP,
    /** YYYY-MM-DD. */
    DATE,
    /** Free-form nested JSON, stored as jsonb and validated by the attribute's own validator. */
    JSON
}
