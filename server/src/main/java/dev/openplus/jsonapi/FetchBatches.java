package dev.openplus.jsonapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads by id that arrive together for the same key (a resource type under one tenant scope) are answered by one
 * statement for all their ids instead of one statement each. PostgreSQL spends most of a one-row fetch on the
 * statement rather than the row (bench/README.md, "Batched fetches").
 *
 * <p>No request waits for company, and none waits on a thread of its own. A request that finds one of the key's
 * {@code statementsPerKey} slots free runs a statement at once, for its id and whatever queued behind it, and
 * keeps running statements while ids are queued (for a few statements: then another thread takes over); one that
 * finds every slot taken only queues its id and returns: a running statement's thread takes it next and calls its
 * answer. An idle server therefore reads every id
 * alone, and a busy one in groups of up to {@code maxIds}, with no thread hand-off per request.
 *
 * <p>Each statement starts after every request it answers arrived, so a request sees at least what was
 * committed before it came, as an unbatched read would.
 */
final class FetchBatches<K, R> {
    private static final Logger LOG = LoggerFactory.getLogger(FetchBatches.class);

    /** Reads the rows of these distinct ids under the key's scope: id → row, absent when no row is visible. */
    @FunctionalInterface
    interface Reader<K, R> {
        Map<String, R> read(K key, List<String> ids);
    }

    /** What a request does with its row (null: none visible) or with the failure of the statement that read it. */
    @FunctionalInterface
    interface Answer<R> {
        void accept(R row, RuntimeException failure);
    }

    /** Keys whose lanes are kept; past it the map starts afresh (a lane still in use drains its own queue). */
    private static final int MAX_LANES = 4096;
    /** Statements one request's thread runs in a row before it hands the queue on. */
    static final int STATEMENTS_PER_TURN = 8;

    private final Reader<K, R> reader;
    private final int maxIds;
    private final int statementsPerKey;
    private final Executor overflow;
    private final Map<K, Lane<R>> lanes = new ConcurrentHashMap<>();
    private final LongAdder statements = new LongAdder();
    private final LongAdder requests = new LongAdder();

    /** @param overflow runs the statements for what is still queued when a thread has had its turn */
    FetchBatches(Reader<K, R> reader, int maxIds, int statementsPerKey, Executor overflow) {
        if (maxIds < 1 || statementsPerKey < 1) {
            throw new IllegalArgumentException("a statement reads at least one id, and at least one runs per key");
        }
        this.reader = reader;
        this.maxIds = maxIds;
        this.statementsPerKey = statementsPerKey;
        this.overflow = overflow;
    }

    /**
     * Reads the id under the key's scope and calls {@code answer}, on this thread or on the thread of a statement
     * that another request started. This thread may answer other requests' ids too before it returns.
     */
    void submit(K key, String id, Answer<R> answer) {
        Lane<R> lane = lanes.get(key);
        if (lane == null) {
            if (lanes.size() >= MAX_LANES) {
                lanes.clear();
            }
            lane = lanes.computeIfAbsent(key, k -> new Lane<>());
        }
        lane.queue.add(new Pending<>(id, answer));
        drain(key, lane);
    }

    /**
     * Runs statements while ids are queued and one of the key's slots is free. A request that queued while every
     * slot was taken is seen by one of those statements' threads: each looks at the queue again after giving its
     * slot back. After {@link #STATEMENTS_PER_TURN} statements a thread hands what is still queued to
     * {@code overflow} and returns, since the request it came with is not complete until it does.
     */
    private void drain(K key, Lane<R> lane) {
        while (lane.tryAcquire(statementsPerKey)) {
            int run = 0;
            try {
                List<Pending<R>> batch;
                while (run < STATEMENTS_PER_TURN && !(batch = lane.take(maxIds)).isEmpty()) {
                    run(key, batch);
                    run++;
                }
            } finally {
                lane.running.decrementAndGet();
            }
            if (lane.queue.isEmpty()) {
                return;
            }
            if (run == STATEMENTS_PER_TURN) {
                overflow.execute(() -> drain(key, lane));
                return;
            }
        }
    }

    /** Statements run so far. */
    long statements() {
        return statements.sum();
    }

    /** Requests answered so far; over {@link #statements()}, the mean batch. */
    long requests() {
        return requests.sum();
    }

    private void run(K key, List<Pending<R>> batch) {
        statements.increment();
        requests.add(batch.size());
        List<String> ids = new ArrayList<>(batch.size());
        for (Pending<R> pending : batch) {
            if (!ids.contains(pending.id())) {
                ids.add(pending.id());
            }
        }
        Map<String, R> rows = null;
        RuntimeException failure = null;
        Error fatal = null;
        try {
            rows = reader.read(key, ids);
        } catch (RuntimeException e) {
            failure = e;
        } catch (Error e) {
            // The waiting requests still get their answer (a 500) before the error goes on.
            fatal = e;
            failure = new IllegalStateException("the statement reading the ids failed", e);
        }
        for (Pending<R> pending : batch) {
            try {
                pending.answer().accept(failure == null ? rows.get(pending.id()) : null, failure);
            } catch (RuntimeException e) {
                // An answer reports its own errors; one that cannot must not cost the others theirs.
                LOG.error("answering a fetch of {} failed", pending.id(), e);
            }
        }
        if (fatal != null) {
            throw fatal;
        }
    }

    /** The queue of one key and how many of its statements are running. */
    private static final class Lane<R> {
        final Queue<Pending<R>> queue = new ConcurrentLinkedQueue<>();
        final AtomicInteger running = new AtomicInteger();

        boolean tryAcquire(int limit) {
            for (int now = running.get(); now < limit; now = running.get()) {
                if (running.compareAndSet(now, now + 1)) {
                    return true;
                }
            }
            return false;
        }

        /** The oldest queued requests, at most {@code max}. */
        List<Pending<R>> take(int max) {
            List<Pending<R>> batch = new ArrayList<>(Math.min(max, 16));
            Pending<R> next;
            while (batch.size() < max && (next = queue.poll()) != null) {
                batch.add(next);
            }
            return batch;
        }
    }

    private record Pending<R>(String id, Answer<R> answer) {
    }
}
