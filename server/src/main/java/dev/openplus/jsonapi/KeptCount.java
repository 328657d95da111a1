package dev.openplus.jsonapi;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jooq.Field;
import org.jooq.Name;

/**
 * A count the database keeps for one common unfiltered list of a resource type, so that {@code meta.count} of
 * that list costs a read of a few ledger rows instead of counting the rows (DESIGN §7). The database keeps it
 * per (organization, key) of one column of the counted table, in the same transaction as every insert and
 * delete of a counted row (triggers installed by a migration with {@code kept_count_install(table,
 * organization column, key column)}; the counter is named {@code table.key_column}).
 *
 * <p>Which requests a kept count answers, exactly: those of the plain collection (no sub-collection path)
 * whose filters, apart from the organization filter (it must name the caller's organization, which the scope
 * already requires), are
 * <ul>
 * <li>{@link #perOrganization}: none, from an organization-scoped caller;</li>
 * <li>{@link #perFilterValue}: only the named id filter, with one id;</li>
 * <li>{@link #perGroup}: only the groups filter with one group, or none from a group-scoped caller that has
 * exactly one group. Several groups (the filter with several ids, or no filter from a caller with several
 * groups) are counted as the distinct members of those groups, by an index-only scan of the membership table
 * rather than by the type's scope subquery: a row may be in several groups, so the kept counts do not add up.</li>
 * <li>{@link #byOrganizationFunction}: none, from an organization-scoped caller, answered by a database function
 * of the organization (for a type whose rows are not stored rows of one table, e.g. a view, whose count the
 * database computes from counts it keeps).</li>
 * </ul>
 * Cursors, sort, include and sparse fieldsets do not change a count; any other filter ({@code filter[archived]},
 * date ranges, {@code filter[updated_at]}, ...) does, and such a request counts its rows.
 */
public final class KeptCount {
    enum Kind { ORGANIZATION, FILTER_VALUE, GROUP, ORGANIZATION_FUNCTION }

    private final Kind kind;
    private final String filterName;
    private final Field<String> organizationColumn;
    private final Field<String> keyColumn;
    private final Field<String> memberColumn;

    private KeptCount(Kind kind, String filterName, Field<String> organizationColumn, Field<String> keyColumn,
            Field<String> memberColumn) {
        this.kind = kind;
        this.filterName = filterName;
        this.organizationColumn = organizationColumn;
        this.keyColumn = keyColumn;
        this.memberColumn = memberColumn;
    }

    /**
     * The rows of the type's table per organization: the whole list of an organization-scoped caller (the
     * type's scope for such a caller must be just its organization).
     */
    public static KeptCount perOrganization(Field<String> organizationColumn) {
        return new KeptCount(Kind.ORGANIZATION, null, organizationColumn, organizationColumn, null);
    }

    /**
     * The rows of the type's table per value of {@code keyColumn}, answering {@code filter[filterName]} with one
     * id. The filter must be an id filter whose ids are checked to be in the caller's scope, and every row
     * naming such an id must be visible to that caller (true of a patient's data: the scope is the patient's).
     */
    public static KeptCount perFilterValue(String filterName, Field<String> organizationColumn,
            Field<String> keyColumn) {
        return new KeptCount(Kind.FILTER_VALUE, filterName, organizationColumn, keyColumn, null);
    }

    /**
     * The rows of a membership table ({@code memberColumn} names the counted resource, {@code groupColumn} the
     * group; one row per pair) per group, answering the groups filter {@code filterName}. The type's scope for
     * a group-scoped caller must be exactly "a member of one of the caller's groups" through this table, so
     * that the count of one group is also the whole list of a caller that has only that group.
     */
    public static KeptCount perGroup(String filterName, Field<String> organizationColumn, Field<String> groupColumn,
            Field<String> memberColumn) {
        return new KeptCount(Kind.GROUP, filterName, organizationColumn, groupColumn, memberColumn);
    }

    /**
     * The whole list of an organization-scoped caller, counted by {@code function(organization_id)}, a database
     * function returning a bigint that a migration installs and that must count exactly the rows the type's
     * table holds for the organization.
     */
    public static KeptCount byOrganizationFunction(String function) {
        if (!function.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a plain function name: " + function);
        }
        return new KeptCount(Kind.ORGANIZATION_FUNCTION, function, null, null, null);
    }

    /** The counter's name in the ledger, as kept_count_install names it: table.key_column; or the function's name. */
    public String counter() {
        return kind == Kind.ORGANIZATION_FUNCTION ? filterName : table() + "." + keyColumn.getName();
    }

