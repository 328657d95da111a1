package dev.openplus.reward;

import static dev.openplus.reward.RewardProgramActivationResource.TABLE;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.jooq.Record;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import dev.openplus.jsonapi.WriteBatch;
import dev.openplus.jsonapi.WriteItem;
import dev.openplus.jsonapi.WriteRules;

/**
 * The budget rule: each activation a request allocates from is locked ({@code SELECT … FOR UPDATE}, in id
 * order) before its remaining budget is compared with the new rewards, and its running totals are updated
 * from the inserted rows in the same transaction. Concurrent creations against one activation therefore
 * serialize, and the totals always equal the sums over its rewards.
 */
final class RewardRules implements WriteRules {
    @Override
    public void beforeWrite(WriteBatch batch) {
        TreeSet<String> activationIds = new TreeSet<>();
        batch.items().forEach(item -> activationIds.add(item.linkedId(RewardResource.ACTIVATION)));
        Map<String, Record> activations = new HashMap<>();
        batch.dsl().select(RewardProgramActivationResource.ID, RewardProgramActivationResource.PATIENT_ID,
                        RewardProgramActivationResource.GROUP_ID, RewardProgramActivationResource.ACTIVATED_AT,
                        RewardProgramActivationResource.DEACTIVATED_AT, RewardProgramActivationResource.EXPIRES_AT,
                        RewardProgramActivationResource.BUDGET_UNIT, RewardProgramActivationResource.BUDGET_VALUE,
                        RewardProgramActivationResource.TOTAL_ALLOCATED_VALUE)
                .from(TABLE).where(RewardProgramActivationResource.ID.in(activationIds))
                .orderBy(RewardProgramActivationResource.ID).forUpdate()
                .forEach(activation -> activations.put(activation.get(RewardProgramActivationResource.ID), activation));
        Map<String, BigDecimal> remaining = new HashMap<>();
        activations.forEach((id, activation) -> remaining.put(id, activation
                .get(RewardProgramActivationResource.BUDGET_VALUE)
                .subtract(activation.get(RewardProgramActivationResource.TOTAL_ALLOCATED_VALUE))));
        for (WriteItem item : batch.items()) {
            String activationId = item.linkedId(RewardResource.ACTIVATION);
            Record activation = activations.get(activationId);
            OffsetDateTime allocatedAt = (OffsetDateTime) item.value("allocated_at");
            String window = RewardWindow.problem(allocatedAt, activation.get(RewardProgramActivationResource.ACTIVATED_AT),
                    activation.get(RewardProgramActivationResource.DEACTIVATED_AT),
                    activation.get(RewardProgramActivationResource.EXPIRES_AT), "allocated_at", "the activation's activated_at");
            if (window != null) {
                item.problem("/attributes/allocated_at", window);
            }
            if (item.value("target_at") instanceof OffsetDateTime targetAt && targetAt.isBefore(allocatedAt)) {
                item.problem("/attributes/target_at", "target_at must not be before allocated_at");
            }
            BigDecimal value = (BigDecimal) item.value("allocated_value");
            BigDecimal left = remaining.get(activationId);
            if (value.compareTo(left) > 0) {
                item.problem("/attributes/allocated_value",
                        "allocated_value exceeds the activation's remaining budget of " + left.toPlainString());
            } else {
                remaining.put(activationId, left.subtract(value));
            }
            item.set(RewardResource.PATIENT_ID, activation.get(RewardProgramActivationResource.PATIENT_ID));
            item.set(RewardResource.GROUP_ID, activation.get(RewardProgramActivationResource.GROUP_ID));
            item.set(RewardResource.ALLOCATED_UNIT, activation.get(RewardProgramActivationResource.BUDGET_UNIT));
        }
    }

    /** The activations' totals, from the rows just inserted: one statement whatever the batch. */
    @Override
    public void afterWrite(WriteBatch batch) {
        List<String> ids = batch.written().stream().map(WriteItem::id).toList();
        if (ids.isEmpty()) {
            return;
        }
        batch.dsl().execute("""
                update reward_program_activation a
                   set allocated_count = a.allocated_count + s.n,
                       total_allocated_value = a.total_allocated_value + s.v,
                       updated_at = now()
                  from (select activation_id, count(*) as n, sum(allocated_value) as v
                          from reward where id = any({0}) group by activation_id) s
                 where a.id = s.activation_id""", DSL.val(ids.toArray(String[]::new), SQLDataType.CHAR(24).array()));
    }
}
