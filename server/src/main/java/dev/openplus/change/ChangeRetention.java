package dev.openplus.change;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.openplus.config.Config;
import dev.openplus.db.Database;

/**
 * Prunes the change feed to its retention period ({@code OPENPLUS_CHANGE_RETENTION}): every
 * {@code OPENPLUS_CHANGE_PRUNE_INTERVAL} (default ten minutes), per
 * organization, the oldest changes in batches of {@link #BATCH}, each batch its own short transaction (V17's
 * change_prune), so writers never wait for it. Several instances sharing a database may prune at once: a change
 * is deleted once, and the horizon only moves forward.
 */
public final class ChangeRetention implements AutoCloseable {
    static final int BATCH = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(ChangeRetention.class);

    private final Database database;
    private final Duration retention;
    private final Duration interval;
    private final ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "openplus-change-retention");
        thread.setDaemon(true);
        return thread;
    });

    public ChangeRetention(Database database, Config.ChangeRetention settings) {
        this.database = database;
        this.retention = settings.period();
        this.interval = settings.pruneInterval();
    }

    /**
     * Prunes every {@code OPENPLUS_CHANGE_PRUNE_INTERVAL}, the first time one interval (at most a minute) after the
     * start; an interval of zero prunes nothing.
     */
    public ChangeRetention start() {
        if (!interval.isZero()) {
            long every = interval.toMillis();
            schedule.scheduleWithFixedDelay(this::pruneQuietly, Math.min(every, 60_000), every, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** Prunes every organization's changes older than the retention period; the number of changes deleted. */
    public long prune() {
        OffsetDateTime before = OffsetDateTime.now().minus(retention);
        List<String> organizations = database.dsl().select(DSL.field("id", SQLDataType.CHAR(24)))
                .from(DSL.table(DSL.name("change_horizon_candidates"))).fetch(0, String.class);
        long total = 0;
        for (String organization : organizations) {
            while (true) {
                Integer pruned = database.dsl().select(DSL.field("change_prune({0}, {1}, {2})", SQLDataType.INTEGER,
                        DSL.val(organization, SQLDataType.CHAR(24)), DSL.val(before), DSL.val(BATCH))).fetchOne(0,
                        Integer.class);
                total += pruned == null ? 0 : pruned;
                if (pruned == null || pruned < BATCH) {
                    break;
                }
            }
        }
        return total;
    }

    private void pruneQuietly() {
        try {
            long pruned = prune();
            if (pruned > 0) {
                LOG.info("change feed: pruned {} changes older than {}", pruned, retention);
            }
        } catch (RuntimeException e) {
            LOG.warn("change feed: pruning failed, will try again: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        schedule.shutdownNow();
    }
}
