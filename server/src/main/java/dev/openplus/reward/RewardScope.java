package dev.openplus.reward;

import org.jooq.Condition;
import org.jooq.Field;


/**
 * Small helpers of the reward descriptions. Their tenant rule is the one of all patient data,
 * {@link dev.openplus.membership.PatientMembership#visible}.
 */
final class RewardScope {
    private RewardScope() {
    }

    /** {@code column = any(ids)} for a filter's id list. */
    @SuppressWarnings("unchecked")
    static Condition in(Field<String> column, Object ids) {
        return column.in((java.util.List<String>) ids);
    }
}
