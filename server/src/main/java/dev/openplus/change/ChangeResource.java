package dev.openplus.change;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.AttributeType;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.FilterKind;
import dev.openplus.jsonapi.IdFormat;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceRegistry;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.Shape;
import dev.openplus.jsonapi.SortField;
import dev.openplus.jsonapi.TenantScope;

/**
 * The {@code change} resource of the feed ({@code GET /pub/change}): one committed change of a resource the API
 * exposes. Described like every type, so that the engine writes it, parses its query and loads its polymorphic
 * {@code resource} relationship ({@code include=resource}); its list is {@link ChangeFeed}'s, not the generic one
 * (no skip paging, no count, a cursor that is a feed position).
 */
public final class ChangeResource {
    /** Change ids: the feed's sequence, a positive whole number. */
    public static final IdFormat IDS = new IdFormat(Pattern.compile("0|[1-9][0-9]{0,18}"), "a whole number");

    /** Types whose changes the feed carries: every type but the catalogue, which is the same for everyone. */
    static final List<String> NOT_IN_FEED = List.of("health_question_definition");

    static final Field<String> RESOURCE_TYPE = DSL.field(DSL.name("change", "resource_type"), SQLDataType.VARCHAR);
    static final Field<String> RESOURCE_ID = DSL.field(DSL.name("change", "resource_id"), SQLDataType.VARCHAR);
    static final Field<String> ACTION = DSL.field(DSL.name("change", "action"), SQLDataType.VARCHAR);
    static final Field<java.time.OffsetDateTime> CHANGED_AT = DSL.field(DSL.name("change", "changed_at"),
            SQLDataType.TIMESTAMPWITHTIMEZONE);
    static final Field<Long> VERSION = DSL.field(DSL.name("change", "version"), SQLDataType.BIGINT);
    /** The feed position of a change (its cursor's sort key). */
    static final SortField POSITION = new SortField("position",
            DSL.field(DSL.name("change", "position"), SQLDataType.BIGINT), AttributeType.INTEGER, false);

    private ChangeResource() {
    }

    /** The column that holds the id of the changed resource when it is of this type and can be included. */
    static Field<String> resourceColumn(String typeName) {
        return DSL.field(DSL.name("change", "resource_" + typeName), SQLDataType.VARCHAR);
    }

    /** The types the feed carries, in the registry's order. */
    static List<ResourceType> fedTypes(ResourceRegistry registry) {
        return registry.types().stream().filter(type -> !NOT_IN_FEED.contains(type.name())).toList();
    }

    /** The names of the types the feed carries (what {@code filter[resource_type]} and webhooks accept). */
    public static List<String> typeNames(ResourceRegistry registry) {
        return fedTypes(registry).stream().map(ResourceType::name).toList();
    }

    /** The change type, whose {@code resource} relationship may point to any type the feed carries. */
    public static ResourceType type(ResourceRegistry registry) {
        ResourceType.Builder builder = ResourceType.builder("change", "change", IDS);
        Field<String> organizationId = builder.column("organization_id", SQLDataType.CHAR(24));
        List<Relationship.Target> targets = new ArrayList<>();
        for (ResourceType type : fedTypes(registry)) {
            targets.add(new Relationship.Target(type.name(), resourceColumn(type.name())));
        }
        List<String> typeNames = fedTypes(registry).stream().map(ResourceType::name).toList();
        return builder
                .attribute(Attribute.of("resource_type", RESOURCE_TYPE, Shape.string().oneOf(
                        typeNames.toArray(String[]::new))).notNull().asReadOnly())
                .attribute(Attribute.of("resource_id", RESOURCE_ID, Shape.string()).notNull().asReadOnly())
                .attribute(Attribute.of("action", ACTION, Shape.string()
                        .oneOf("created", "updated", "deleted", "removed")).notNull().asReadOnly())
                .attribute(Attribute.of("changed_at", CHANGED_AT, Shape.timestamp()).notNull().asReadOnly())
                .attribute(Attribute.of("version", VERSION, Shape.integer()).notNull().asReadOnly())
                .relationship(Relationship.toOneOf("resource", targets))
                .filter(new FilterDef("organization", FilterKind.ORGANIZATION, value -> DSL.noCondition()))
                .filter(new FilterDef("groups", FilterKind.GROUPS, value -> DSL.noCondition())
                        .describedAs("Comma-separated group ids: changes of these groups' data, as a client scoped "
                                + "to them sees them (a patient leaving them is `removed`, joining is `created`)."))
                .filterAlias("group", "groups")
                .filter(new FilterDef("patient", FilterKind.ID_LIST, value -> DSL.noCondition())
                        .describedAs("Comma-separated patient ids: changes of these patients and their data.")
                        .idsOf("patient"))
                .filter(new FilterDef("resource_type", FilterKind.STRING, value -> DSL.noCondition())
                        .describedAs("Comma-separated resource types."))
                .requireOneOf("organization", "groups")
                .tenant(organizationId)
                .describedAs("A committed change of a resource: created, updated, deleted, or removed from the "
                        + "client's scope.")
                .scope(caller -> TenantScope.sameOrganization(organizationId, caller))
                .build();
    }

    /** A registry that also holds the change type (the feed's query parser resolves fields[change] there). */
    static ResourceRegistry withChanges(ResourceRegistry registry, ResourceType change) {
        ResourceRegistry all = new ResourceRegistry();
        registry.types().forEach(all::register);
        return all.register(change);
    }
}
