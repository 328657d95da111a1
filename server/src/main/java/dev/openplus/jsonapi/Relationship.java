package dev.openplus.jsonapi;

import org.jooq.Field;
import org.jooq.Table;

/**
 * A relationship of a resource type. To-one relationships are a foreign-key column on the type's own table;
 * to-many ones go through a join table. Linkage is read in the same statement as the resource (a correlated
 * array), so relationships never cost a query per row.
 */
public record Relationship(String name, String targetType, boolean toMany, Field<String> foreignKey,
        Table<?> joinTable, Field<String> joinOwner, Field<String> joinTarget, boolean includable,
        Input input, String relatedPath, Field<Boolean> primaryFlag) {

    /** How a request body may set the relationship. */
    public enum Input {
        /** Read-only: sent values are ignored and listed in meta.ignored. */
        NONE,
        /** Resource identifiers, checked generically. */
        IDENTIFIERS,
        /** The feature reads the raw member itself (e.g. a group given by {@code meta.query}). */
        CUSTOM
    }

    public static Relationship toOne(String name, String targetType, Field<String> foreignKey) {
        return new Relationship(name, targetType, false, foreignKey, null, null, null, true, Input.NONE, null, null);
    }

    public static Relationship toMany(String name, String targetType, Table<?> joinTable, Field<String> joinOwner,
            Field<String> joinTarget) {
        return new Relationship(name, targetType, true, null, joinTable, joinOwner, joinTarget, true, Input.NONE, null,
                null);
    }

    public Relationship withInput(Input newInput) {
        return new Relationship(name, targetType, toMany, foreignKey, joinTable, joinOwner, joinTarget, includable,
                newInput, relatedPath, primaryFlag);
    }

    /** The relationship's {@code links.related}: {@code /pub/<type>/<id>/<path>}. */
    public Relationship relatedAt(String path) {
        return new Relationship(name, targetType, toMany, foreignKey, joinTable, joinOwner, joinTarget, includable,
                input, path, primaryFlag);
    }

    /** A join-table flag written as {@code meta.primary} on each resource identifier. */
    public Relationship withPrimaryFlag(Field<Boolean> flag) {
        return new Relationship(name, targetType, toMany, foreignKey, joinTable, joinOwner, joinTarget, includable,
                input, relatedPath, flag);
    }

    public boolean writable() {
        return input != Input.NONE;
    }

    /** The alias of the correlated array of primary flags, parallel to the linkage array. */
    public String primaryAlias() {
        return "rel_" + name + "_primary";
    }

    /** The alias of the correlated array column that carries a to-many linkage. */
    public String linkageAlias() {
        return "rel_" + name;
    }
}
