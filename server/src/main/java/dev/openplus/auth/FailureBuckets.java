package dev.openplus.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One token bucket of failures per key (a client id, a source address). A bucket holds {@code burst} failures
 * and regains {@code perMinute} of them a minute; a key whose bucket is empty is refused until it has regained
 * one. Only failures take from a bucket, so a caller that keeps succeeding is never slowed down.
 *
 * <p>The map is bounded: at {@code maxKeys} keys, the buckets that have refilled completely (they remember
 * nothing) are dropped, and if that is not enough, all of them. Forgetting lets failures through again; an
 * attacker who can present that many distinct keys is still bounded by the other limit (client id or address)
 * and by the hashing executor.
 */
final class FailureBuckets {
    private static final long NANOS_PER_MINUTE = 60_000_000_000L;

    private final int burst;
    private final double perNano;
    private final int maxKeys;
    private final LongSupplier clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double available;
        long updatedNanos;

        Bucket(double available, long updatedNanos) {
            this.available = available;
            this.updatedNanos = updatedNanos;
        }
    }

    FailureBuckets(int burst, int perMinute, int maxKeys, LongSupplier clock) {
        this.burst = burst;
        this.perNano = perMinute / (double) NANOS_PER_MINUTE;
        this.maxKeys = maxKeys;
        this.clock = clock;
    }

    /** 0 when {@code key} may try; otherwise the whole seconds until its bucket holds a failure again. */
    long retryAfterSeconds(String key) {
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            return 0;
        }
        synchronized (bucket) {
            refill(bucket, clock.getAsLong());
            if (bucket.available >= 1) {
                return 0;
            }
            double nanos = (1 - bucket.available) / perNano;
            return Math.max(1, (long) Math.ceil(nanos / 1_000_000_000.0));
        }
    }

    /** Takes one failure from {@code key}'s bucket. */
    void fail(String key) {
        long now = clock.getAsLong();
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            if (buckets.size() >= maxKeys) {
                shrink(now);
            }
            bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
        }
        synchronized (bucket) {
            refill(bucket, now);
            bucket.available = Math.max(0, bucket.available - 1);
        }
    }

    int size() {
        return buckets.size();
    }

    private void refill(Bucket bucket, long now) {
        long elapsed = now - bucket.updatedNanos;
        if (elapsed > 0) {
            bucket.available = Math.min(burst, bucket.available + elapsed * perNano);
            bucket.updatedNanos = now;
        }
    }

    private void shrink(long now) {
        buckets.values().removeIf(bucket -> {
            synchronized (bucket) {
                refill(bucket, now);
                return bucket.available >= burst;
            }
        });
        if (buckets.size() >= maxKeys) {
            buckets.clear();
        }
    }
}
