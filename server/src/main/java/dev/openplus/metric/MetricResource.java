package dev.openplus.metric;

import java.time.OffsetDateTime;
import java.util.List;

import org.jooq.Field;
import org.jooq.impl.SQLDataType;

import dev.openplus.membership.PatientMembership;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.AttributeType;
import dev.openplus.jsonapi.DateRange;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.FilterKind;
import dev.openplus.jsonapi.KeptCount;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.Shape;
import dev.openplus.jsonapi.SortField;
import dev.openplus.plan.MetricTypes;

/**
 * A patient health metric (a measurement). Created one at a time or in bulk (all-or-nothing, duplicates
 * optionally skipped), for a patient given by id or found by identifier; each creates its result.
 */
public final class MetricResource {
    public static final ResourceType TYPE;
    static final Field<String> ID;
    static final Field<String> ORGANIZATION_ID;
    static final Field<String> PATIENT_ID;
    static final Field<String> METRIC_TYPE;
    static final Field<OffsetDateTime> OCCURRED_AT;
    static final Relationship PATIENT;

    static {
        ResourceType.Builder builder = ResourceType.builder("patient_health_metric", "patient_health_metric");
        ID = builder.id();
        ORGANIZATION_ID = builder.column("organization_id", SQLDataType.CHAR(24));
        PATIENT_ID = builder.column("patient_id", SQLDataType.CHAR(24));
        METRIC_TYPE = builder.column("type", SQLDataType.VARCHAR);
        OCCURRED_AT = builder.column("occurred_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        PATIENT = Relationship.toOne("patient", "patient", PATIENT_ID).withInput(Relationship.Input.CUSTOM);
        TYPE = builder
                .attribute(Attribute.string("type", METRIC_TYPE).oneOf(MetricTypes.METRIC.toArray(String[]::new))
                        .asRequired())
                .attribute(Attribute.of("code", builder.column("code", SQLDataType.JSONB), Shape.object()
                        .required("system", Shape.string().maxLength(255).notBlank())
                        .required("value", Shape.string().maxLength(255).notBlank())))
                .attribute(Attribute.of("value", builder.column("value", SQLDataType.NUMERIC), Shape.number()))
                .attribute(Attribute.of("systolic", builder.column("systolic", SQLDataType.NUMERIC), Shape.number()))
                .attribute(Attribute.of("diastolic", builder.column("diastolic", SQLDataType.NUMERIC), Shape.number()))
                .attribute(Attribute.string("unit", builder.column("unit", SQLDataType.VARCHAR)).maxLength(64))
                .attribute(Attribute.timestamp("occurred_at", OCCURRED_AT).asRequired())
                .auditAttributes()
                .relationship(PATIENT)
                .filter(new FilterDef("patient", FilterKind.ID_LIST, ids -> PATIENT_ID.in(ids(ids)))
                        .describedAs("Comma-separated patient ids.").idsOf("patient"))
                .filter(new FilterDef("groups", FilterKind.GROUPS,
                        groups -> PatientMembership.inGroups(PATIENT_ID, ids(groups)))
                        .describedAs("Comma-separated group ids: metrics of the patients in any of them."))
                .filterAlias("group", "groups")
                .filter(new FilterDef("organization", FilterKind.ORGANIZATION, org -> ORGANIZATION_ID.eq((String) org)))
                .filter(new FilterDef("type", FilterKind.STRING, type -> METRIC_TYPE.eq((String) type))
                        .describedAs("OpenPlus extension: one metric type."))
                .filter(new FilterDef("occurred_at", FilterKind.DATE_RANGE, range -> ((DateRange) range).on(OCCURRED_AT))
                        .describedAs("OpenPlus extension: metrics that occurred in start..end."))
                .auditFilters()
                .sort(new SortField("occurred_at", OCCURRED_AT, AttributeType.TIMESTAMP, false))
                .requireOneOf("patient", "groups", "organization")
                .keptCount(KeptCount.perOrganization(ORGANIZATION_ID))
                .keptCount(KeptCount.perFilterValue("patient", ORGANIZATION_ID, PATIENT_ID))
                .tenant(ORGANIZATION_ID)
                .bulkCreate()
                .duplicatesIgnorable()
                .rules(new MetricRules())
                .scope(caller -> PatientMembership.visible(ORGANIZATION_ID, PATIENT_ID, caller))
                .build();
    }

    private MetricResource() {
    }

    @SuppressWarnings("unchecked")
    static List<String> ids(Object value) {
        return (List<String>) value;
    }
}
