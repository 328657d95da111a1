package dev.openplus.plan;

import java.util.List;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.membership.PatientMembership;
import dev.openplus.db.Ids;
import dev.openplus.db.UnnestInsert;
import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.FilterKind;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.Shape;
import dev.openplus.jsonapi.WriteBatch;
import dev.openplus.jsonapi.WriteItem;
import dev.openplus.jsonapi.WriteRules;

/**
 * A patient's plan summary: exactly one per patient, created in the patient's transaction, never created or
 * deleted through the API. Its adherence is computed in SQL from its active actions' results (one statement
 * whatever the page size); its actions, bundles and current results are linkage read through views.
 */
public final class PlanSummaryResource {
    public static final ResourceType TYPE;
    public static final Field<String> ID;
    public static final Field<String> ORGANIZATION_ID;
    public static final Field<String> PATIENT_ID;
    public static final Field<String> TIME_ZONE;

    /** A value with its unit: a critical limit, a metric validation. */
    static final Shape LIMIT = Shape.object().required("value", Shape.number()).member("unit",
            Shape.string().maxLength(64).nullable());
    static final Shape LIMITS = Shape.object().member("minimum", LIMIT.nullable()).member("maximum", LIMIT.nullable());

    private static final WriteRules RULES = new WriteRules() {
        @Override
        public void beforeWrite(WriteBatch batch) {
            for (WriteItem item : batch.items()) {
                if (item.has("time_zone") && !batch.dsl().fetchExists(DSL.selectOne().from(DSL.table("pg_timezone_names"))
                        .where(DSL.field(DSL.name("name"), SQLDataType.VARCHAR).eq((String) item.value("time_zone"))))) {
                    // A few zones Java knows (SystemV/...) are unknown to PostgreSQL, which computes adherence.
                    item.problem("/attributes/time_zone", "time_zone must be an IANA time zone such as America/New_York");
                }
                if (item.has("window_order")) {
                    windowOrderActions(batch.dsl(), item);
                }
            }
        }
    };

    static {
        ResourceType.Builder builder = ResourceType.builder("patient_plan_summary", "patient_plan_summary");
        ID = builder.id();
        ORGANIZATION_ID = builder.column("organization_id", SQLDataType.CHAR(24));
        PATIENT_ID = builder.column("patient_id", SQLDataType.CHAR(24));
        TIME_ZONE = builder.column("time_zone", SQLDataType.VARCHAR);
        Shape critical = Shape.object();
        for (String metricType : MetricTypes.METRIC) {
            critical = critical.member(metricType, Shape.object().required("data", LIMITS).nullable());
        }
        Shape window = Shape.object().required("type", Shape.string().maxLength(64).notBlank())
                .member("_actions", Shape.arrayOf(Shape.string().maxLength(24)).maxItems(100).distinct().nullable());
        JsonNode none = BodyReader.mapper().createArrayNode();
        TYPE = builder
                .attribute(Attribute.of("adherence",
                        DSL.field("plan_adherence({0})", SQLDataType.JSONB, ID).as("adherence"), ActionResource.ADHERENCE)
                        .asReadOnly())
                .attribute(Attribute.of("critical", builder.column("critical", SQLDataType.JSONB), critical))
                .attribute(Attribute.of("time_zone", TIME_ZONE, Shape.string().timeZone()).notNull())
                .attribute(Attribute.of("window_order", builder.column("window_order", SQLDataType.JSONB),
                        Shape.arrayOf(window).maxItems(20)).notNull().clearedTo(none))
                .attribute(Attribute.timestamp("effective_from",
                        builder.column("effective_from", SQLDataType.TIMESTAMPWITHTIMEZONE)).asReadOnly())
                .attribute(Attribute.of("window_notification_times",
                        builder.column("window_notification_times", SQLDataType.JSONB), Shape.object()
                                .member("morning", Shape.integer()).member("afternoon", Shape.integer())
                                .member("evening", Shape.integer()).member("night", Shape.integer())).asReadOnly())
                .auditAttributes()
                .relationship(Relationship.toOne("patient", "patient", PATIENT_ID))
                .relationship(Relationship.toMany("actions", "action", DSL.table(DSL.name("plan_action")),
                        DSL.field(DSL.name("plan_action", "plan_id"), SQLDataType.CHAR(24)),
                        DSL.field(DSL.name("plan_action", "action_id"), SQLDataType.CHAR(24))))
                .relationship(Relationship.toMany("bundles", "bundle", DSL.table(DSL.name("plan_bundle")),
                        DSL.field(DSL.name("plan_bundle", "plan_id"), SQLDataType.CHAR(24)),
                        DSL.field(DSL.name("plan_bundle", "bundle_id"), SQLDataType.CHAR(24))))
                .relationship(Relationship.toMany("current_results", "result",
                        DSL.table(DSL.name("plan_current_result")),
                        DSL.field(DSL.name("plan_current_result", "plan_id"), SQLDataType.CHAR(24)),
                        DSL.field(DSL.name("plan_current_result", "result_id"), SQLDataType.CHAR(24))))
                .filter(new FilterDef("patient", FilterKind.ID_LIST, ids -> PATIENT_ID.in(ids(ids)))
                        .describedAs("Comma-separated patient ids.").idsOf("patient"))
                .filter(new FilterDef("groups", FilterKind.GROUPS,
                        groups -> PatientMembership.inGroups(PATIENT_ID, ids(groups)))
                        .describedAs("Comma-separated group ids: plans of the patients in any of them."))
                .filterAlias("group", "groups")
                .filter(new FilterDef("organization", FilterKind.ORGANIZATION, org -> ORGANIZATION_ID.eq((String) org)))
                .auditFilters()
                .requireOneOf("patient", "groups", "organization")
                .tenant(ORGANIZATION_ID)
                .rules(RULES)
                .scope(caller -> PatientMembership.visible(ORGANIZATION_ID, PATIENT_ID, caller))
                .build();
    }

