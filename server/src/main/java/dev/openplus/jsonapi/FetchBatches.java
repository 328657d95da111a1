package dev.openplus.jsonapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * {@code statementsPerKey} slots free, and one of the {@code maxStatements} permits (the connections the
 * statements may hold at once), runs one statement at once on its own thread, for its id and whatever queued
 * before it, and returns. One that finds no slot or no permit only queues its id and returns. What is still queued
 * when a statement ends goes, with that statement's slot and permit, to one of {@code maxStatements} hand-off
 * threads, which runs statements while ids are queued and answers them. An idle server therefore reads every id
 * alone on the request's own thread, and a busy one in groups of up to {@code maxIds}, with one hand-off per busy
 * spell rather than per request, and a request thread never answers more than one statement's requests.
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
    /**
     * Statements a hand-off thread runs in a row for one key while other keys wait for a permit; then that key
     * goes to the back of the line.
     */
    static final int STATEMENTS_PER_TURN = 8;

    private final Reader<K, R> reader;
    private final int maxIds;
    private final int statementsPerKey;
    private final int maxStatements;
    /** One per statement in flight: at most as many as the connections the statements may hold. */
    private final Semaphore permits;
    private final Executor handOff;
    private final Map<K, Lane<K, R>> lanes = new ConcurrentHashMap<>();
    /** Lanes with queued ids that found a free slot but no permit: the next permit given back serves them. */
    private final Queue<Lane<K, R>> waiting = new ConcurrentLinkedQueue<>();
    private final LongAdder statements = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder handOffs = new LongAdder();

    /**
     * @param maxStatements statements in flight at once over every key: no more than the connections they may
     *                      hold, so that none waits in the connection pool for another
     * @param handOff       runs statements for what is still queued when a statement ends; it never gets more
     *                      tasks at once than {@code maxStatements} ({@link #handOffThreads})
     */
    FetchBatches(Reader<K, R> reader, int maxIds, int statementsPerKey, int maxStatements, Executor handOff) {
        if (maxIds < 1 || statementsPerKey < 1 || maxStatements < 1) {
            throw new IllegalArgumentException("a statement reads at least one id, and at least one runs per key");
        }
        this.reader = reader;
        this.maxIds = maxIds;
        this.statementsPerKey = statementsPerKey;
        this.maxStatements = maxStatements;
        this.permits = new Semaphore(maxStatements);
        this.handOff = handOff;
    }

    /**
     * The hand-off threads for {@code maxStatements}: at most that many, named, started when needed and ended
     * after a minute idle. A task is only handed off together with a permit, so no more tasks than threads are
     * ever waiting or running. Its owner shuts it down with the server.
     */
    static ExecutorService handOffThreads(int maxStatements, String name) {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor threads = new ThreadPoolExecutor(maxStatements, maxStatements, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    thread.setUncaughtExceptionHandler((t, e) -> LOG.error("a batched fetch statement failed", e));
                    return thread;
                });
        threads.allowCoreThreadTimeOut(true);
        return threads;
    }

    /**
     * Reads the id under the key's scope and calls {@code answer}, on this thread or on a hand-off thread. This
     * thread runs at most one statement (its own id's, with the ids queued before it) before it returns.
     */
    void submit(K key, String id, Answer<R> answer) {
        Lane<K, R> lane = lanes.get(key);
        if (lane == null) {
            if (lanes.size() >= MAX_LANES) {
                lanes.clear();
            }
            lane = lanes.computeIfAbsent(key, Lane::new);
        }
        lane.queue.add(new Pending<>(id, answer));
        if (acquire(lane)) {
            turn(lane, true);
        }
    }

    /**
     * A slot of the lane and a permit, or neither. Without a slot, one of the lane's running statements sees the
     * queue when it ends; with a slot but no permit, the lane waits for the next permit given back.
     */
    private boolean acquire(Lane<K, R> lane) {
        if (!lane.tryAcquire(statementsPerKey)) {
            return false;
        }
        if (permits.tryAcquire()) {
            return true;
        }
        lane.running.decrementAndGet();
        park(lane);
        // Every permit may have come back between the two looks, with nobody left to serve the lane.
        if (permits.tryAcquire()) {
            releasePermit();
        }
        return false;
    }

    /**
     * Holding a slot of the lane and a permit: runs statements while ids are queued (on a request's thread only
     * the first), then passes both on or gives them back. An {@link Error} fails every fetch still queued for the
     * key, since the statement that would read them is unlikely to fare better, and goes on.
     */
    private void turn(Lane<K, R> lane, boolean requestThread) {
        boolean passedOn = false;
        try {
            int run = 0;
            List<Pending<R>> batch;
            while (!(batch = lane.take(maxIds)).isEmpty()) {
                run(lane.key, batch);
                run++;
                if (requestThread) {
                    break;
                }
                if (run >= STATEMENTS_PER_TURN && !waiting.isEmpty()) {
                    // Other keys wait for a permit: this one goes to the back of the line.
                    lane.running.decrementAndGet();
                    park(lane);
                    passedOn = true;
                    releasePermit();
                    return;
                }
            }
        } catch (Error e) {
            failQueued(lane, new IllegalStateException("a statement reading fetches of the same scope failed", e));
            throw e;
        } finally {
            if (!passedOn) {
                endTurn(lane);
            }
        }
    }

    /** After a turn: what is queued goes to a hand-off thread with the slot and the permit, or both come back. */
    private void endTurn(Lane<K, R> lane) {
        if (lane.queue.isEmpty()) {
            lane.running.decrementAndGet();
            // A request that queued while the slot was still taken is seen here, or finds the slot free itself.
            if (lane.queue.isEmpty() || !lane.tryAcquire(statementsPerKey)) {
                releasePermit();
                return;
            }
        }
        handOff(lane);
    }

    /** Holding a slot of the lane and a permit: a hand-off thread takes the lane over. */
    private void handOff(Lane<K, R> lane) {
        try {
            handOffs.increment();
            handOff.execute(() -> turn(lane, false));
        } catch (RejectedExecutionException e) {
            // The server is stopping: nothing is left to read them.
            failQueued(lane, new IllegalStateException("the server is stopping", e));
            lane.running.decrementAndGet();
            releasePermit();
        }
    }

    /**
     * Gives a permit back, or passes it on to the first waiting lane that still has ids queued and a free slot
     * (a lane whose slots are all taken is seen by its own statements).
     */
    private void releasePermit() {
        while (true) {
            Lane<K, R> next;
            while ((next = waiting.poll()) != null) {
                next.parked.set(false);
                if (!next.queue.isEmpty() && next.tryAcquire(statementsPerKey)) {
                    handOff(next);
                    return;
                }
            }
            permits.release();
            // A lane that waited after the poll but before the release would wait for a permit nobody returns.
            if (waiting.isEmpty() || !permits.tryAcquire()) {
                return;
            }
        }
    }

    private void park(Lane<K, R> lane) {
        if (lane.parked.compareAndSet(false, true)) {
            waiting.add(lane);
        }
    }

    /** Answers every fetch queued for the lane with the failure. */
    private void failQueued(Lane<K, R> lane, RuntimeException failure) {
        List<Pending<R>> batch;
        while (!(batch = lane.take(Integer.MAX_VALUE)).isEmpty()) {
            Error inAnswer = answer(batch, null, failure);
            if (inAnswer != null) {
                LOG.error("answering a failed fetch failed", inAnswer);
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

    /** Times a hand-off thread took over a key's queue. */
    long handOffs() {
        return handOffs.sum();
    }

    /** Statements in flight (or handed off and about to run). */
    int statementsRunning() {
        return maxStatements - permits.availablePermits();
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
        Error inAnswer = answer(batch, rows, failure);
        if (fatal != null) {
            throw fatal;
        }
        if (inAnswer != null) {
            throw inAnswer;
        }
    }

    /** Calls each answer once, whatever the others do; returns the first {@link Error} one threw. */
    private static <R> Error answer(List<Pending<R>> batch, Map<String, R> rows, RuntimeException failure) {
        Error fatal = null;
        for (Pending<R> pending : batch) {
            try {
                pending.answer().accept(failure == null ? rows.get(pending.id()) : null, failure);
            } catch (RuntimeException e) {
                // An answer reports its own errors; one that cannot must not cost the others theirs.
                LOG.error("answering a fetch of {} failed", pending.id(), e);
            } catch (Error e) {
                if (fatal == null) {
                    fatal = e;
                }
            }
        }
        return fatal;
    }

    /** The queue of one key and how many of its statements are running. */
    private static final class Lane<K, R> {
        final K key;
        final Queue<Pending<R>> queue = new ConcurrentLinkedQueue<>();
        final AtomicInteger running = new AtomicInteger();
        /** In {@link #waiting}. */
        final AtomicBoolean parked = new AtomicBoolean();

        Lane(K key) {
            this.key = key;
        }

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
