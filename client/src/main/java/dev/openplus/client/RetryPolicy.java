package dev.openplus.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When and how long to wait before sending an idempotent request ({@code GET}, {@code HEAD}, {@code PUT},
 * {@code DELETE}) again: after a 429 (waiting at least its {@code Retry-After}), a 502, 503 or 504, or a connection
 * failure, with exponential back-off and full jitter. {@code POST} and {@code PATCH} are never sent twice: whether
 * a failed write took effect is not known.
 *
 * @param maxRetries    how many times a request may be sent again (0: never)
 * @param initialDelay  the back-off ceiling of the first retry
 * @param maxDelay      the back-off ceiling of any retry
 * @param maxRetryAfter a {@code Retry-After} longer than this is not waited for: the failure is thrown
 */
public record RetryPolicy(int maxRetries, Duration initialDelay, Duration maxDelay, Duration maxRetryAfter) {
    /** Three retries, 200 ms doubling up to 5 s, a {@code Retry-After} up to 60 s honoured. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofMillis(200), Duration.ofSeconds(5),
            Duration.ofSeconds(60));

    /** Never retry. */
    public static final RetryPolicy NONE = new RetryPolicy(0, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    /**
     * Checks the values.
     *
     * @param maxRetries    how many times a request may be sent again
     * @param initialDelay  the first back-off ceiling
     * @param maxDelay      the largest back-off ceiling
     * @param maxRetryAfter the longest {@code Retry-After} waited for
     */
    public RetryPolicy {
        if (maxRetries < 0 || initialDelay.isNegative() || maxDelay.isNegative() || maxRetryAfter.isNegative()) {
            throw new IllegalArgumentException("retry counts and delays cannot be negative");
        }
    }

    /**
     * How long to wait before retry number {@code attempt} (1 for the first): a random duration up to the
     * exponential ceiling, and at least the server's {@code Retry-After}.
     *
     * @param attempt    the retry's number, from 1
     * @param retryAfter the server's {@code Retry-After}, or null
     * @return the wait
     */
    public Duration delay(int attempt, Duration retryAfter) {
        long ceiling = initialDelay.toMillis() << Math.min(attempt - 1, 20);
        ceiling = Math.min(Math.max(ceiling, 0), maxDelay.toMillis());
        long jitter = ceiling == 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
        long floor = retryAfter == null ? 0 : retryAfter.toMillis();
        return Duration.ofMillis(Math.max(floor, jitter));
    }
}
