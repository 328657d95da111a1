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

/**
 * The batching of fetches by id, with a reader that records its statements and can be held inside one, so that
 * which requests share a statement is decided by the test rather than by timing.
 */
class FetchBatchesTest {
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final ExecutorService overflow = Executors.newCachedThreadPool(runnable -> new Thread(runnable, "overflow"));

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

        @Override
        public Map<String, String> read(String key, List<String> ids) {
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

    @Test
    void aLoneFetchIsReadAloneAndAnsweredBeforeSubmitReturns() {
        RecordingReader reader = new RecordingReader();
        FetchBatches<String, String> batches = new FetchBatches<>(reader, 64, 2, overflow);
        Answers answers = new Answers();
        batches.submit("org", "a", answers.to("a"));
        batches.submit("org", "missing", answers.to("missing"));
        assertThat(reader.statements).containsExactly(List.of("a"), List.of("missing"));
        assertThat(answers.rows).containsExactlyInAnyOrderEntriesOf(Map.of("a", "org:a", "missing", "none"));
        assertThat(answers.threads.values()).containsOnly(Thread.currentThread().getName());
        assertThat(batches.statements()).isEqualTo(2);
        assertThat(batches.requests()).isEqualTo(2);
    }

    @Test
    void fetchesThatArriveDuringAStatementShareTheNextOneOnItsThread() throws Exception {
        RecordingReader reader = new RecordingReader();
        FetchBatches<String, String> batches = new FetchBatches<>(reader, 64, 1, overflow);
        Answers answers = new Answers();
        CountDownLatch release = new CountDownLatch(1);
        reader.hold = release;
        Future<?> first = threads.submit(() -> batches.submit("org", "a", answers.to("a")));
        assertThat(reader.inFirstStatement.await(10, TimeUnit.SECONDS)).isTrue();
        // The slot is taken: these only queue, and their threads return at once without an answer.
        for (String id : List.of("b", "missing1", "b", "c")) {
            threads.submit(() -> batches.submit("org", id, answers.to(id + "@" + System.nanoTime()))).get(10,
                    TimeUnit.SECONDS);
        }
        assertThat(answers.calls).hasValue(0);
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        assertThat(reader.statements).containsExactly(List.of("a"), List.of("b", "missing1", "c"));
        assertThat(answers.calls).hasValue(5);
        assertThat(answers.rows.values()).containsExactlyInAnyOrder("org:a", "org:b", "none", "org:b", "org:c");
        // Every answer came from the thread that ran the statements.
        assertThat(answers.threads.values()).containsOnly(reader.threadsOfStatements.get(0));
        assertThat(batches.statements()).isEqualTo(2);
        assertThat(batches.requests()).isEqualTo(5);
    }

    @Test
    void aStatementReadsAtMostMaxIds() throws Exception {
        RecordingReader reader = new RecordingReader();
        FetchBatches<String, String> batches = new FetchBatches<>(reader, 2, 1, overflow);
        Answers answers = new Answers();
        CountDownLatch release = new CountDownLatch(1);
        reader.hold = release;
        Future<?> first = threads.submit(() -> batches.submit("org", "a", answers.to("a")));
        assertThat(reader.inFirstStatement.await(10, TimeUnit.SECONDS)).isTrue();
        for (String id : List.of("b", "c", "d", "e", "f")) {
            batches.submit("org", id, answers.to(id));
        }
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        assertThat(reader.statements).containsExactly(List.of("a"), List.of("b", "c"), List.of("d", "e"),
                List.of("f"));
        assertThat(answers.rows).hasSize(6);
    }

    @Test
    void aThreadHandsTheQueueOnAfterItsTurn() throws Exception {
        RecordingReader reader = new RecordingReader();
        FetchBatches<String, String> batches = new FetchBatches<>(reader, 1, 1, overflow);
        Answers answers = new Answers();
        CountDownLatch release = new CountDownLatch(1);
        reader.hold = release;
        Future<?> first = threads.submit(() -> batches.submit("org", "a", answers.to("a")));
        assertThat(reader.inFirstStatement.await(10, TimeUnit.SECONDS)).isTrue();
        int queued = 2 * FetchBatches.STATEMENTS_PER_TURN;
        for (int i = 0; i < queued; i++) {
            batches.submit("org", "id" + i, answers.to("id" + i));
        }
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (answers.calls.get() < queued + 1 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(answers.rows).hasSize(queued + 1);
        String requestThread = reader.threadsOfStatements.get(0);
        assertThat(reader.threadsOfStatements.subList(0, FetchBatches.STATEMENTS_PER_TURN)).containsOnly(requestThread);
        assertThat(reader.threadsOfStatements.subList(FetchBatches.STATEMENTS_PER_TURN, queued + 1))
                .containsOnly("overflow");
    }

    @Test
    void keysNeverShareAStatementNorWaitForEachOther() throws Exception {
        RecordingReader reader = new RecordingReader();
        FetchBatches<String, String> batches = new FetchBatches<>(reader, 64, 1, overflow);
        Answers answers = new Answers();
        CountDownLatch release = new CountDownLatch(1);
        reader.hold = release;
        Future<?> first = threads.submit(() -> batches.submit("org1", "a", answers.to("org1 a")));
        assertThat(reader.inFirstStatement.await(10, TimeUnit.SECONDS)).isTrue();
        batches.submit("org1", "b", answers.to("org1 b"));
        // Another key's slot is free: it is read at once, on this thread, while org1's statement is held.
        batches.submit("org2", "b", answers.to("org2 b"));
        assertThat(answers.rows).containsExactlyEntriesOf(Map.of("org2 b", "org2:b"));
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        assertThat(reader.statements).containsExactly(List.of("a"), List.of("b"), List.of("b"));
        assertThat(answers.rows).containsExactlyInAnyOrderEntriesOf(
                Map.of("org1 a", "org1:a", "org1 b", "org1:b", "org2 b", "org2:b"));
    }

    @Test
    void aFailedStatementFailsEveryFetchItReadAndTheNextStatementRuns() throws Exception {
        RecordingReader reader = new RecordingReader();
        FetchBatches<String, String> batches = new FetchBatches<>(reader, 64, 1, overflow);
        Answers answers = new Answers();
        RuntimeException broken = new IllegalStateException("connection lost");
        reader.failOn = broken;
        CountDownLatch release = new CountDownLatch(1);
        reader.hold = release;
        Future<?> first = threads.submit(() -> batches.submit("org", "a", answers.to("a")));
        assertThat(reader.inFirstStatement.await(10, TimeUnit.SECONDS)).isTrue();
        batches.submit("org", "fail", answers.to("fail"));
        batches.submit("org", "b", answers.to("b"));
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        assertThat(answers.rows).containsExactlyEntriesOf(Map.of("a", "org:a"));
        assertThat(answers.failures).containsOnlyKeys("fail", "b");
        assertThat(answers.failures.values()).containsOnly(broken);
        reader.failOn = null;
        batches.submit("org", "c", answers.to("c"));
        assertThat(answers.rows).containsEntry("c", "org:c");
    }

    @Test
    void anAnswerThatThrowsCostsTheOthersNothing() throws Exception {
        RecordingReader reader = new RecordingReader();
        FetchBatches<String, String> batches = new FetchBatches<>(reader, 64, 1, overflow);
        Answers answers = new Answers();
        CountDownLatch release = new CountDownLatch(1);
        reader.hold = release;
        Future<?> first = threads.submit(() -> batches.submit("org", "a", answers.to("a")));
        assertThat(reader.inFirstStatement.await(10, TimeUnit.SECONDS)).isTrue();
        batches.submit("org", "b", (row, failure) -> {
            throw new IllegalStateException("the client went away");
        });
        batches.submit("org", "c", answers.to("c"));
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        assertThat(answers.rows).containsExactlyInAnyOrderEntriesOf(Map.of("a", "org:a", "c", "org:c"));
    }

    @Test
    void aFatalErrorStillAnswersTheFetchesOfItsStatement() throws Exception {
        FetchBatches.Reader<String, String> reader = (key, ids) -> {
            throw new StackOverflowError("deep");
        };
        FetchBatches<String, String> batches = new FetchBatches<>(reader, 64, 1, overflow);
        Answers answers = new Answers();
        assertThatThrownBy(() -> batches.submit("org", "a", answers.to("a"))).isInstanceOf(StackOverflowError.class);
        assertThat(answers.failures.get("a")).hasCauseInstanceOf(StackOverflowError.class);
    }

    /** Many threads, few keys, two slots each: every request is answered exactly once with its own row. */
    @Test
    void underContentionEveryFetchIsAnsweredOnceWithItsOwnRow() throws Exception {
        RecordingReader reader = new RecordingReader();
        FetchBatches<String, String> batches = new FetchBatches<>(reader, 8, 2, overflow);
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
        // Every submit has returned, so no statement is running: nothing may be left in a queue.
        assertThat(answered).hasSize(perThread * threadCount);
        assertThat(answered.values()).containsOnly("ok");
        assertThat(duplicates).hasValue(0);
        assertThat(batches.requests()).isEqualTo(perThread * threadCount);
        assertThat(reader.statements).allSatisfy(ids -> assertThat(ids).hasSizeBetween(1, 8).doesNotHaveDuplicates());
    }
}
