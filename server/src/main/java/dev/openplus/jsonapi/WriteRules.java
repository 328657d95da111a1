package dev.openplus.jsonapi;

import org.jooq.DSLContext;

/**
 * What a feature adds to the generic write path: rules a description cannot state (cross-field checks,
 * derived values, side effects, conflicts). Every hook runs inside the request's one transaction and reports
 * problems through the batch's items, which the engine answers together. Uniqueness and budgets belong to the
 * database (constraints, row locks), never to a read-then-write check here.
 */
public interface WriteRules {
    WriteRules NONE = new WriteRules() {
    };

    /** Before the body is read: refuse callers who may not write this type at all (e.g. 403). */
    default void authorize(Caller caller, WriteBatch.Mode mode) {
    }

    /**
     * After the generic checks passed and before any row is written: cross-field rules, derived columns
     * ({@link WriteItem#set}), relationships read from custom members ({@link WriteItem#link}), duplicates
     * ({@link WriteItem#skip}).
     */
    default void beforeWrite(WriteBatch batch) {
    }

    /** After the rows (and their join rows) are written: rows of other tables, conflicts found by the database. */
    default void afterWrite(WriteBatch batch) {
    }

    /** Before a row is deleted (it exists and is in the caller's scope). */
    default void beforeDelete(DSLContext dsl, Caller caller, String id) {
    }
}