    /** The database function that computes this count, or null for a ledger count. */
    String function() {
        return kind == Kind.ORGANIZATION_FUNCTION ? filterName : null;
    }

    /** The counted table. */
    public String table() {
        return tableOf(keyColumn);
    }

    private static String tableOf(Field<String> column) {
        Name name = column.getQualifiedName();
        if (name.parts().length < 2) {
            throw new IllegalStateException("a kept count's columns must name their table: " + column);
        }
        return name.parts()[name.parts().length - 2].last();
    }

    public String organizationColumnName() {
        return organizationColumn.getName();
    }

    public String keyColumnName() {
        return keyColumn.getName();
    }

    Field<String> organizationColumn() {
        return organizationColumn;
    }

    Field<String> keyColumn() {
        return keyColumn;
    }

    Field<String> memberColumn() {
        return memberColumn;
    }

    /** Checks the description against its type's filters (at build time). */
    void check(String typeName, String typeTable, Map<String, FilterDef> filters) {
        if (kind == Kind.ORGANIZATION_FUNCTION) {
            return;
        }
        if (!tableOf(organizationColumn).equals(table()) || (memberColumn != null && !tableOf(memberColumn).equals(table()))) {
            throw new IllegalStateException("kept count " + counter() + " of " + typeName
                    + ": its columns must be of one table");
        }
        if (kind != Kind.GROUP && !table().equals(typeTable)) {
            throw new IllegalStateException("kept count " + counter() + " of " + typeName + " must count rows of "
                    + typeTable);
        }
        if (kind == Kind.ORGANIZATION) {
            return;
        }
        FilterDef filter = filters.get(filterName);
        if (filter == null) {
            throw new IllegalStateException("kept count " + counter() + " of " + typeName + " names no filter "
                    + filterName);
        }
        boolean scopeChecked = kind == Kind.GROUP ? filter.kind() == FilterKind.GROUPS
                : filter.kind() == FilterKind.ID_LIST && !filter.idTypes().isEmpty();
        if (!scopeChecked) {
            throw new IllegalStateException("kept count " + counter() + " of " + typeName + ": filter "
                    + filterName + " is not a scope-checked " + (kind == Kind.GROUP ? "groups" : "id") + " filter");
        }
    }

    /** What a request's count can be read from instead of counting its rows. */
    sealed interface Source {
    }

    /** The kept count of one key. */
    record Kept(KeptCount count, String organizationId, String key) implements Source {
    }

    /** A count computed by a database function of the organization. */
    record Computed(KeptCount count, String organizationId) implements Source {
    }

    /** The distinct members of several groups (a {@link #perGroup} count's union). */
    record GroupUnion(KeptCount count, String organizationId, List<String> groupIds) implements Source {
    }

    /**
     * Where this count answers a request: {@code filters} are the request's filters apart from organization
     * filters, for a plain collection.
     */
    Optional<Source> source(Caller caller, Map<FilterDef, Object> filters) {
        String organization = caller.organizationId();
        switch (kind) {
            case ORGANIZATION -> {
                return filters.isEmpty() && !caller.groupScoped()
                        ? Optional.of(new Kept(this, organization, organization)) : Optional.empty();
            }
            case ORGANIZATION_FUNCTION -> {
                return filters.isEmpty() && !caller.groupScoped()
                        ? Optional.of(new Computed(this, organization)) : Optional.empty();
            }
            case FILTER_VALUE -> {
                List<String> ids = onlyFilter(filters);
                return ids != null && ids.size() == 1
                        ? Optional.of(new Kept(this, organization, ids.get(0))) : Optional.empty();
            }
            default -> {
                List<String> groups = filters.isEmpty() && caller.groupScoped()
                        ? List.copyOf(caller.groupIds()) : onlyFilter(filters);
                if (groups == null) {
                    return Optional.empty();
                }
                return groups.size() == 1 ? Optional.of(new Kept(this, organization, groups.get(0)))
                        : Optional.of(new GroupUnion(this, organization, groups));
            }
        }
    }

    /** The ids of this count's filter when it is the only one given, else null. */
    @SuppressWarnings("unchecked")
    private List<String> onlyFilter(Map<FilterDef, Object> filters) {
        if (filters.size() != 1) {
            return null;
        }
        Map.Entry<FilterDef, Object> only = filters.entrySet().iterator().next();
        return only.getKey().name().equals(filterName) ? (List<String>) only.getValue() : null;
    }
}
