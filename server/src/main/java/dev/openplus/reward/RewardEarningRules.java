package dev.openplus.reward;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import dev.openplus.jsonapi.WriteBatch;
import dev.openplus.jsonapi.WriteItem;
import dev.openplus.jsonapi.WriteRules;

/**
 * One earning per reward, within the reward's activation window, never above the allocated value. The
 * affected activations and then the rewards are locked in id order (the order every reward write takes
 * them in, so that concurrent requests cannot deadlock); a reward that already carries an earning, or
 * appears twice in the request, is refused with 409 at its identifier. The rewards' copies and the
 * activations' totals are updated from the inserted rows in the same transaction.
 */
final class RewardEarningRules implements WriteRules {
    private static final String REWARD_POINTER = "/relationships/reward/data/id";

    @Override
    public void beforeWrite(WriteBatch batch) {
        DSLContext dsl = batch.dsl();
        TreeSet<String> rewardIds = new TreeSet<>();
        batch.items().forEach(item -> rewardIds.add(item.linkedId(RewardEarningResource.REWARD)));
        TreeSet<String> activationIds = new TreeSet<>(dsl.selectDistinct(RewardResource.ACTIVATION_ID)
                .from(RewardResource.TYPE.table()).where(RewardResource.ID.in(rewardIds)).fetch(RewardResource.ACTIVATION_ID));
        Map<String, Record> activations = new HashMap<>();
        dsl.select(RewardProgramActivationResource.ID, RewardProgramActivationResource.DEACTIVATED_AT,
                        RewardProgramActivationResource.EXPIRES_AT, RewardProgramActivationResource.FULFILL_AS_EARNED)
                .from(RewardProgramActivationResource.TABLE).where(RewardProgramActivationResource.ID.in(activationIds))
                .orderBy(RewardProgramActivationResource.ID).forUpdate()
                .forEach(activation -> activations.put(activation.get(RewardProgramActivationResource.ID), activation));
        Map<String, Record> rewards = new HashMap<>();
        dsl.select(RewardResource.ID, RewardResource.ACTIVATION_ID, RewardResource.PATIENT_ID, RewardResource.GROUP_ID,
                        RewardResource.ALLOCATED_VALUE, RewardResource.ALLOCATED_UNIT, RewardResource.ALLOCATED_AT,
                        RewardResource.EARNED_AT)
                .from(RewardResource.TYPE.table()).where(RewardResource.ID.in(rewardIds))
                .orderBy(RewardResource.ID).forUpdate()
                .forEach(reward -> rewards.put(reward.get(RewardResource.ID), reward));
        Set<String> earned = new HashSet<>();
        rewards.forEach((id, reward) -> {
            if (reward.get(RewardResource.EARNED_AT) != null) {
                earned.add(id);
            }
        });
        for (WriteItem item : batch.items()) {
            Record reward = rewards.get(item.linkedId(RewardEarningResource.REWARD));
            Record activation = activations.get(reward.get(RewardResource.ACTIVATION_ID));
            if (!earned.add(reward.get(RewardResource.ID))) {
                item.problem(REWARD_POINTER, "the reward already has an earning");
            }
            BigDecimal value = (BigDecimal) item.value("earned_value");
            if (value.compareTo(reward.get(RewardResource.ALLOCATED_VALUE)) > 0) {
                item.problem("/attributes/earned_value", "earned_value must not exceed the reward's allocated_value of "
                        + reward.get(RewardResource.ALLOCATED_VALUE).toPlainString());
            }
            OffsetDateTime deactivatedAt = activation.get(RewardProgramActivationResource.DEACTIVATED_AT);
            String window = RewardWindow.problem((OffsetDateTime) item.value("earned_at"),
                    reward.get(RewardResource.ALLOCATED_AT), deactivatedAt,
                    activation.get(RewardProgramActivationResource.EXPIRES_AT), "earned_at", "the reward's allocated_at");
            if (window != null) {
                item.problem("/attributes/earned_at", window);
            }
            item.set(RewardEarningResource.ACTIVATION_ID, reward.get(RewardResource.ACTIVATION_ID));
            item.set(RewardEarningResource.PATIENT_ID, reward.get(RewardResource.PATIENT_ID));
            item.set(RewardEarningResource.GROUP_ID, reward.get(RewardResource.GROUP_ID));
            item.set(RewardEarningResource.EARNED_UNIT, reward.get(RewardResource.ALLOCATED_UNIT));
            item.set(RewardEarningResource.READY_FOR_FULFILLMENT,
                    activation.get(RewardProgramActivationResource.FULFILL_AS_EARNED) || deactivatedAt != null);
        }
    }

    /** The rewards' earned copies and the activations' totals: two statements whatever the batch. */
    @Override
    public void afterWrite(WriteBatch batch) {
        List<String> ids = batch.written().stream().map(WriteItem::id).toList();
        if (ids.isEmpty()) {
            return;
        }
        var written = DSL.val(ids.toArray(String[]::new), SQLDataType.CHAR(24).array());
        batch.dsl().execute("""
                update reward r
                   set earned_value = e.earned_value, earned_at = e.earned_at, updated_at = now()
                  from reward_earning e
                 where e.reward_id = r.id and e.id = any({0})""", written);
        batch.dsl().execute("""
                update reward_program_activation a
                   set earned_count = a.earned_count + s.n,
                       total_earned_value = a.total_earned_value + s.v,
                       updated_at = now()
                  from (select activation_id, count(*) as n, sum(earned_value) as v
                          from reward_earning where id = any({0}) group by activation_id) s
                 where a.id = s.activation_id""", written);
    }
}
