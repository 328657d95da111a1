package dev.openplus.plan;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record3;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.db.Ids;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.WriteBatch;
import dev.openplus.jsonapi.WriteItem;
import dev.openplus.jsonapi.WriteRules;

/**
 * What actions and bundles add to the generic write path: they stay in their plan, take their patient from
 * it, end no earlier than they start, and link only to bundles / actions of the same plan. Two statements per
 * request whatever the batch (the plans, the other side's plans).
 */
final class PlanRules {
    private PlanRules() {
    }

    /** A plan as the rules need it. */
    record Plan(String id, String patientId, String timeZone) {
    }

    static final class ActionRules implements WriteRules {
        @Override
        public void beforeWrite(WriteBatch batch) {
            Map<String, Plan> plans = plans(batch, ActionResource.PLAN);
            Map<String, String> bundlePlans = planOf(batch.dsl(), batch, ActionResource.BUNDLES,
                    BundleResource.TYPE.table(), BundleResource.ID, BundleResource.PLAN_ID);
            for (WriteItem item : batch.items()) {
                Plan plan = plans.get(item.linkedId(ActionResource.PLAN));
                if (!stayInPlan(item, ActionResource.PLAN) || plan == null) {
                    continue;
                }
                effectiveRange(item);
                samePlan(item, ActionResource.BUNDLES, bundlePlans, plan.id(), "bundle");
                if (item.isCreate()) {
                    item.set(ActionResource.PATIENT_ID, plan.patientId());
                    item.set(ActionResource.STATIC_TITLE, item.value("title"));
                    if (item.value("_thread") == null) {
                        String type = (String) item.value("type");
                        item.set(ActionResource.THREAD, MetricTypes.isMetric(type) ? type : Ids.newId());
                    }
                }
                if (item.isCreate() || item.has("frequency_goal") || item.has("effective_from")) {
                    item.set(ActionResource.PRORATED, prorated(item, plan));
                }
            }
        }
    }

    static final class BundleRules implements WriteRules {
        @Override
        public void beforeWrite(WriteBatch batch) {
            Map<String, Plan> plans = plans(batch, BundleResource.PLAN);
            Map<String, String> actionPlans = planOf(batch.dsl(), batch, BundleResource.ACTIONS,
                    ActionResource.TYPE.table(), ActionResource.ID, ActionResource.PLAN_ID);
            for (WriteItem item : batch.items()) {
                Plan plan = plans.get(item.linkedId(BundleResource.PLAN));
                if (!stayInPlan(item, BundleResource.PLAN) || plan == null) {
                    continue;
                }
                effectiveRange(item);
                samePlan(item, BundleResource.ACTIONS, actionPlans, plan.id(), "action");
                if (item.isCreate()) {
                    item.set(BundleResource.PATIENT_ID, plan.patientId());
                }
            }
        }
    }

    /** The plans the batch's items belong to (the engine has checked that each is in the caller's scope). */
    private static Map<String, Plan> plans(WriteBatch batch, Relationship plan) {
        Set<String> ids = new HashSet<>();
        batch.items().forEach(item -> {
            if (item.linkedId(plan) != null) {
                ids.add(item.linkedId(plan));
            }
        });
        Map<String, Plan> plans = new HashMap<>();
        if (ids.isEmpty()) {
            return plans;
        }
        for (Record3<String, String, String> row : batch.dsl()
                .select(PlanSummaryResource.ID, PlanSummaryResource.PATIENT_ID, PlanSummaryResource.TIME_ZONE)
                .from(PlanSummaryResource.TYPE.table()).where(PlanSummaryResource.ID.in(ids)).fetch()) {
            plans.put(row.value1(), new Plan(row.value1(), row.value2(), row.value3()));
        }
        return plans;
    }

    /** A PATCH may repeat the plan, not change it. */
    private static boolean stayInPlan(WriteItem item, Relationship plan) {
        if (!item.isCreate() && item.input().links().containsKey(plan)
                && !item.input().links().get(plan).equals(List.of(item.storedLink(plan.name())))) {
            item.problem("/relationships/plan/data", "it stays in the plan it was created in");
            return false;
        }
        return true;
    }

    private static void effectiveRange(WriteItem item) {
        OffsetDateTime from = (OffsetDateTime) item.value("effective_from");
        OffsetDateTime to = (OffsetDateTime) item.value("effective_to");
        if (from != null && to != null && to.isBefore(from)) {
            item.problem("/attributes/effective_to", "effective_to must not be before effective_from");
        }
    }

    /** The plan of each related resource the batch links to (one statement). */
    private static Map<String, String> planOf(DSLContext dsl, WriteBatch batch, Relationship relationship,
            org.jooq.Table<?> table, Field<String> id, Field<String> planId) {
        Set<String> ids = new LinkedHashSet<>();
        batch.items().forEach(item -> ids.addAll(item.input().links().getOrDefault(relationship, List.of())));
        Map<String, String> plans = new HashMap<>();
        if (!ids.isEmpty()) {
            dsl.select(id, planId).from(table).where(id.in(ids)).fetch().forEach(r -> plans.put(r.value1(), r.value2()));
        }
        return plans;
    }

    private static void samePlan(WriteItem item, Relationship relationship, Map<String, String> plans, String planId,
            String what) {
        List<String> given = item.input().links().getOrDefault(relationship, List.of());
        for (int i = 0; i < given.size(); i++) {
            if (!planId.equals(plans.get(given.get(i)))) {
                item.problem(item.input().relationshipPointer(relationship).substring(item.pointer().length())
                        + "/data/" + i + "/id", "the " + what + " must belong to the same plan");
            }
        }
    }

    /**
     * The weekly goal prorated for the first week: the scheduled days (every day when none or [] are given) from the
     * local day of effective_from, in the plan's time zone, through that week's Saturday.
     */
    static int prorated(WriteItem item, Plan plan) {
        OffsetDateTime from = (OffsetDateTime) item.value("effective_from");
        if (from == null) {
            return 0;
        }
        int firstDay = from.atZoneSameInstant(ZoneId.of(plan.timeZone())).getDayOfWeek().getValue() % 7;
        List<Integer> days = new ArrayList<>();
        JsonNode goal = item.json("frequency_goal");
        JsonNode given = goal == null ? null : goal.path("weeks").path("days");
        if (given != null && given.isArray() && !given.isEmpty()) {
            given.forEach(day -> days.add(day.asInt()));
        } else {
            for (int day = 0; day < 7; day++) {
                days.add(day);
            }
        }
        return (int) days.stream().filter(day -> day >= firstDay).count();
    }
}
