package dev.openplus.reward;

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

/** What was fulfilled of one earning (one fulfillment per earning); see {@link RewardEarningFulfillmentRules}. */
public final class RewardEarningFulfillmentResource {
    public static final ResourceType TYPE;
    static final Field<String> ORGANIZATION_ID;
    static final Field<String> EARNING_ID;
    static final Field<String> PATIENT_ID;
    static final Field<String> FULFILLED_UNIT;
    static final Relationship EARNING;

    static {
        ResourceType.Builder builder = ResourceType.builder("reward_earning_fulfillment", "reward_earning_fulfillment");
        ORGANIZATION_ID = builder.column("organization_id", SQLDataType.CHAR(24));
        EARNING_ID = builder.column("earning_id", SQLDataType.CHAR(24));
        PATIENT_ID = builder.column("patient_id", SQLDataType.CHAR(24));
        FULFILLED_UNIT = builder.column("fulfilled_unit", SQLDataType.VARCHAR);
        Field<OffsetDateTime> fulfilledAt = builder.column("fulfilled_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        EARNING = Relationship.toOne("reward_earning", "reward_earning", EARNING_ID).writable().asRequired();
        TYPE = builder
                .attribute(Attribute.of("fulfilled_value", builder.column("fulfilled_value", SQLDataType.NUMERIC),
                        Shape.number().range(0, null)).asRequired()
                        .describedAs("At least 0 and at most the earning's `earned_value`."))
                .attribute(Attribute.string("fulfilled_unit", FULFILLED_UNIT).asReadOnly())
                .attribute(Attribute.of("fulfilled_at", fulfilledAt, Shape.timestamp()).asRequired()
                        .describedAs("Not before the earning's `earned_at`."))
                .auditAttributes()
                .relationship(Relationship.toOne("patient", "patient", PATIENT_ID))
                .relationship(EARNING)
                .filter(new FilterDef("patient", FilterKind.ID_LIST, ids -> RewardScope.in(PATIENT_ID, ids))
                        .describedAs("Comma-separated patient ids.").idsOf("patient"))
                .auditFilters()
                .sort(new SortField("fulfilled_at", fulfilledAt, AttributeType.TIMESTAMP, false))
                .requireOneOf("patient")
                .tenant(ORGANIZATION_ID)
                .rules(new RewardEarningFulfillmentRules())
                .scope(caller -> PatientMembership.visible(ORGANIZATION_ID, PATIENT_ID, caller))
                .build();
    }

    private RewardEarningFulfillmentResource() {
    }
}
