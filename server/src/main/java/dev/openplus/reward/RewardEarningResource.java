package dev.openplus.reward;

import java.math.BigDecimal;
import java.time.OffsetDateTime;

import org.jooq.Field;
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
 * What a patient earned of one reward (one earning per reward; bulk creates). The patient, group,
 * activation, unit and readiness for fulfillment are derived and stored; see {@link RewardEarningRules}.
 */
public final class RewardEarningResource {
    public static final ResourceType TYPE;
    static final Field<String> ID;
    static final Field<String> ORGANIZATION_ID;
    static final Field<String> REWARD_ID;
    static final Field<String> ACTIVATION_ID;
    static final Field<String> PATIENT_ID;
    static final Field<String> GROUP_ID;
    static final Field<BigDecimal> EARNED_VALUE;
    static final Field<String> EARNED_UNIT;
    static final Field<OffsetDateTime> EARNED_AT;
    static final Field<Boolean> READY_FOR_FULFILLMENT;
    static final Field<BigDecimal> FULFILLED_VALUE;
    static final Field<OffsetDateTime> FULFILLED_AT;
    static final Field<OffsetDateTime> UPDATED_AT;
    static final Relationship REWARD;

    static {
        ResourceType.Builder builder = ResourceType.builder("reward_earning", "reward_earning");
        ID = builder.id();
        ORGANIZATION_ID = builder.column("organization_id", SQLDataType.CHAR(24));
        REWARD_ID = builder.column("reward_id", SQLDataType.CHAR(24));
        ACTIVATION_ID = builder.column("activation_id", SQLDataType.CHAR(24));
        PATIENT_ID = builder.column("patient_id", SQLDataType.CHAR(24));
        GROUP_ID = builder.column("group_id", SQLDataType.CHAR(24));
        EARNED_VALUE = builder.column("earned_value", SQLDataType.NUMERIC);
        EARNED_UNIT = builder.column("earned_unit", SQLDataType.VARCHAR);
        EARNED_AT = builder.column("earned_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        READY_FOR_FULFILLMENT = builder.column("ready_for_fulfillment", SQLDataType.BOOLEAN);
        FULFILLED_VALUE = builder.column("fulfilled_value", SQLDataType.NUMERIC);
        FULFILLED_AT = builder.column("fulfilled_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        UPDATED_AT = builder.column("updated_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        REWARD = Relationship.toOne("reward", "reward", REWARD_ID).writable().asRequired();
        TYPE = builder
                .attribute(Attribute.of("earned_value", EARNED_VALUE, Shape.number().range(0, null)).asRequired()
                        .describedAs("At least 0 and at most the reward's `allocated_value`."))
                .attribute(Attribute.string("earned_unit", EARNED_UNIT).asReadOnly())
                .attribute(Attribute.of("earned_at", EARNED_AT, Shape.timestamp()).asRequired()
                        .describedAs("Not before the reward's `allocated_at`; before the activation's `deactivated_at` and"
                                + " `expires_at`."))
                .attribute(Attribute.of("ready_for_fulfillment", READY_FOR_FULFILLMENT, Shape.bool()).asReadOnly())
                .attribute(Attribute.of("fulfilled_value", FULFILLED_VALUE, Shape.number()).asReadOnly())
                .attribute(Attribute.of("fulfilled_at", FULFILLED_AT, Shape.timestamp()).asReadOnly())
                .auditAttributes()
                .relationship(Relationship.toOne("group", "group", GROUP_ID))
                .relationship(Relationship.toOne("patient", "patient", PATIENT_ID))
                .relationship(Relationship.toOne("reward_program_activation", "reward_program_activation", ACTIVATION_ID))
                .relationship(REWARD)
                .filter(new FilterDef("patient", FilterKind.ID_LIST, ids -> RewardScope.in(PATIENT_ID, ids))
                        .describedAs("Comma-separated patient ids.").idsOf("patient"))
                .filter(new FilterDef("groups", FilterKind.GROUPS, ids -> RewardScope.in(GROUP_ID, ids))
                        .describedAs("Comma-separated group ids: earnings of these groups' programs."))
                .filterAlias("group", "groups")
                .filter(new FilterDef("ready_for_fulfillment", FilterKind.BOOLEAN,
                        ready -> READY_FOR_FULFILLMENT.eq((Boolean) ready).and(FULFILLED_AT.isNull()))
                        .describedAs("true: ready for fulfillment and not fulfilled; false: not ready and not fulfilled."))
                .auditFilters()
                .sort(new SortField("earned_at", EARNED_AT, AttributeType.TIMESTAMP, false))
                .requireOneOf("patient", "groups")
                .tenant(ORGANIZATION_ID)
                .bulkCreate()
                .rules(new RewardEarningRules())
                .scope(caller -> PatientMembership.visible(ORGANIZATION_ID, PATIENT_ID, caller))
                .build();
    }

    private RewardEarningResource() {
    }
}
