package dev.openplus.reward;

import java.math.BigDecimal;
import java.time.OffsetDateTime;

import org.jooq.Field;
import org.jooq.impl.SQLDataType;

import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.AttributeType;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.FilterKind;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.Shape;
import dev.openplus.jsonapi.SortField;
import dev.openplus.jsonapi.TenantScope;
import dev.openplus.jsonapi.WriteBatch;
import dev.openplus.jsonapi.WriteItem;
import dev.openplus.jsonapi.WriteRules;

/**
 * A reward program of a group: its dates, its budget per activation and how rewards are fulfilled. A
 * group-scoped client sees (and creates) the programs of its groups only.
 */
public final class RewardProgramResource {
    public static final ResourceType TYPE;
    static final Field<String> ID;
    static final Field<String> ORGANIZATION_ID;
    static final Field<String> GROUP_ID;
    static final Field<OffsetDateTime> START_AT;
    static final Field<OffsetDateTime> END_AT;
    static final Field<BigDecimal> BUDGET_VALUE;
    static final Field<String> BUDGET_UNIT;
    static final Field<BigDecimal> DURATION_ACTIVE;
    static final Field<Boolean> FULFILL_AS_EARNED;
    static final Field<Boolean> FROZEN;

    /** end_at after start_at (the shapes check the budget and duration above zero). */
    private static final WriteRules RULES = new WriteRules() {
        @Override
        public void beforeWrite(WriteBatch batch) {
            for (WriteItem item : batch.items()) {
                if (item.value("start_at") instanceof OffsetDateTime start
                        && item.value("end_at") instanceof OffsetDateTime end && !end.isAfter(start)) {
                    item.problem("/attributes/end_at", "end_at must be after start_at");
                }
            }
        }
    };

    static {
        ResourceType.Builder builder = ResourceType.builder("reward_program", "reward_program");
        ID = builder.id();
        ORGANIZATION_ID = builder.column("organization_id", SQLDataType.CHAR(24));
        GROUP_ID = builder.column("group_id", SQLDataType.CHAR(24));
        START_AT = builder.column("start_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        END_AT = builder.column("end_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        BUDGET_VALUE = builder.column("budget_value", SQLDataType.NUMERIC);
        BUDGET_UNIT = builder.column("budget_unit", SQLDataType.VARCHAR);
        DURATION_ACTIVE = builder.column("duration_active", SQLDataType.NUMERIC);
        FULFILL_AS_EARNED = builder.column("fulfill_as_earned", SQLDataType.BOOLEAN);
        FROZEN = builder.column("frozen", SQLDataType.BOOLEAN);
        Field<String> name = builder.column("name", SQLDataType.VARCHAR);
        TYPE = builder
                .attribute(Attribute.string("name", name).asRequired().maxLength(255))
                .attribute(Attribute.string("tagline", builder.column("tagline", SQLDataType.VARCHAR)).maxLength(1000))
                .attribute(Attribute.string("description", builder.column("description", SQLDataType.VARCHAR))
                        .maxLength(10_000))
                .attribute(Attribute.of("start_at", START_AT, Shape.timestamp()).asRequired())
                .attribute(Attribute.of("end_at", END_AT, Shape.timestamp()).asRequired()
                        .describedAs("Later than `start_at`; activations must start before it."))
                .attribute(Attribute.of("budget_value", BUDGET_VALUE, Shape.number().above(0)).asRequired()
                        .describedAs("Above 0: what the rewards of one activation may allocate in total."))
                .attribute(Attribute.string("budget_unit", BUDGET_UNIT).oneOf("dollar", "point", "credit").notNull()
                        .defaultValue("dollar"))
                .attribute(Attribute.of("duration_active", DURATION_ACTIVE, Shape.number().above(0)).notNull()
                        .defaultValue(BigDecimal.valueOf(540))
                        .describedAs("Days an activation lasts (above 0); sets the activation's `expires_at`."))
                .attribute(Attribute.of("fulfill_as_earned", FULFILL_AS_EARNED, Shape.bool()).notNull()
                        .defaultValue(false))
                .attribute(Attribute.of("frozen", FROZEN, Shape.bool()).notNull().defaultValue(false)
                        .describedAs("A frozen program cannot be activated."))
                .auditAttributes()
                .relationship(Relationship.toOne("group", "group", GROUP_ID).writable().asRequired().relatedAt("group"))
                .filter(new FilterDef("groups", FilterKind.GROUPS, groups -> RewardScope.in(GROUP_ID, groups))
                        .describedAs("Comma-separated group ids: the programs of these groups."))
                .filterAlias("group", "groups")
                .filter(new FilterDef("organization", FilterKind.ORGANIZATION, org -> ORGANIZATION_ID.eq((String) org)))
                .auditFilters()
                .sort(new SortField("name", name, AttributeType.STRING, false))
                .sort(new SortField("start_at", START_AT, AttributeType.TIMESTAMP, false))
                .requireOneOf("groups", "organization")
                .tenant(ORGANIZATION_ID)
                .rules(RULES)
                .scope(caller -> caller.groupScoped()
                        ? TenantScope.sameOrganization(ORGANIZATION_ID, caller)
                                .and(TenantScope.inAllowedGroups(GROUP_ID, caller))
                        : TenantScope.sameOrganization(ORGANIZATION_ID, caller))
                .build();
    }

    private RewardProgramResource() {
    }
}
