package dev.openplus.jsonapi;

import java.util.Arrays;
import java.util.List;

import org.jooq.Field;
import org.jooq.Record;

/** One resource as read from the database: its record, read through its type's description. */
public record ResourceRow(ResourceType type, Record record) {

    public String id() {
        return type.idOf(record);
    }

    public Object value(Attribute attribute) {
        return record.get(attribute.column());
    }

    public Object value(SortField sort) {
        return record.get(sort.column());
    }

    /** The primary flags parallel to {@link #linkage}, for relationships that have one. */
    public List<Boolean> primaryFlags(Relationship relationship) {
        Boolean[] flags = (Boolean[]) record.get(relationship.primaryAlias());
        return flags == null ? List.of() : Arrays.asList(flags);
    }

    /** The ids a relationship points to, in id order; an empty list for an unset to-one. */
    public List<String> linkage(Relationship relationship) {
        if (relationship.toMany()) {
            String[] ids = (String[]) record.get(relationship.linkageAlias());
            return ids == null ? List.of() : Arrays.asList(ids);
        }
        for (Field<String> column : relationship.foreignKeys()) {
            String id = record.get(column);
            if (id != null) {
                return List.of(id);
            }
        }
        return List.of();
    }

    /**
     * The type of the ids in {@link #linkage}: the relationship's target, or for a polymorphic to-one the type
     * whose column is set (null when none is).
     */
    public String linkedType(Relationship relationship) {
        if (!relationship.isPolymorphic()) {
            return relationship.targetType();
        }
        for (Relationship.Target target : relationship.targets()) {
            if (record.get(target.foreignKey()) != null) {
                return target.type();
            }
        }
        return null;
    }
}
