package dev.openplus.reward;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jooq.Record;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import dev.openplus.jsonapi.WriteBatch;
import dev.openplus.jsonapi.WriteItem;
import dev.openplus.jsonapi.WriteRules;

/**
 * One fulfillment per earning, only once the earning is ready, for at most what was earned and not before
 * it was earned. The earning's row is locked first, so that of two concurrent fulfillments the later one
 * finds the first (409) instead of racing it; the earning's and the reward's copies follow in the same
 * transaction.
 */
final class RewardEarningFulfillmentRules implements WriteRules {
    private static final String EARNING_POINTER = "/relationships/reward_earning/data/id";

    @Override
    public void beforeWrite(WriteBatch batch) {
        TreeSet<String> earningIds = new TreeSet<>();
        batch.items().forEach(item -> earningIds.add(item.linkedId(RewardEarningFulfillmentResource.EARNING)));
        Map<String, Record> earnings = new HashMap<>();
        batch.dsl().select(RewardEarningResource.ID, RewardEarningResource.PATIENT_ID, RewardEarningResource.EARNED_VALUE,
                        RewardEarningResource.EARNED_UNIT, RewardEarningResource.EARNED_AT,
                        RewardEarningResource.READY_FOR_FULFILLMENT, RewardEarningResource.FULFILLED_AT)
                .from(RewardEarningResource.TYPE.table()).where(RewardEarningResource.ID.in(earningIds))
                .orderBy(RewardEarningResource.ID).forUpdate()
                .forEach(earning -> earnings.put(earning.get(RewardEarningResource.ID), earning));
        Set<String> fulfilled = new HashSet<>();
        earnings.forEach((id, earning) -> {
            if (earning.get(RewardEarningResource.FULFILLED_AT) != null) {
                fulfilled.add(id);
            }
        });
        for (WriteItem item : batch.items()) {
            Record earning = earnings.get(item.linkedId(RewardEarningFulfillmentResource.EARNING));
            if (!fulfilled.add(earning.get(RewardEarningResource.ID))) {
                item.problem(EARNING_POINTER, "the reward earning is already fulfilled");
            } else if (!earning.get(RewardEarningResource.READY_FOR_FULFILLMENT)) {
                item.problem(EARNING_POINTER, "the reward earning is not ready for fulfillment: its program does not"
                        + " fulfill as earned and its activation is not deactivated");
            }
            BigDecimal earnedValue = earning.get(RewardEarningResource.EARNED_VALUE);
            if (((BigDecimal) item.value("fulfilled_value")).compareTo(earnedValue) > 0) {
                item.problem("/attributes/fulfilled_value",
                        "fulfilled_value must not exceed the earning's earned_value of " + earnedValue.toPlainString());
            }
            OffsetDateTime earnedAt = earning.get(RewardEarningResource.EARNED_AT);
            if (((OffsetDateTime) item.value("fulfilled_at")).isBefore(earnedAt)) {
                item.problem("/attributes/fulfilled_at", "fulfilled_at must not be before the earning's earned_at ("
                        + earnedAt.toInstant() + ")");
            }
            item.set(RewardEarningFulfillmentResource.PATIENT_ID, earning.get(RewardEarningResource.PATIENT_ID));
            item.set(RewardEarningFulfillmentResource.FULFILLED_UNIT, earning.get(RewardEarningResource.EARNED_UNIT));
        }
    }

    /** The earnings' and rewards' fulfilled copies: two statements whatever the batch. */
    @Override
    public void afterWrite(WriteBatch batch) {
        List<String> ids = batch.written().stream().map(WriteItem::id).toList();
        if (ids.isEmpty()) {
            return;
        }
        var written = DSL.val(ids.toArray(String[]::new), SQLDataType.CHAR(24).array());
        batch.dsl().execute("""
                update reward_earning e
                   set fulfilled_value = f.fulfilled_value, fulfilled_at = f.fulfilled_at, updated_at = now()
                  from reward_earning_fulfillment f
                 where f.earning_id = e.id and f.id = any({0})""", written);
        batch.dsl().execute("""
                update reward r
                   set fulfilled_value = f.fulfilled_value, fulfilled_at = f.fulfilled_at, updated_at = now()
                  from reward_earning_fulfillment f join reward_earning e on e.id = f.earning_id
                 where e.reward_id = r.id and f.id = any({0})""", written);
    }
}
