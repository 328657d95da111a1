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
 * A reward: a part of an activation's budget allocated for a goal. Its earning and fulfillment are copied
 * onto it when they are created; the budget rule is in {@link RewardRules}.
 */
public final class RewardResource {
    public static final ResourceType TYPE;
    static final Field<String> ID;
    static final Field<String> ORGANIZATION_ID;
    static final Field<String> ACTIVATION_ID;
    static final Field<String> PATIENT_ID;
    static final Field<String> GROUP_ID;
    static final Field<BigDecimal> ALLOCATED_VALUE;
    static final Field<String> ALLOCATED_UNIT;
    static final Field<OffsetDateTime> ALLOCATED_AT;
    static final Field<BigDecimal> EARNED_VALUE;
    static final Field<OffsetDateTime> EARNED_AT;
    static final Field<BigDecimal> FULFILLED_VALUE;
    static final Field<OffsetDateTime> FULFILLED_AT;
    static final Relationship ACTIVATION;

    static {
        ResourceType.Builder builder = ResourceType.builder("reward", "reward");
        ID = builder.id();
        ORGANIZATION_ID = builder.column("organization_id", SQLDataType.CHAR(24));
        ACTIVATION_ID = builder.column("activation_id", SQLDataType.CHAR(24));
        PATIENT_ID = builder.column("patient_id", SQLDataType.CHAR(24));
        GROUP_ID = builder.column("group_id", SQLDataType.CHAR(24));
        ALLOCATED_VALUE = builder.column("allocated_value", SQLDataType.NUMERIC);
        ALLOCATED_UNIT = builder.column("allocated_unit", SQLDataType.VARCHAR);
        ALLOCATED_AT = builder.column("allocated_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        EARNED_VALUE = builder.column("earned_value", SQLDataType.NUMERIC);
        EARNED_AT = builder.column("earned_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        FULFILLED_VALUE = builder.column("fulfilled_value", SQLDataType.NUMERIC);
        FULFILLED_AT = builder.column("fulfilled_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        Field<String> thread = builder.column("thread", SQLDataType.VARCHAR);
        Field<OffsetDateTime> targetAt = builder.column("target_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        ACTIVATION = Relationship.toOne("reward_program_activation", "reward_program_activation", ACTIVATION_ID)
                .writable().asRequired();
        TYPE = builder
                .attribute(Attribute.string("_thread", thread).maxLength(255))
                .attribute(Attribute.string("description", builder.column("description", SQLDataType.VARCHAR))
                        .asRequired().maxLength(10_000))
                .attribute(Attribute.of("allocated_value", ALLOCATED_VALUE, Shape.number().above(0)).asRequired()
                        .describedAs("Above 0 and at most what the activation's budget has left."))
                .attribute(Attribute.string("allocated_unit", ALLOCATED_UNIT).asReadOnly())
                .attribute(Attribute.of("allocated_at", ALLOCATED_AT, Shape.timestamp()).asRequired()
                        .describedAs("Not before the activation's `activated_at`; before its `deactivated_at` and `expires_at`."))
                .attribute(Attribute.of("target_at", targetAt, Shape.timestamp()).describedAs("Not before `allocated_at`."))
                .attribute(Attribute.of("earned_value", EARNED_VALUE, Shape.number()).asReadOnly())
                .attribute(Attribute.of("earned_at", EARNED_AT, Shape.timestamp()).asReadOnly())
                .attribute(Attribute.of("fulfilled_value", FULFILLED_VALUE, Shape.number()).asReadOnly())
                .attribute(Attribute.of("fulfilled_at", FULFILLED_AT, Shape.timestamp()).asReadOnly())
                .auditAttributes()
                .relationship(Relationship.toOne("patient", "patient", PATIENT_ID))
                .relationship(ACTIVATION)
                .filter(new FilterDef("patient", FilterKind.ID_LIST, ids -> RewardScope.in(PATIENT_ID, ids))
                        .describedAs("Comma-separated patient ids.").idsOf("patient"))
                .filter(new FilterDef("groups", FilterKind.GROUPS, ids -> RewardScope.in(GROUP_ID, ids))
                        .describedAs("Comma-separated group ids: rewards of these groups' programs."))
                .filterAlias("group", "groups")
                .filter(new FilterDef("organization", FilterKind.ORGANIZATION, org -> ORGANIZATION_ID.eq((String) org)))
                .filter(new FilterDef("reward_program_activation", FilterKind.ID_LIST,
                        ids -> RewardScope.in(ACTIVATION_ID, ids)).describedAs("Comma-separated activation ids.").idsOf("reward_program_activation"))
                .filter(new FilterDef("thread", FilterKind.STRING, value -> thread.eq((String) value))
                        .describedAs("The `_thread` the rewards carry."))
                .auditFilters()
                .sort(new SortField("allocated_at", ALLOCATED_AT, AttributeType.TIMESTAMP, false))
                .sort(new SortField("target_at", targetAt, AttributeType.TIMESTAMP, true))
                .requireOneOf("patient", "groups", "organization")
                .tenant(ORGANIZATION_ID)
                .rules(new RewardRules())
                .scope(caller -> PatientMembership.visible(ORGANIZATION_ID, PATIENT_ID, caller))
                .build();
    }

    private RewardResource() {
    }
}
