package dev.openplus.jsonapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * The batching of fetches by id, with a reader that records its statements and can be held inside one, so that
 * which requests share a statement is decided by the test rather than by timing.
 */
@Tag("fast")
class FetchBatchesTest {
    private final ExecutorService threads = Executors.newCachedThreadPool();
    /** What ended a hand-off thread (an {@link Error} goes on after the fetches are answered). */
    private final List<Throwable> uncaught = Collections.synchronizedList(new ArrayList<>());
    private final ExecutorService overflow = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "overflow");
        thread.setUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        return thread;
    });

    @AfterEach
    void stop() {
        threads.shutdownNow();
        overflow.shutdownNow();
    }

    /** Answers "key:id" for every id but those starting with "missing"; holds its first statement when asked. */
    private static final class RecordingReader implements FetchBatches.Reader<String, String> {
        final List<List<String>> statements = Collections.synchronizedList(new ArrayList<>());
        final List<String> threadsOfStatements = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch inFirstStatement = new CountDownLatch(1);
        volatile CountDownLatch hold;
        volatile RuntimeException failOn;
        /** Thrown by a statement that reads the id "fatal". */
        volatile Error fatalOn;
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger mostInFlight = new AtomicInteger();

        @Override
        public Map<String, String> read(String key, List<String> ids) {
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                return readNow(key, ids);
            } finally {
                inFlight.decrementAndGet();
            }
        }

        private Map<String, String> readNow(String key, List<String> ids) {
            statements.add(List.copyOf(ids));
            threadsOfStatements.add(Thread.currentThread().getName());
            CountDownLatch held = hold;
            hold = null;
            inFirstStatement.countDown();
            if (held != null) {
                try {
                    if (!held.await(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test never released the statement");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            if (failOn != null && ids.contains("fail")) {
                throw failOn;
            }
            if (fatalOn != null && ids.contains("fatal")) {
                throw fatalOn;
            }
            Map<String, String> rows = new LinkedHashMap<>();
            for (String id : ids) {
                if (!id.startsWith("missing")) {
                    rows.put(id, key + ":" + id);
                }
            }
            return rows;
        }
    }

    /** What each request was answered, and on which thread. */
    private static final class Answers {
        final Map<String, String> rows = new ConcurrentHashMap<>();
        final Map<String, RuntimeException> failures = new ConcurrentHashMap<>();
        final Map<String, String> threads = new ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();

        FetchBatches.Answer<String> to(String request) {
            return (row, failure) -> {
                calls.incrementAndGet();
                threads.put(request, Thread.currentThread().getName());
                if (failure != null) {
                    failures.put(request, failure);
                } else {
                    rows.put(request, row == null ? "none" : row);
                }
            };
        }
    }

    /** A fetch of "a" running on another thread, its statement held until {@link #release()}. */
    private record Held(Future<?> fetch, CountDownLatch latch) {
        void release() throws Exception {
            latch.countDown();
            fetch.get(10, TimeUnit.SECONDS);
        }
    }

    /** A reader, the batches that use it (the hand-off on threads named "overflow") and the answers they gave. */
    private final class Fixture {
        final RecordingReader reader = new RecordingReader();
        final Answers answers = new Answers();
        final FetchBatches<String, String> batches;

        Fixture(int maxIds, int statementsPerKey) {
            this(maxIds, statementsPerKey, 16);
        }

        Fixture(int maxIds, int statementsPerKey, int maxStatements) {
            batches = new FetchBatches<>(reader, maxIds, statementsPerKey, maxStatements, overflow);
        }

        /** Waits until this many answers were given and no statement is in flight or handed off. */
        void awaitAnswers(int count) throws InterruptedException {
            awaitIdle(batches, () -> answers.calls.get() >= count);
            assertThat(answers.calls).hasValue(count);
        }

        Held holdFirstStatement(String key, FetchBatches.Answer<String> answer) throws InterruptedException {
            CountDownLatch latch = new CountDownLatch(1);
            reader.hold = latch;
            Future<?> fetch = threads.submit(() -> batches.submit(key, "a", answer));
            assertThat(reader.inFirstStatement.await(10, TimeUnit.SECONDS)).isTrue();
            return new Held(fetch, latch);
        }
    }

    /** Waits (at most ten seconds) until {@code done} holds and no statement is in flight or handed off. */
    private static void awaitIdle(FetchBatches<?, ?> batches, java.util.function.BooleanSupplier done)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(done.getAsBoolean() && batches.statementsRunning() == 0) && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertThat(batches.statementsRunning()).as("statements in flight").isZero();
    }

    @Test
    void aLoneFetchIsReadAloneAndAnsweredBeforeSubmitReturns() {
        Fixture f = new Fixture(64, 2);
        f.batches.submit("org", "a", f.answers.to("a"));
        f.batches.submit("org", "missing", f.answers.to("missing"));
        assertThat(f.reader.statements).containsExactly(List.of("a"), List.of("missing"));
        assertThat(f.answers.rows).containsExactlyInAnyOrderEntriesOf(Map.of("a", "org:a", "missing", "none"));
        assertThat(f.answers.threads.values()).containsOnly(Thread.currentThread().getName());
        assertThat(f.batches.statements()).isEqualTo(2);
        assertThat(f.batches.requests()).isEqualTo(2);
        assertThat(f.batches.handOffs()).isZero();
        assertThat(f.batches.statementsRunning()).isZero();
    }

    /** One client alone never waits for a hand-off: with one slot taken, the next request runs on its own thread. */
    @Test
    void aFetchThatFindsAFreeSlotIsReadAtOnceOnItsOwnThread() throws Exception {
        Fixture f = new Fixture(64, 2);
        Held first = f.holdFirstStatement("org", f.answers.to("a"));
        f.batches.submit("org", "b", f.answers.to("b"));
        assertThat(f.answers.rows).containsExactlyEntriesOf(Map.of("b", "org:b"));
        assertThat(f.answers.threads.get("b")).isEqualTo(Thread.currentThread().getName());
        first.release();
        f.awaitAnswers(2);
        assertThat(f.reader.statements).containsExactly(List.of("a"), List.of("b"));
        assertThat(f.batches.handOffs()).isZero();
    }

    @Test
    void fetchesThatArriveDuringAStatementShareTheNextOneOnAHandOffThread() throws Exception {
        Fixture f = new Fixture(64, 1);
        Held first = f.holdFirstStatement("org", f.answers.to("a"));
        // The slot is taken: these only queue, and their threads return at once without an answer.
        for (String id : List.of("b", "missing1", "b", "c")) {
            threads.submit(() -> f.batches.submit("org", id, f.answers.to(id + "@" + System.nanoTime()))).get(10,
                    TimeUnit.SECONDS);
        }
        assertThat(f.answers.calls).hasValue(0);
        first.release();
        f.awaitAnswers(5);
        assertThat(f.reader.statements).containsExactly(List.of("a"), List.of("b", "missing1", "c"));
        assertThat(f.answers.rows.values()).containsExactlyInAnyOrder("org:a", "org:b", "none", "org:b", "org:c");
        // The first request's thread answered its own statement only; one hand-off thread read the rest.
        assertThat(f.answers.threads.get("a")).isEqualTo(f.reader.threadsOfStatements.get(0)).isNotEqualTo("overflow");
        assertThat(f.answers.threads.entrySet()).filteredOn(e -> !e.getKey().equals("a"))
                .allSatisfy(e -> assertThat(e.getValue()).isEqualTo("overflow"));
        assertThat(f.batches.statements()).isEqualTo(2);
        assertThat(f.batches.requests()).isEqualTo(5);
        assertThat(f.batches.handOffs()).isEqualTo(1);
    }

    @Test
    void aStatementReadsAtMostMaxIds() throws Exception {
        Fixture f = new Fixture(2, 1);
        Held first = f.holdFirstStatement("org", f.answers.to("a"));
        for (String id : List.of("b", "c", "d", "e", "f")) {
            f.batches.submit("org", id, f.answers.to(id));
        }
        first.release();
        f.awaitAnswers(6);
        assertThat(f.reader.statements).containsExactly(List.of("a"), List.of("b", "c"), List.of("d", "e"),
                List.of("f"));
        assertThat(f.answers.rows).hasSize(6);
    }

    /** A request's thread is back for its connection's next request after one statement. */
    @Test
    void aRequestThreadRunsOneStatementAndHandsTheQueueOn() throws Exception {
        Fixture f = new Fixture(1, 1);
        Held first = f.holdFirstStatement("org", f.answers.to("a"));
        int queued = 2 * FetchBatches.STATEMENTS_PER_TURN;
        for (int i = 0; i < queued; i++) {
            f.batches.submit("org", "id" + i, f.answers.to("id" + i));
        }
        first.release();
        f.awaitAnswers(queued + 1);
        assertThat(f.answers.rows).hasSize(queued + 1);
        assertThat(f.reader.threadsOfStatements.get(0)).isNotEqualTo("overflow");
        assertThat(f.reader.threadsOfStatements.subList(1, queued + 1)).containsOnly("overflow");
        assertThat(f.batches.handOffs()).isEqualTo(1);
    }

    /** Statements in flight over every key never outnumber the connections they may hold; none is stranded. */
    @Test
    void noMoreStatementsRunThanPermitsAndAWaitingKeyGetsTheNextOne() throws Exception {
        Fixture f = new Fixture(64, 2, 1);
        Held first = f.holdFirstStatement("org1", f.answers.to("org1 a"));
        // org2's slots are free, but the one permit is taken: its fetch only queues.
        f.batches.submit("org2", "b", f.answers.to("org2 b"));
        f.batches.submit("org1", "c", f.answers.to("org1 c"));
        assertThat(f.answers.calls).hasValue(0);
        assertThat(f.reader.statements).hasSize(1);
        assertThat(f.batches.statementsRunning()).isEqualTo(1);
        first.release();
        f.awaitAnswers(3);
        assertThat(f.answers.rows).containsExactlyInAnyOrderEntriesOf(
                Map.of("org1 a", "org1:a", "org2 b", "org2:b", "org1 c", "org1:c"));
        assertThat(f.answers.threads.get("org2 b")).isEqualTo("overflow");
        assertThat(f.reader.mostInFlight).hasValue(1);
    }

    /** A hand-off thread that has run its turn lets a key waiting for a permit go first. */
    @Test
    void aBusyKeyLetsAWaitingKeyGoAfterItsTurn() throws Exception {
        Fixture f = new Fixture(1, 1, 1);
        Held first = f.holdFirstStatement("org1", f.answers.to("org1 a"));
        int queued = 3 * FetchBatches.STATEMENTS_PER_TURN;
        for (int i = 0; i < queued; i++) {
            f.batches.submit("org1", "id" + i, f.answers.to("org1 id" + i));
        }
        f.batches.submit("org2", "b", f.answers.to("org2 b"));
        first.release();
        f.awaitAnswers(queued + 2);
        // org1's own statement, a turn of org1's queue on the hand-off thread, then org2's.
        int org2 = f.reader.statements.indexOf(List.of("b"));
        assertThat(org2).isEqualTo(1 + FetchBatches.STATEMENTS_PER_TURN);
        assertThat(f.reader.mostInFlight).hasValue(1);
    }

    /** Stopping the server ends the hand-off threads: what is still queued is answered with an error. */
    @Test
    void aFetchQueuedWhenTheHandOffThreadsHaveStoppedIsAnsweredWithAnError() throws Exception {
        Fixture f = new Fixture(64, 1);
        Held first = f.holdFirstStatement("org", f.answers.to("a"));
        f.batches.submit("org", "b", f.answers.to("b"));
        overflow.shutdown();
        first.release();
        f.awaitAnswers(2);
        assertThat(f.answers.rows).containsExactlyEntriesOf(Map.of("a", "org:a"));
        assertThat(f.answers.failures.get("b")).hasMessageContaining("stopping");
    }

    /**
     * An {@link Error} while reading a batch fails every fetch queued for the key, each exactly once, and the key
     * reads again afterwards.
     */
    @Test
    void anErrorInAStatementFailsEveryFetchQueuedForItsKeyOnce() throws Exception {
        Fixture f = new Fixture(1, 1);
        f.reader.fatalOn = new StackOverflowError("deep");
        Held first = f.holdFirstStatement("org", f.answers.to("a"));
        for (String id : List.of("fatal", "b", "c", "d")) {
            f.batches.submit("org", id, f.answers.to(id));
        }
        f.batches.submit("org2", "e", f.answers.to("org2 e"));
        first.release();
        f.awaitAnswers(6);
        Thread.sleep(50);
        assertThat(f.answers.calls).hasValue(6);
        assertThat(f.answers.rows).containsExactlyInAnyOrderEntriesOf(Map.of("a", "org:a", "org2 e", "org2:e"));
        assertThat(f.answers.failures).containsOnlyKeys("fatal", "b", "c", "d");
        assertThat(f.answers.failures.values()).allSatisfy(
                failure -> assertThat(failure).hasRootCauseInstanceOf(StackOverflowError.class));
        // The statement for "fatal" was the last one of the key; the rest were failed without one.
        assertThat(f.reader.statements).containsExactly(List.of("a"), List.of("e"), List.of("fatal"));
        assertThat(uncaught).singleElement().isSameAs(f.reader.fatalOn);
        f.reader.fatalOn = null;
        f.batches.submit("org", "g", f.answers.to("g"));
        assertThat(f.answers.rows).containsEntry("g", "org:g");
    }

    @Test
    void keysNeverShareAStatementNorWaitForEachOther() throws Exception {
        Fixture f = new Fixture(64, 1);
        Held first = f.holdFirstStatement("org1", f.answers.to("org1 a"));
        f.batches.submit("org1", "b", f.answers.to("org1 b"));
        // Another key's slot is free: it is read at once, on this thread, while org1's statement is held.
        f.batches.submit("org2", "b", f.answers.to("org2 b"));
        assertThat(f.answers.rows).containsExactlyEntriesOf(Map.of("org2 b", "org2:b"));
        first.release();
        // org1's queued fetch is read on a hand-off thread once its slot is free: wait for it.
        f.awaitAnswers(3);
        assertThat(f.reader.statements).containsExactly(List.of("a"), List.of("b"), List.of("b"));
        assertThat(f.answers.rows).containsExactlyInAnyOrderEntriesOf(
                Map.of("org1 a", "org1:a", "org1 b", "org1:b", "org2 b", "org2:b"));
    }

    @Test
    void aFailedStatementFailsEveryFetchItReadAndTheNextStatementRuns() throws Exception {
        Fixture f = new Fixture(64, 1);
        RuntimeException broken = new IllegalStateException("connection lost");
        f.reader.failOn = broken;
        Held first = f.holdFirstStatement("org", f.answers.to("a"));
        f.batches.submit("org", "fail", f.answers.to("fail"));
        f.batches.submit("org", "b", f.answers.to("b"));
        first.release();
        f.awaitAnswers(3);
        assertThat(f.answers.rows).containsExactlyEntriesOf(Map.of("a", "org:a"));
        assertThat(f.answers.failures).containsOnlyKeys("fail", "b");
        assertThat(f.answers.failures.values()).containsOnly(broken);
        f.reader.failOn = null;
        f.batches.submit("org", "c", f.answers.to("c"));
        assertThat(f.answers.rows).containsEntry("c", "org:c");
    }

    @Test
    void anAnswerThatThrowsCostsTheOthersNothing() throws Exception {
        Fixture f = new Fixture(64, 1);
        Held first = f.holdFirstStatement("org", f.answers.to("a"));
        f.batches.submit("org", "b", (row, failure) -> {
            throw new IllegalStateException("the client went away");
        });
        f.batches.submit("org", "c", f.answers.to("c"));
        first.release();
        f.awaitAnswers(2);
        assertThat(f.answers.rows).containsExactlyInAnyOrderEntriesOf(Map.of("a", "org:a", "c", "org:c"));
    }

    @Test
    void aFatalErrorStillAnswersTheFetchesOfItsStatement() throws Exception {
        FetchBatches.Reader<String, String> reader = (key, ids) -> {
            throw new StackOverflowError("deep");
        };
        FetchBatches<String, String> batches = new FetchBatches<>(reader, 64, 1, 16, overflow);
        Answers answers = new Answers();
        assertThatThrownBy(() -> batches.submit("org", "a", answers.to("a"))).isInstanceOf(StackOverflowError.class);
        assertThat(answers.failures.get("a")).hasCauseInstanceOf(StackOverflowError.class);
    }

    /**
     * Many threads, few keys, two slots each but fewer permits than slots: every request is answered exactly once
     * with its own row, and no more statements run at once than there are permits.
     */
    @Test
    void underContentionEveryFetchIsAnsweredOnceWithItsOwnRow() throws Exception {
        RecordingReader reader = new RecordingReader();
        FetchBatches<String, String> batches = new FetchBatches<>(reader, 8, 2, 3, overflow);
        int perThread = 3000;
        int threadCount = 8;
        Map<String, String> answered = new ConcurrentHashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < threadCount; t++) {
            int thread = t;
            running.add(threads.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    String key = "org" + ThreadLocalRandom.current().nextInt(3);
                    String id = (i % 7 == 0 ? "missing" : "id") + ThreadLocalRandom.current().nextInt(50);
                    String request = thread + "/" + i + "/" + key + "/" + id;
                    batches.submit(key, id, (row, failure) -> {
                        String expected = id.startsWith("missing") ? null : key + ":" + id;
                        String got = failure != null ? "failed" : row;
                        if (answered.put(request, String.valueOf(got).equals(String.valueOf(expected)) ? "ok"
                                : "wrong: " + got) != null) {
                            duplicates.incrementAndGet();
                        }
                    });
                    if (i % 100 == 0) {
                        Thread.yield();
                    }
                }
            }));
        }
        for (Future<?> future : running) {
            future.get(60, TimeUnit.SECONDS);
        }
        // Every submit has returned; the hand-off threads may still be answering what was queued.
        awaitIdle(batches, () -> answered.size() >= perThread * threadCount);
        assertThat(answered).hasSize(perThread * threadCount);
        assertThat(reader.mostInFlight.get()).isBetween(1, 3);
        assertThat(answered.values()).containsOnly("ok");
        assertThat(duplicates).hasValue(0);
        assertThat(batches.requests()).isEqualTo(perThread * threadCount);
        assertThat(reader.statements).allSatisfy(ids -> assertThat(ids).hasSizeBetween(1, 8).doesNotHaveDuplicates());
    }
}
