package dev.openplus.reward;

import java.time.OffsetDateTime;

/** When something may happen to an activation's rewards: from a start, before deactivation and expiry. */
final class RewardWindow {
    private RewardWindow() {
    }

    /** Why {@code at} lies outside the window, or null when it lies inside. */
    static String problem(OffsetDateTime at, OffsetDateTime notBefore, OffsetDateTime deactivatedAt,
            OffsetDateTime expiresAt, String name, String startName) {
        if (at.isBefore(notBefore)) {
            return name + " must not be before " + startName + " (" + notBefore.toInstant() + ")";
        }
        if (deactivatedAt != null && !at.isBefore(deactivatedAt)) {
            return name + " must be before the activation's deactivated_at (" + deactivatedAt.toInstant() + ")";
        }
        if (!at.isBefore(expiresAt)) {
            return name + " must be before the activation's expires_at (" + expiresAt.toInstant() + ")";
        }
        return null;
    }
}
