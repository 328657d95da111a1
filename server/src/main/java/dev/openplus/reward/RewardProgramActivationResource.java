package dev.openplus.reward;

import java.math.BigDecimal;
import java.time.OffsetDateTime;

import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import dev.openplus.membership.PatientMembership;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.AttributeType;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.FilterKind;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.Shape;
import dev.openplus.jsonapi.SortField;

/**
 * A reward program activated for one patient: its dates, the unit and fulfilment mode copied from the
 * program, and running totals of the rewards allocated from its budget and earned. The rules are in
 * {@link RewardProgramActivationRules}.
 */
public final class RewardProgramActivationResource {
    public static final ResourceType TYPE;
    static final Table<?> TABLE;
    static final Field<String> ID;
    static final Field<String> ORGANIZATION_ID;
    static final Field<String> PROGRAM_ID;
    static final Field<String> PATIENT_ID;
    static final Field<String> GROUP_ID;
    static final Field<OffsetDateTime> ACTIVATED_AT;
    static final Field<OffsetDateTime> DEACTIVATED_AT;
    static final Field<OffsetDateTime> EXPIRES_AT;
    static final Field<Boolean> FULFILL_AS_EARNED;
    static final Field<String> BUDGET_UNIT;
    static final Field<BigDecimal> BUDGET_VALUE;
    static final Field<Integer> ALLOCATED_COUNT;
    static final Field<BigDecimal> TOTAL_ALLOCATED_VALUE;
    static final Field<Integer> EARNED_COUNT;
    static final Field<BigDecimal> TOTAL_EARNED_VALUE;
    static final Relationship PATIENT;
    static final Relationship PROGRAM;

    static {
        ResourceType.Builder builder = ResourceType.builder("reward_program_activation", "reward_program_activation");
        TABLE = DSL.table(DSL.name("reward_program_activation"));
        ID = builder.id();
        ORGANIZATION_ID = builder.column("organization_id", SQLDataType.CHAR(24));
        PROGRAM_ID = builder.column("program_id", SQLDataType.CHAR(24));
        PATIENT_ID = builder.column("patient_id", SQLDataType.CHAR(24));
        GROUP_ID = builder.column("group_id", SQLDataType.CHAR(24));
        ACTIVATED_AT = builder.column("activated_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        DEACTIVATED_AT = builder.column("deactivated_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        EXPIRES_AT = builder.column("expires_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        FULFILL_AS_EARNED = builder.column("fulfill_as_earned", SQLDataType.BOOLEAN);
        BUDGET_UNIT = builder.column("budget_unit", SQLDataType.VARCHAR);
        BUDGET_VALUE = builder.column("budget_value", SQLDataType.NUMERIC);
        ALLOCATED_COUNT = builder.column("allocated_count", SQLDataType.INTEGER);
        TOTAL_ALLOCATED_VALUE = builder.column("total_allocated_value", SQLDataType.NUMERIC);
        EARNED_COUNT = builder.column("earned_count", SQLDataType.INTEGER);
        TOTAL_EARNED_VALUE = builder.column("total_earned_value", SQLDataType.NUMERIC);
        // Active depends on the clock (expiry), so it is computed when read rather than stored.
        Field<Boolean> active = DSL.field(DEACTIVATED_AT.isNull().and(EXPIRES_AT.gt(DSL.currentOffsetDateTime())))
                .as("active");
        PATIENT = Relationship.toOne("patient", "patient", PATIENT_ID).writable().asRequired();
        PROGRAM = Relationship.toOne("reward_program", "reward_program", PROGRAM_ID).writable().asRequired();
        TYPE = builder
                .attribute(Attribute.of("active", active, Shape.bool()).asReadOnly()
                        .describedAs("True while `deactivated_at` is unset and `expires_at` lies ahead."))
                .attribute(Attribute.of("activated_at", ACTIVATED_AT, Shape.timestamp()).asRequired().immutable()
                        .describedAs("From the program's `start_at`, before its `end_at`."))
                .attribute(Attribute.of("deactivated_at", DEACTIVATED_AT, Shape.timestamp()).notNull()
                        .describedAs("Set once, after `activated_at` and after every reward's allocation and earning;"
                                + " makes the earnings ready for fulfillment."))
                .attribute(Attribute.of("expires_at", EXPIRES_AT, Shape.timestamp()).asReadOnly()
                        .describedAs("`activated_at` plus the program's `duration_active` days."))
                .attribute(Attribute.of("fulfill_as_earned", FULFILL_AS_EARNED, Shape.bool()).asReadOnly())
                .attribute(Attribute.of("allocated_count", ALLOCATED_COUNT, Shape.integer()).asReadOnly())
                .attribute(Attribute.of("total_allocated_value", TOTAL_ALLOCATED_VALUE, Shape.number()).asReadOnly())
                .attribute(Attribute.of("earned_count", EARNED_COUNT, Shape.integer()).asReadOnly())
                .attribute(Attribute.of("total_earned_value", TOTAL_EARNED_VALUE, Shape.number()).asReadOnly())
                .attribute(Attribute.string("budget_unit", BUDGET_UNIT).asReadOnly())
                .auditAttributes()
                .relationship(PATIENT)
                .relationship(PROGRAM)
                .filter(new FilterDef("patient", FilterKind.ID_LIST, ids -> RewardScope.in(PATIENT_ID, ids))
                        .describedAs("Comma-separated patient ids.").idsOf("patient"))
                .filter(new FilterDef("groups", FilterKind.GROUPS, ids -> RewardScope.in(GROUP_ID, ids))
                        .describedAs("Comma-separated group ids: activations of these groups' programs."))
                .filterAlias("group", "groups")
                .filter(new FilterDef("organization", FilterKind.ORGANIZATION, org -> ORGANIZATION_ID.eq((String) org)))
                .auditFilters()
                .sort(new SortField("activated_at", ACTIVATED_AT, AttributeType.TIMESTAMP, false))
                .sort(new SortField("expires_at", EXPIRES_AT, AttributeType.TIMESTAMP, false))
                .requireOneOf("patient", "groups", "organization")
                .tenant(ORGANIZATION_ID)
                .rules(new RewardProgramActivationRules())
                .scope(caller -> PatientMembership.visible(ORGANIZATION_ID, PATIENT_ID, caller))
                .build();
    }

    private RewardProgramActivationResource() {
    }
}
