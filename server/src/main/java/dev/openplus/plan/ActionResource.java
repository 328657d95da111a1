package dev.openplus.plan;

import java.time.OffsetDateTime;

import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.membership.PatientMembership;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.Shape;

/**
 * An action of a patient's plan: a tracking action (its type is a metric type, and metrics of that type become
 * its results) or a lifestyle action (its results are recorded with POST /pub/result). Ending an action is
 * setting {@code effective_to}. Adherence is computed in SQL from its results at read time.
 */
public final class ActionResource {
    public static final ResourceType TYPE;
    public static final Field<String> ID;
    public static final Field<String> ORGANIZATION_ID;
    public static final Field<String> PATIENT_ID;
    public static final Field<String> PLAN_ID;
    public static final Field<String> ACTION_TYPE;
    public static final Field<String> THREAD;
    static final Field<String> STATIC_TITLE;
    static final Field<Integer> PRORATED;
    static final Field<OffsetDateTime> EFFECTIVE_FROM;
    public static final Relationship PLAN;
    public static final Relationship BUNDLES;

    static final Table<?> BUNDLE_ACTION = DSL.table(DSL.name("bundle_action"));
    static final Field<String> BUNDLE_ACTION_BUNDLE = DSL.field(DSL.name("bundle_action", "bundle_id"), SQLDataType.CHAR(24));
    static final Field<String> BUNDLE_ACTION_ACTION = DSL.field(DSL.name("bundle_action", "action_id"), SQLDataType.CHAR(24));
    static final Field<String> BUNDLE_ACTION_ORGANIZATION = DSL.field(DSL.name("bundle_action", "organization_id"),
            SQLDataType.CHAR(24));

    private static final Shape TEXT = Shape.string().maxLength(1000).nullable();

    /** Adherence as computed in SQL (V6's action_adherence and plan_adherence): see docs/decisions.md. */
    static final Shape ADHERENCE = Shape.object()
            .required("due", Shape.integer())
            .required("complete", Shape.integer())
            .required("streak", Shape.object().required("count", Shape.integer()).member("updated_at", Shape.timestamp()));

    static {
        ResourceType.Builder builder = ResourceType.builder("action", "action");
        ID = builder.id();
        ORGANIZATION_ID = builder.column("organization_id", SQLDataType.CHAR(24));
        PATIENT_ID = builder.column("patient_id", SQLDataType.CHAR(24));
        PLAN_ID = builder.column("plan_id", SQLDataType.CHAR(24));
        ACTION_TYPE = builder.column("type", SQLDataType.VARCHAR);
        THREAD = builder.column("thread", SQLDataType.VARCHAR);
        STATIC_TITLE = builder.column("static_title", SQLDataType.VARCHAR);
        PRORATED = builder.column("frequency_goal_prorated", SQLDataType.INTEGER);
        EFFECTIVE_FROM = builder.column("effective_from", SQLDataType.TIMESTAMPWITHTIMEZONE);
        JsonNode none = BodyReader.mapper().createArrayNode();
        Shape frequencyGoal = Shape.object().member("weeks", Shape.object()
                .member("days", Shape.arrayOf(Shape.integer().range(0, 6)).maxItems(7).distinct().nullable())
                .nullable());
        Shape identifier = Shape.object().serverId("_id").member("label", TEXT)
                .required("system", Shape.string().maxLength(1000).notBlank())
                .required("value", Shape.string().maxLength(1000).notBlank());
        Shape metric = Shape.object().serverId("_id")
                .required("metric_type", Shape.string().oneOf(MetricTypes.METRIC))
                .member("unit", Shape.string().maxLength(64).nullable())
                .member("goal", Shape.object().anyMembers().nullable())
                .member("validations", PlanSummaryResource.LIMITS.nullable());
        Shape window = Shape.object().serverId("_id").required("type", Shape.string().maxLength(64).notBlank())
                .member("title", TEXT);
        PLAN = Relationship.toOne("plan", "patient_plan_summary", PLAN_ID).writable().asRequired();
        BUNDLES = Relationship.toMany("bundles", "bundle", BUNDLE_ACTION, BUNDLE_ACTION_ACTION, BUNDLE_ACTION_BUNDLE)
                .joinOrganization(BUNDLE_ACTION_ORGANIZATION).writable();
        TYPE = builder
                .attribute(Attribute.string("type", ACTION_TYPE).oneOf(MetricTypes.ACTION.toArray(String[]::new))
                        .asRequired().immutable())
                .attribute(Attribute.string("title", builder.column("title", SQLDataType.VARCHAR)).maxLength(255)
                        .asRequired())
                .attribute(Attribute.string("static_title", STATIC_TITLE).asReadOnly())
                .attribute(Attribute.timestamp("effective_from", EFFECTIVE_FROM).asRequired())
                .attribute(Attribute.timestamp("effective_to",
                        builder.column("effective_to", SQLDataType.TIMESTAMPWITHTIMEZONE)))
                .attribute(Attribute.of("tracking", builder.column("tracking", SQLDataType.BOOLEAN), Shape.bool())
                        .notNull().defaultValue(Boolean.TRUE))
                .attribute(Attribute.string("_thread", THREAD).maxLength(255).notNull().immutable())
                .attribute(Attribute.computed("adherence",
                        DSL.field("action_adherence({0})", SQLDataType.JSONB, ID).as("adherence"), ADHERENCE,
                        new Attribute.RowSetFunction("actions_adherence", "action_id", "adherence")))
                .attribute(Attribute.of("frequency_goal", builder.column("frequency_goal", SQLDataType.JSONB),
                        frequencyGoal))
                .attribute(Attribute.of("frequency_goal_prorated", PRORATED, Shape.integer()).asReadOnly())
                .attribute(Attribute.of("identifiers", builder.column("identifiers", SQLDataType.JSONB),
                        Shape.arrayOf(identifier).maxItems(100)).defaultValue(none).clearedTo(none))
                .attribute(Attribute.of("details", builder.column("details", SQLDataType.JSONB),
                        Shape.object().anyMembers()))
                .attribute(Attribute.of("intake", builder.column("intake", SQLDataType.JSONB),
                        Shape.object().anyMembers()))
                .attribute(Attribute.of("metric_required", builder.column("metric_required", SQLDataType.BOOLEAN),
                        Shape.bool()).notNull().defaultValue(Boolean.FALSE))
                .attribute(Attribute.of("metrics", builder.column("metrics", SQLDataType.JSONB),
                        Shape.arrayOf(metric).maxItems(50)).defaultValue(none).clearedTo(none))
                .attribute(Attribute.of("windows", builder.column("windows", SQLDataType.JSONB),
                        Shape.arrayOf(window).maxItems(20)).defaultValue(none).clearedTo(none))
                .attribute(Attribute.of("options", builder.column("options", SQLDataType.JSONB),
                        Shape.arrayOf(Shape.object().anyMembers())).asReadOnly())
                .auditAttributes()
                .relationship(PLAN)
                .relationship(BUNDLES)
                .tenant(ORGANIZATION_ID)
                .rules(new PlanRules.ActionRules())
                .scope(caller -> PatientMembership.visible(ORGANIZATION_ID, PATIENT_ID, caller))
                .linkScope(PatientMembership.LINK_SCOPE)
                .build();
    }

    private ActionResource() {
    }
}
