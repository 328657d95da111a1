package dev.openplus.metric;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.jooq.Record4;

import dev.openplus.jsonapi.WriteBatch;
import dev.openplus.jsonapi.WriteItem;
import dev.openplus.jsonapi.WriteRules;
import dev.openplus.plan.ActionResource;
import dev.openplus.plan.MetricTypes;

/**
 * POST /pub/result records a lifestyle action's result: the patient, type and thread come from the action
 * (which the engine has checked is in the caller's scope). Results of tracking actions come from metrics.
 */
final class ResultRules implements WriteRules {
    @Override
    public void beforeWrite(WriteBatch batch) {
        Set<String> ids = new HashSet<>();
        batch.items().forEach(item -> ids.add(item.linkedId(ResultResource.ACTION)));
        ids.remove(null);
        Map<String, Record4<String, String, String, String>> actions = new HashMap<>();
        if (!ids.isEmpty()) {
            batch.dsl().select(ActionResource.ID, ActionResource.PATIENT_ID, ActionResource.ACTION_TYPE,
                    ActionResource.THREAD).from(ActionResource.TYPE.table()).where(ActionResource.ID.in(ids))
                    .fetch().forEach(row -> actions.put(row.value1(), row));
        }
        for (WriteItem item : batch.items()) {
            Record4<String, String, String, String> action = actions.get(item.linkedId(ResultResource.ACTION));
            if (action == null) {
                continue;
            }
            if (MetricTypes.isMetric(action.value3())) {
                item.problem("/relationships/action/data/id",
                        "this action tracks a metric type: its results come from POST /pub/patient_health_metric");
                continue;
            }
            item.set(ResultResource.PATIENT_ID, action.value2());
            item.set(ResultResource.RESULT_TYPE, action.value3());
            item.set(ResultResource.THREAD, action.value4());
        }
    }
}
