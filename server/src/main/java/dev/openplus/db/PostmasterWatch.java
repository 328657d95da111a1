package dev.openplus.db;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the embedded PostgreSQL that a server started, and starts it again when it dies (a {@code kill -9}, the
 * kernel's out-of-memory killer). Until it runs again the database is {@link #down()}: requests are refused at
 * once instead of waiting for a connection that cannot come, and /health and /ready say so.
 *
 * <p>Restarting here rather than exiting for a supervisor: the embedded default is what runs without one
 * (`./openplus serve` in a terminal), and a restarted JVM would spend its first minute warming up again
 * (docs/decisions.md). A restart that keeps failing is retried with a growing pause, and /health answers 503
 * meanwhile, so a supervisor that watches it can still replace the whole process.
 */
final class PostmasterWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostmasterWatch.class);
    static final Duration POLL = Duration.ofMillis(250);
    private static final Duration FIRST_RETRY = Duration.ofMillis(500);
    private static final Duration LAST_RETRY = Duration.ofSeconds(10);

    private final EmbeddedPostgres postgres;
    private final Runnable afterRestart;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean down;
    /** Tests hold restarts to look at the server while its database is down. */
    private final ReentrantLock holdLock = new ReentrantLock();
    private final Condition released = holdLock.newCondition();
    private boolean held;

    /** @param afterRestart runs once PostgreSQL is back (the pool drops the connections of the dead one) */
    PostmasterWatch(EmbeddedPostgres postgres, Runnable afterRestart) {
        this.postgres = postgres;
        this.afterRestart = afterRestart;
        this.thread = new Thread(this::run, "openplus-postmaster-watch");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** True from the moment the postmaster is seen dead until it runs again. */
    boolean down() {
        return down;
    }

    private void run() {
        while (running) {
            if (postgres.postmasterAlive()) {
                sleep(POLL);
                continue;
            }
            if (!running) {
                break;
            }
            down = true;
            LOG.error("the embedded PostgreSQL stopped unexpectedly; requests answer 503 until it runs again");
            Duration pause = FIRST_RETRY;
            while (running && !postgres.postmasterAlive()) {
                awaitRelease();
                try {
                    postgres.restart();
                } catch (Exception e) {
                    LOG.warn("could not start the embedded PostgreSQL again (next try in {} ms): {}", pause.toMillis(),
                            e.getMessage());
                    sleep(pause);
                    pause = pause.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : pause.multipliedBy(2);
                }
            }
            if (running) {
                afterRestart.run();
                down = false;
                LOG.info("the embedded PostgreSQL runs again");
            }
        }
    }

    /** Restarts wait until {@link #release()}; for tests. */
    void hold() {
        holdLock.lock();
        try {
            held = true;
        } finally {
            holdLock.unlock();
        }
    }

    void release() {
        holdLock.lock();
        try {
            held = false;
            released.signalAll();
        } finally {
            holdLock.unlock();
        }
    }

    private void awaitRelease() {
        holdLock.lock();
        try {
            while (held && running) {
                released.await(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            holdLock.unlock();
        }
    }

    /** A pause that {@link #close()} cuts short (an interrupt could cut pg_ctl's wait in half instead). */
    private void sleep(Duration duration) {
        holdLock.lock();
        try {
            if (running) {
                released.await(duration.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            holdLock.unlock();
        }
    }

    /** Stops watching, before the owner stops PostgreSQL on purpose. */
    @Override
    public void close() {
        running = false;
        release();
        try {
            // A restart under way ends first (pg_ctl waits for the start), so that the owner stops what it started.
            thread.join(TimeUnit.MINUTES.toMillis(3));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