    private PlanSummaryResource() {
    }

    @SuppressWarnings("unchecked")
    static List<String> ids(Object value) {
        return (List<String>) value;
    }

    private static final List<UnnestInsert.Column> COLUMNS = List.of(UnnestInsert.Column.of("id", "bpchar"),
            UnnestInsert.Column.of("organization_id", "bpchar"), UnnestInsert.Column.of("patient_id", "bpchar"),
            UnnestInsert.Column.of("created_by", "text"), UnnestInsert.Column.of("updated_by", "text"));

    /**
     * Creates the plan summary of each new patient (inside the patient's transaction): one statement whatever
     * the number of patients.
     */
    public static void createFor(DSLContext dsl, Caller caller, List<String> patientIds) {
        if (patientIds.isEmpty()) {
            return;
        }
        List<Object[]> rows = patientIds.stream().map(patientId -> new Object[] {Ids.newId(), caller.organizationId(),
                patientId, caller.actorId(), caller.actorId()}).toList();
        UnnestInsert.insert(dsl, "patient_plan_summary", COLUMNS, rows, null, null);
    }

    /** Every id in window_order's {@code _actions} must be an action of this plan (one statement). */
    private static void windowOrderActions(DSLContext dsl, WriteItem item) {
        JsonNode windows = item.json("window_order");
        if (windows == null) {
            return;
        }
        Field<String> actionId = DSL.field(DSL.name("action", "id"), SQLDataType.CHAR(24));
        Field<String> planId = DSL.field(DSL.name("action", "plan_id"), SQLDataType.CHAR(24));
        java.util.Set<String> ofPlan = new java.util.HashSet<>(dsl.select(actionId).from(DSL.table(DSL.name("action")))
                .where(planId.eq(item.id())).fetch(actionId));
        for (int w = 0; w < windows.size(); w++) {
            JsonNode actions = windows.get(w).path("_actions");
            for (int a = 0; a < actions.size(); a++) {
                String id = actions.get(a).asText();
                if (!Ids.isWellFormed(id) || !ofPlan.contains(id)) {
                    item.problem(ApiError.pointer(item.pointer() + "/attributes/window_order/" + w + "/_actions/" + a,
                            "must be the id of an action of this plan"));
                }
            }
        }
    }
}
