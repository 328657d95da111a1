package dev.openplus.metric;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import org.jooq.DSLContext;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.DocumentWriter;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.ResourceWriter;
import dev.openplus.jsonapi.WriteBatch;
import dev.openplus.plan.ActionResource;
import dev.openplus.plan.BundleResource;
import dev.openplus.plan.PlanSummaryResource;

/**
 * Demo care plans for {@code serve --demo}: for the first demo patients, a plan in New York time with a weight
 * and a blood pressure action (bundled as "Heart health") and a daily medication, and three weeks of metrics
 * and medication results, written through the same rules as the API (results and adherence follow from them).
 */
public final class DemoCarePlans {
    private static final int PATIENTS = 10;
    private static final int DAYS = 21;

    private DemoCarePlans() {
    }

    public static void seed(ResourceWriter writer, DSLContext dsl, String organizationId) {
        Caller operator = Caller.operator(organizationId);
        List<org.jooq.Record2<String, String>> plans = dsl.select(PlanSummaryResource.ID, PlanSummaryResource.PATIENT_ID)
                .from(PlanSummaryResource.TYPE.table()).where(PlanSummaryResource.ORGANIZATION_ID.eq(organizationId))
                .orderBy(PlanSummaryResource.ID).limit(PATIENTS).fetch();
        dsl.update(PlanSummaryResource.TYPE.table()).set(PlanSummaryResource.TIME_ZONE, "America/New_York")
                .where(PlanSummaryResource.ID.in(plans.stream().map(r -> r.value1()).toList())).execute();
        OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).minusDays(DAYS)
                .plusHours(12);
        List<BodyReader.ResourceInput> actions = new ArrayList<>();
        for (var plan : plans) {
            actions.add(action(plan.value1(), "weight", "Measure Weight", start, actions.size(), 1, 3, 5));
            actions.add(action(plan.value1(), "blood_pressure", "Record Blood Pressure", start, actions.size()));
            actions.add(action(plan.value1(), "medication", "Take Lisinopril", start, actions.size()));
        }
        List<String> actionIds = writer.insert(dsl, operator, ActionResource.TYPE, actions, null, false).ids();
        List<BodyReader.ResourceInput> bundles = new ArrayList<>();
        List<BodyReader.ResourceInput> metrics = new ArrayList<>();
        List<BodyReader.ResourceInput> results = new ArrayList<>();
        for (int p = 0; p < plans.size(); p++) {
            String planId = plans.get(p).value1();
            String patientId = plans.get(p).value2();
            ObjectNode bundle = resource("bundle");
            bundle.putObject("attributes").put("type", "heart_health").put("title", "Heart health")
                    .put("effective_from", DocumentWriter.timestamp(start));
            ObjectNode relationships = bundle.putObject("relationships");
            relationships.putObject("plan").set("data", identifier("patient_plan_summary", planId));
            ArrayNode members = relationships.putObject("actions").putArray("data");
            members.add(identifier("action", actionIds.get(3 * p)));
            members.add(identifier("action", actionIds.get(3 * p + 1)));
            bundles.add(input(bundle, BundleResource.TYPE, bundles.size()));
            for (int day = 0; day <= DAYS; day++) {
                OffsetDateTime morning = start.plusDays(day).minusHours(1).plusMinutes(7L * p);
                if (morning.isAfter(OffsetDateTime.now(ZoneOffset.UTC))) {
                    continue;
                }
                int weekday = morning.getDayOfWeek().getValue() % 7;
                if (weekday == 1 || weekday == 3 || weekday == 5) {
                    metrics.add(metric(patientId, "weight", morning, metrics.size(), 180 + p - day * 0.2));
                }
                if ((day + p) % 4 != 0) {
                    metrics.add(metric(patientId, "blood_pressure", morning.plusMinutes(2), metrics.size(),
                            130 - day / 3.0, 85 - day / 5.0));
                }
                ObjectNode result = resource("result");
                result.putObject("attributes").put("occurred_at", DocumentWriter.timestamp(morning.plusMinutes(5)))
                        .put("occurred_at_time_zone", "America/New_York").put("skipped", (day + p) % 6 == 0)
                        .put("channel", "demo").putObject("data").put("value", 1);
                result.putObject("relationships").putObject("action")
                        .set("data", identifier("action", actionIds.get(3 * p + 2)));
                results.add(input(result, ResultResource.TYPE, results.size()));
            }
        }
        writer.insert(dsl, operator, BundleResource.TYPE, bundles, null, false);
        for (int from = 0; from < metrics.size(); from += 1000) {
            writer.insert(dsl, operator, MetricResource.TYPE, metrics.subList(from, Math.min(metrics.size(), from + 1000)),
                    null, false);
        }
        writer.insert(dsl, operator, ResultResource.TYPE, results, null, false);
    }

    private static BodyReader.ResourceInput action(String planId, String type, String title, OffsetDateTime start,
            int index, int... days) {
        ObjectNode data = resource("action");
        ObjectNode attributes = data.putObject("attributes").put("type", type).put("title", title)
                .put("effective_from", DocumentWriter.timestamp(start.minusDays(1)));
        if (days.length > 0) {
            ArrayNode scheduled = attributes.putObject("frequency_goal").putObject("weeks").putArray("days");
            for (int day : days) {
                scheduled.add(day);
            }
        }
        data.putObject("relationships").putObject("plan").set("data", identifier("patient_plan_summary", planId));
        return input(data, ActionResource.TYPE, index);
    }

    private static BodyReader.ResourceInput metric(String patientId, String type, OffsetDateTime at, int index,
            double... values) {
        ObjectNode data = resource("patient_health_metric");
        ObjectNode attributes = data.putObject("attributes").put("type", type)
                .put("occurred_at", DocumentWriter.timestamp(at));
        if (values.length == 2) {
            attributes.put("systolic", Math.round(values[0])).put("diastolic", Math.round(values[1])).put("unit", "mmHg");
        } else {
            attributes.put("value", Math.round(values[0] * 10) / 10.0).put("unit", "lb");
        }
        data.putObject("relationships").putObject("patient").set("data", identifier("patient", patientId));
        return input(data, MetricResource.TYPE, index);
    }

    private static ObjectNode resource(String type) {
        return BodyReader.mapper().createObjectNode().put("type", type);
    }

    private static ObjectNode identifier(String type, String id) {
        return BodyReader.mapper().createObjectNode().put("type", type).put("id", id);
    }

    private static BodyReader.ResourceInput input(ObjectNode data, ResourceType type, int index) {
        return BodyReader.resource(data, "/data/" + index, type, WriteBatch.Mode.CREATE, null);
    }
}
