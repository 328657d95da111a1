package dev.openplus.jsonapi;

import org.jooq.Field;
import org.jooq.Table;

/**
 * A relationship of a resource type. To-one relationships are a foreign-key column on the type's own table;
 * to-many ones go through a join table (whose rows carry the tenant's {@code organization_id} when
 * {@code joinOrganization} is set). Linkage is read in the same statement as the resource (a correlated
 * array), so relationships never cost a query per row. Writable relationships are checked by the engine: the
 * target type, and that every id names a resource in the caller's scope.
 */
public record Relationship(String name, String targetType, boolean toMany, Field<String> foreignKey,
        Table<?> joinTable, Field<String> joinOwner, Field<String> joinTarget, Field<String> joinOrganization,
        boolean includable, Input input, boolean requiredOnCreate, String relatedPath, Field<Boolean> primaryFlag,
        boolean extension) {

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
        return new Relationship(name, targetType, false, foreignKey, null, null, null, null, true, Input.NONE, false,
                null, null, false);
    }

    public static Relationship toMany(String name, String targetType, Table<?> joinTable, Field<String> joinOwner,
            Field<String> joinTarget) {
        return new Relationship(name, targetType, true, null, joinTable, joinOwner, joinTarget, null, true,
                Input.NONE, false, null, null, false);
    }

    /**
     * A to-many relationship without a join table: the targets are the rows of the target type whose
     * {@code ownerColumn} (a column of the target's table) holds the owner's id, i.e. the inverse of the targets'
     * to-one. Read-only. Its linkage is the targets' ids in id order, in the caller's scope.
     */
    public static Relationship toManyInverse(String name, String targetType, Field<String> ownerColumn) {
        return new Relationship(name, targetType, true, null, null, ownerColumn, null, null, true, Input.NONE, false,
                null, null, false);
    }

    /** A to-many relationship read from the targets' column that names the owner ({@link #toManyInverse}). */
    public boolean inverse() {
        return toMany && joinTable == null;
    }

    /** Writable as resource identifiers (checked by the engine). */
    public Relationship writable() {
        return withInput(Input.IDENTIFIERS);
    }

    public Relationship withInput(Input newInput) {
        if (toMany && joinTable == null && newInput != Input.NONE) {
            throw new IllegalStateException("the inverse relationship " + name + " cannot be written");
        }
        return new Relationship(name, targetType, toMany, foreignKey, joinTable, joinOwner, joinTarget,
                joinOrganization, includable, newInput, requiredOnCreate, relatedPath, primaryFlag, extension);
    }

    /** A create must give it (a to-many one with at least one identifier). */
    public Relationship asRequired() {
        return new Relationship(name, targetType, toMany, foreignKey, joinTable, joinOwner, joinTarget,
                joinOrganization, includable, input, true, relatedPath, primaryFlag, extension);
    }

    /** The join table's tenant column, written with the caller's organization. */
    public Relationship joinOrganization(Field<String> column) {
        return new Relationship(name, targetType, toMany, foreignKey, joinTable, joinOwner, joinTarget, column,
                includable, input, requiredOnCreate, relatedPath, primaryFlag, extension);
    }

    /** The relationship's {@code links.related}: {@code /pub/<type>/<id>/<path>}. */
    public Relationship relatedAt(String path) {
        return new Relationship(name, targetType, toMany, foreignKey, joinTable, joinOwner, joinTarget,
                joinOrganization, includable, input, requiredOnCreate, path, primaryFlag, extension);
    }

    /** A join-table flag written as {@code meta.primary} on each resource identifier. */
    public Relationship withPrimaryFlag(Field<Boolean> flag) {
        return new Relationship(name, targetType, toMany, foreignKey, joinTable, joinOwner, joinTarget,
                joinOrganization, includable, input, requiredOnCreate, relatedPath, flag, extension);
    }

    /** Goes beyond the Fitbit Plus API (marked {@code x-openplus-extension} in the document). */
    public Relationship asExtension() {
        return new Relationship(name, targetType, toMany, foreignKey, joinTable, joinOwner, joinTarget,
                joinOrganization, includable, input, requiredOnCreate, relatedPath, primaryFlag, true);
    }

    public boolean isWritable() {
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
