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
        boolean writable, String relatedPath) {

    public static Relationship toOne(String name, String targetType, Field<String> foreignKey) {
        return new Relationship(name, targetType, false, foreignKey, null, null, null, true, false, null);
    }

    public static Relationship toMany(String name, String targetType, Table<?> joinTable, Field<String> joinOwner,
            Field<String> joinTarget) {
        return new Relationship(name, targetType, true, null, joinTable, joinOwner, joinTarget, true, false, null);
    }

    public Relationship asWritable() {
        return new Relationship(name, targetType, toMany, foreignKey, joinTable, joinOwner, joinTarget, includable,
                true, relatedPath);
    }

    /** The relationship's {@code links.related}: {@code /pub/<type>/<id>/<path>}. */
    public Relationship relatedAt(String path) {
        return new Relationship(name, targetType, toMany, foreignKey, joinTable, joinOwner, joinTarget, includable,
                writable, path);
    }

    /** The alias of the correlated array column that carries a to-many linkage. */
    public String linkageAlias() {
        return "rel_" + name;
    }
}
