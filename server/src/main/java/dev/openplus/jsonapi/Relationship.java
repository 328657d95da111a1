package dev.openplus.jsonapi;

import java.util.Collection;
import java.util.List;

import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;

/**
 * A relationship of a resource type. To-one relationships are a foreign-key column on the type's own table; a
 * polymorphic to-one ({@link #toOneOf}) has one nullable foreign-key column per type it may point to, so that
 * referential integrity and cascades stay the database's. To-many ones go through a join table (whose rows carry
 * the tenant's {@code organization_id} when {@code joinOrganization} is set), or, read-only, through the targets'
 * own column that names the owner ({@link #toManyInverse}). Linkage is read in the same
 * statement as the resource (a correlated array), so relationships never cost a query per row. Writable
 * relationships are checked by the engine: the target type, and that every id names a resource in the caller's
 * scope.
 */
public record Relationship(String name, String targetType, boolean toMany, Field<String> foreignKey,
        Table<?> joinTable, Field<String> joinOwner, Field<String> joinTarget, Field<String> joinOrganization,
        boolean includable, Input input, boolean requiredOnCreate, String relatedPath, Field<Boolean> primaryFlag,
        boolean extension, List<Target> targets, StoredLinkage stored) {

    /**
     * A to-many linkage kept on the owner's own row as well as in the join table: the target ids in id order
     * and, for a relationship with a primary flag, the flags in the same order. The database keeps the columns
     * equal to the join rows (triggers that {@code stored_linkage_install} puts on the join table, so that
     * cascades and every other writer are covered); reads of a caller whose scope asks nothing of the join rows
     * beyond the organization take the columns instead of reading the join table.
     */
    public record StoredLinkage(Field<String[]> ids, Field<Boolean[]> flags) {
    }

    /** A type a to-one relationship may point to, and the column that holds ids of it (null for to-many). */
    public record Target(String type, Field<String> foreignKey) {
    }

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
                null, null, false, List.of(new Target(targetType, foreignKey)), null);
    }

    public static Relationship toMany(String name, String targetType, Table<?> joinTable, Field<String> joinOwner,
            Field<String> joinTarget) {
        return new Relationship(name, targetType, true, null, joinTable, joinOwner, joinTarget, null, true,
                Input.NONE, false, null, null, false, List.of(new Target(targetType, null)), null);
    }

    /**
     * A to-one relationship whose identifier may be of any of the targets' types, each stored in its own column
     * (at most one of them set; the table should check it). The identifier's {@code type} chooses the column.
     */
    public static Relationship toOneOf(String name, List<Target> targets) {
        if (targets.size() < 2 || targets.stream().map(Target::type).distinct().count() != targets.size()) {
            throw new IllegalArgumentException(name + " needs two or more distinct target types");
        }
        return new Relationship(name, null, false, null, null, null, null, null, true, Input.NONE, false, null, null,
                false, List.copyOf(targets), null);
    }

    /**
     * A to-many relationship without a join table: the targets are the rows of the target type whose
     * {@code ownerColumn} (a column of the target's table) holds the owner's id, i.e. the inverse of the targets'
     * to-one. Read-only. Its linkage is the targets' ids in id order, in the caller's scope.
     */
    public static Relationship toManyInverse(String name, String targetType, Field<String> ownerColumn) {
        return new Relationship(name, targetType, true, null, null, ownerColumn, null, null, true, Input.NONE, false,
                null, null, false, List.of(new Target(targetType, null)), null);
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
                joinOrganization, includable, newInput, requiredOnCreate, relatedPath, primaryFlag, extension, targets, stored);
    }

    /** A create must give it (a to-many one with at least one identifier). */
    public Relationship asRequired() {
        return new Relationship(name, targetType, toMany, foreignKey, joinTable, joinOwner, joinTarget,
                joinOrganization, includable, input, true, relatedPath, primaryFlag, extension, targets, stored);
    }

    /** The join table's tenant column, written with the caller's organization. */
    public Relationship joinOrganization(Field<String> column) {
        return new Relationship(name, targetType, toMany, foreignKey, joinTable, joinOwner, joinTarget, column,
                includable, input, requiredOnCreate, relatedPath, primaryFlag, extension, targets, stored);
    }

    /** The relationship's {@code links.related}: {@code /pub/<type>/<id>/<path>}. */
    public Relationship relatedAt(String path) {
        return new Relationship(name, targetType, toMany, foreignKey, joinTable, joinOwner, joinTarget,
                joinOrganization, includable, input, requiredOnCreate, path, primaryFlag, extension, targets, stored);
    }

    /** A join-table flag written as {@code meta.primary} on each resource identifier. */
    public Relationship withPrimaryFlag(Field<Boolean> flag) {
        return new Relationship(name, targetType, toMany, foreignKey, joinTable, joinOwner, joinTarget,
                joinOrganization, includable, input, requiredOnCreate, relatedPath, flag, extension, targets, stored);
    }

    /**
     * The linkage is also stored on the owner's row ({@link StoredLinkage}); {@code flags} is null unless the
     * relationship has a primary flag.
     */
    public Relationship storedIn(Field<String[]> ids, Field<Boolean[]> flags) {
        if (joinTable == null || joinOrganization == null) {
            throw new IllegalStateException(name + ": only a join table that carries the tenant can be stored");
        }
        if ((flags == null) != (primaryFlag == null)) {
            throw new IllegalStateException(name + ": stored flags go with a primary flag, and only with one");
        }
        return new Relationship(name, targetType, toMany, foreignKey, joinTable, joinOwner, joinTarget,
                joinOrganization, includable, input, requiredOnCreate, relatedPath, primaryFlag, extension, targets,
                new StoredLinkage(ids, flags));
    }

    /** Goes beyond the Fitbit Plus API (marked {@code x-openplus-extension} in the document). */
    public Relationship asExtension() {
        return new Relationship(name, targetType, toMany, foreignKey, joinTable, joinOwner, joinTarget,
                joinOrganization, includable, input, requiredOnCreate, relatedPath, primaryFlag, true, targets, stored);
    }

    /** True when the identifier may be of several types ({@link #toOneOf}). */
    public boolean isPolymorphic() {
        return targets.size() > 1;
    }

    /** The one type the relationship points to; a polymorphic one has several ({@link #targetTypes}). */
    public String targetType() {
        if (isPolymorphic()) {
            throw new IllegalStateException(name + " points to one of several types; use targetTypes()");
        }
        return targetType;
    }

    /** A to-one's column; a polymorphic one has one per type ({@link #foreignKeys}). Null for to-many. */
    public Field<String> foreignKey() {
        if (isPolymorphic()) {
            throw new IllegalStateException(name + " has a column per target type; use foreignKeys()");
        }
        return foreignKey;
    }

    /** Every type the relationship may point to, in declaration order. */
    public List<String> targetTypes() {
        return targets.stream().map(Target::type).toList();
    }

    /** Every column of a to-one relationship (one, or one per type of a polymorphic one). */
    public List<Field<String>> foreignKeys() {
        return toMany ? List.of() : targets.stream().map(Target::foreignKey).toList();
    }

    /** The column that holds ids of the type; null when the relationship cannot point to it. */
    public Field<String> foreignKey(String type) {
        return targets.stream().filter(target -> target.type().equals(type)).map(Target::foreignKey).findFirst()
                .orElse(null);
    }

    /** Rows whose to-one relationship points to one of the ids, whichever type's column holds it. */
    public Condition pointsToAny(Collection<String> ids) {
        return DSL.or(foreignKeys().stream().map(column -> column.in(ids)).toList());
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
