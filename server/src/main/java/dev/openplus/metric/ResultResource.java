package dev.openplus.metric;

import java.time.OffsetDateTime;
import java.util.Arrays;

import org.jooq.Field;
import org.jooq.impl.SQLDataType;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.membership.PatientMembership;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.AttributeType;
import dev.openplus.jsonapi.BodyReader;
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
 * A result of a plan action: written by the server for each metric (linked to the action tracking that metric
 * type at that time), or recorded for a lifestyle action with POST /pub/result (an OpenPlus extension).
 */
public final class ResultResource {
    public static final ResourceType TYPE;
    static final Field<String> ID;
    static final Field<String> ORGANIZATION_ID;
    static final Field<String> PATIENT_ID;
    static final Field<String> ACTION_ID;
    static final Field<String> RESULT_TYPE;
    static final Field<String> THREAD;
    static final Field<OffsetDateTime> OCCURRED_AT;
    static final Relationship ACTION;

    private static final Shape TEXT = Shape.string().maxLength(1000).nullable();

    static {
        ResourceType.Builder builder = ResourceType.builder("result", "result");
        ID = builder.id();
        ORGANIZATION_ID = builder.column("organization_id", SQLDataType.CHAR(24));
        PATIENT_ID = builder.column("patient_id", SQLDataType.CHAR(24));
        ACTION_ID = builder.column("action_id", SQLDataType.CHAR(24));
        RESULT_TYPE = builder.column("type", SQLDataType.VARCHAR);
        THREAD = builder.column("thread", SQLDataType.VARCHAR);
        OCCURRED_AT = builder.column("occurred_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        ACTION = Relationship.toOne("action", "action", ACTION_ID).writable().asRequired();
        JsonNode none = BodyReader.mapper().createArrayNode();
        JsonNode empty = BodyReader.mapper().createObjectNode();
        TYPE = builder
                .attribute(Attribute.string("type", RESULT_TYPE).asReadOnly())
                .attribute(Attribute.string("metric_type", builder.column("metric_type", SQLDataType.VARCHAR))
                        .oneOf(MetricTypes.METRIC.toArray(String[]::new)).asReadOnly())
                .attribute(Attribute.of("annotations", builder.column("annotations", SQLDataType.JSONB),
                        Shape.arrayOf(Shape.object().member("text", TEXT).member("title", TEXT)).maxItems(50))
                        .defaultValue(none).clearedTo(none))
                .attribute(Attribute.of("skipped", builder.column("skipped", SQLDataType.BOOLEAN), Shape.bool())
                        .notNull().defaultValue(Boolean.FALSE))
                .attribute(Attribute.timestamp("occurred_at", OCCURRED_AT).asRequired())
                .attribute(Attribute.of("occurred_at_time_zone",
                        builder.column("occurred_at_time_zone", SQLDataType.VARCHAR), Shape.string().timeZone()))
                .attribute(Attribute.string("window", builder.column("window", SQLDataType.VARCHAR)).maxLength(255))
                .attribute(Attribute.of("data", builder.column("data", SQLDataType.JSONB),
                        Shape.object().member("value", Shape.any().nullable()))
                        .defaultValue(empty).clearedTo(empty))
                .attribute(Attribute.string("_thread", THREAD).asReadOnly())
                .attribute(Attribute.string("channel", builder.column("channel", SQLDataType.VARCHAR)).maxLength(255))
                .attribute(Attribute.string("external_id", builder.column("external_id", SQLDataType.VARCHAR))
                        .maxLength(255))
                .attribute(Attribute.of("source", builder.column("source", SQLDataType.JSONB), Shape.object()
                        .member("source_id", TEXT).member("name", TEXT)
                        .member("metadata", Shape.object().anyMembers().nullable()))
                        .defaultValue(empty).clearedTo(empty))
                .attribute(Attribute.string("aggregation", builder.column("aggregation", SQLDataType.VARCHAR))
                        .asReadOnly())
                .auditAttributes()
                .relationship(Relationship.toOne("patient", "patient", PATIENT_ID))
                .relationship(ACTION)
                .relationship(Relationship.toOne("metric", "patient_health_metric",
                        builder.column("metric_id", SQLDataType.CHAR(24))))
                .filter(new FilterDef("patient", FilterKind.ID_LIST, ids -> PATIENT_ID.in(MetricResource.ids(ids)))
                        .describedAs("Comma-separated patient ids.").idsOf("patient"))
                .filter(new FilterDef("actions", FilterKind.ID_LIST, ids -> ACTION_ID.in(MetricResource.ids(ids)))
                        .describedAs("Comma-separated action ids.").idsOf("action"))
                .filter(new FilterDef("threads", FilterKind.STRING,
                        threads -> THREAD.in(Arrays.asList(((String) threads).split(",", -1))))
                        .describedAs("Comma-separated thread identifiers."))
                .filter(new FilterDef("start_at", FilterKind.STRING,
                        at -> OCCURRED_AT.gt(DateRange.dateTime("filter[start_at]", (String) at)))
                        .describedAs("Results that occurred after this ISO-8601 date-time (exclusive)."))
                .filter(new FilterDef("end_at", FilterKind.STRING,
                        at -> OCCURRED_AT.lt(DateRange.dateTime("filter[end_at]", (String) at)))
                        .describedAs("Results that occurred before this ISO-8601 date-time (exclusive)."))
                .auditFilters()
                .sort(new SortField("occurred_at", OCCURRED_AT, AttributeType.TIMESTAMP, false))
                .requireOneOf("patient")
                .keptCount(KeptCount.perFilterValue("patient", ORGANIZATION_ID, PATIENT_ID))
                .tenant(ORGANIZATION_ID)
                .rules(new ResultRules())
                .scope(caller -> PatientMembership.visible(ORGANIZATION_ID, PATIENT_ID, caller))
                .build();
    }

    private ResultResource() {
    }
}
