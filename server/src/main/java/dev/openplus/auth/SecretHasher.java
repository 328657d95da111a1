package dev.openplus.auth;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.openplus.jsonapi.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Verifies client secrets (PBKDF2, deliberately slow) on a few threads of its own with a bounded queue, so that
 * hashing cannot take every core or every request thread (DESIGN §5a). When the queue is full the request is
 * refused at once with 429 {@code TooManyRequests} and {@code Retry-After: 1}: the queue fills only with token
 * requests that need a hash, so "too many requests" is what happened, and a 503 would tell load balancers and
 * monitors that the whole server is unavailable (docs/decisions.md).
 *
 * <p>Metrics: {@code openplus_secret_hashes_total} (hashes computed), {@code openplus_secret_hash_rejected_total}
 * (refused with a full queue) and {@code openplus_secret_hash_queue} (waiting now).
 */
final class SecretHasher implements AutoCloseable {
    private final ThreadPoolExecutor executor;
    private final Counter hashes;
    private final Counter rejected;

    SecretHasher(int threads, int queue, MeterRegistry registry) {
        AtomicInteger number = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
                task -> {
                    Thread thread = new Thread(task, "openplus-secret-hash-" + number.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.AbortPolicy());
        this.hashes = Counter.builder("openplus_secret_hashes")
                .description("Client secrets hashed to verify a token request (unknown clients included)")
                .register(registry);
        this.rejected = Counter.builder("openplus_secret_hash_rejected")
                .description("Token requests refused with 429 because the hashing queue was full")
                .register(registry);
        Gauge.builder("openplus_secret_hash_queue", executor, e -> e.getQueue().size())
                .description("Token requests waiting for a secret hash").register(registry);
    }

    /** Whether {@code secret} matches {@code storedHash}, computed on the hashing threads; 429 when they are full. */
    boolean verify(String secret, String storedHash) {
        Future<Boolean> result;
        try {
            result = executor.submit(() -> {
                hashes.increment();
                return Secrets.verifySecret(secret, storedHash);
            });
        } catch (RejectedExecutionException e) {
            rejected.increment();
            throw ApiException.tooManyRequests("the server is busy verifying other token requests; retry shortly", 1);
        }
        try {
            return result.get();
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while verifying a client secret", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not verify a client secret", e.getCause());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
