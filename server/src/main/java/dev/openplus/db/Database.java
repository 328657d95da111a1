package dev.openplus.db;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Function;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.concurrent.atomic.LongAdder;

import org.jooq.ConnectionProvider;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DefaultConfiguration;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import dev.openplus.config.Config;
import dev.openplus.config.StartupFailure;

/** The PostgreSQL that OpenPlus uses: embedded by default, external when OPENPLUS_DATABASE_URL is set. */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    private final EmbeddedPostgres embedded;
    private final HikariDataSource dataSource;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final Settings settings = new Settings().withRenderSchema(false).withExecuteLogging(false);
    /** Statements prepared on pooled connections since start: lets tests prove a request costs a fixed number. */
    private final LongAdder statements = new LongAdder();
    private final org.jooq.Configuration jooq;
    /**
     * The pool's meters (hikaricp_connections_*). Hikari takes one registry, once, for the pool's life; a
     * composite lets each server started on this database add its own registry and remove it when it stops.
     */
    private final CompositeMeterRegistry poolMetrics = new CompositeMeterRegistry();
    /** Restarts the embedded PostgreSQL a server started when it dies; null otherwise. */
    private volatile PostmasterWatch watch;

    private Database(EmbeddedPostgres embedded, String jdbcUrl, String user, String password, int poolSize,
            java.time.Duration connectionTimeout) {
        this.embedded = embedded;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(jdbcUrl);
        hikari.setUsername(user);
        hikari.setPassword(password);
        hikari.setMaximumPoolSize(poolSize);
        hikari.setMinimumIdle(Math.min(2, poolSize));
        hikari.setPoolName("openplus");
        hikari.setAutoCommit(true);
        // Fail fast when the database is out of reach: a request waits this long for a connection, then answers
        // 503 (Hikari's default of 30 s, taken again by each statement of a request, held HTTP threads for
        // minutes). Validating a connection must fit inside it; opening one should not outlast it by much.
        hikari.setConnectionTimeout(connectionTimeout.toMillis());
        hikari.setValidationTimeout(Math.max(250, Math.min(1000, connectionTimeout.toMillis() / 2)));
        hikari.addDataSourceProperty("connectTimeout",
                Long.toString(Math.max(1, (connectionTimeout.toMillis() + 999) / 1000)));
        hikari.addDataSourceProperty("tcpKeepAlive", "true");
        hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
        hikari.addDataSourceProperty("ApplicationName", "openplus");
        hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(poolMetrics));
        this.dataSource = new HikariDataSource(hikari);
        this.jooq = new DefaultConfiguration().set(countingConnections(dataSource, statements))
                .set(SQLDialect.POSTGRES).set(settings);
    }

    /**
     * Opens the configured database and brings its schema up to date.
     *
     * @param exclusive true for a server: it must be the only process that owns an embedded data directory
     */
    public static Database open(Config config, boolean exclusive) throws IOException {
        Database database = connect(config, exclusive);
        try {
            database.migrate(null, exclusive);
        } catch (RuntimeException e) {
            database.close();
            throw config.embeddedDatabase() ? e : unreachable(e);
        }
        return database;
    }

    /**
     * Opens the configured database as it is, without migrating it: for a restore, which must see whether the
     * target is empty and then create the schema of the backup's version ({@link #migrate(String)}).
     */
    public static Database connect(Config config, boolean exclusive) throws IOException {
        Database database;
        if (config.embeddedDatabase()) {
            EmbeddedPostgres pg = EmbeddedPostgres.open(config.dataDir(), exclusive, config.embeddedSharedBuffers(),
                    config.embeddedTcp());
            try {
                database = new Database(pg, pg.jdbcUrl(), EmbeddedPostgres.USER, null, config.databasePoolSize(),
                        config.databaseConnectionTimeout());
            } catch (RuntimeException e) {
                pg.close();
                throw e;
            }
            if (exclusive && pg.owner()) {
                // The pool's connections died with the old postmaster: evicted, so none is handed out again.
                database.watch = new PostmasterWatch(pg,
                        () -> database.dataSource.getHikariPoolMXBean().softEvictConnections());
            }
        } else {
            try {
                database = new Database(null, config.databaseUrl(), config.databaseUser(), config.databasePassword(),
                        config.databasePoolSize(), config.databaseConnectionTimeout());
            } catch (RuntimeException e) {
                throw unreachable(e);
            }
        }
        if (!config.embeddedDatabase()) {
            try {
                database.checkVersion();
            } catch (RuntimeException e) {
                database.close();
                throw unreachable(e);
            }
        }
        return database;
    }

    /** The PostgreSQL major version the tests run against (the embedded one). */
    public static final int TESTED_MAJOR_VERSION = 17;

    private void checkVersion() {
        org.jooq.Record2<Integer, String> version = dsl().select(
                DSL.field("current_setting('server_version_num')::int", Integer.class),
                DSL.field("current_setting('server_version')", String.class)).fetchOne();
        String warning = versionWarning(version.value1(), version.value2());
        if (warning != null) {
            LOG.warn(warning);
        }
    }

    /** The warning for an external PostgreSQL older than the tested version, or null for one as new or newer. */
    static String versionWarning(int serverVersionNum, String serverVersion) {
        if (serverVersionNum / 10000 >= TESTED_MAJOR_VERSION) {
            return null;
        }
        return "the external PostgreSQL is version " + serverVersion + ", older than PostgreSQL "
                + TESTED_MAJOR_VERSION + ", the version OpenPlus is tested with; upgrade it before relying on it "
                + "(docs/operations.md, External PostgreSQL)";
    }

    /**
     * Applies pending migrations (up to {@code targetVersion}, or all) and says what it did: which version the schema went from and to, or that it was
     * up to date (that at INFO only for a server, not for every admin command).
     */
    private String migrate(String targetVersion, boolean server) {
        var configuration = Flyway.configure().dataSource(dataSource).locations(Migrations.LOCATION);
        if (targetVersion != null) {
            configuration.target(targetVersion);
        }
        Flyway flyway = configuration.load();
        if (targetVersion == null) {
            // Before the pending migrations too: one that rewrites rows records changes.
            healChangePositions();
        }
        MigrateResult result = flyway.migrate();
        if (targetVersion == null) {
            healChangePositions();
        }
        if (result.migrationsExecuted > 0) {
            LOG.info("migrated the schema from {} to version {} ({} migration{})",
                    result.initialSchemaVersion == null ? "an empty database" : "version " + result.initialSchemaVersion,
                    result.targetSchemaVersion, result.migrationsExecuted, result.migrationsExecuted == 1 ? "" : "s");
        } else if (server) {
            LOG.info("schema up to date at version {}", result.initialSchemaVersion);
        } else {
            LOG.debug("schema up to date at version {}", result.initialSchemaVersion);
        }
        var current = flyway.info().current();
        return current == null ? null : current.getVersion().getVersion();
    }

    /**
     * Raises the change feed's position base when the stored positions are ahead of this PostgreSQL cluster's
     * transaction ids: the data was restored (admin restore, pg_restore) from a cluster that had used more of them.
     * Without it, the restored changes would stay invisible and new ones would be written below the cursors
     * readers and webhooks hold (V17, docs/decisions.md "Positions across a restore"). Run whenever the schema is
     * brought up to date (a server's or an admin command's start, the end of a restore), before anything writes; a
     * no-op (one cheap read, no lock) on the cluster that wrote the positions, and on a schema without the feed.
     */
    private void healChangePositions() {
        DSLContext dsl = dsl();
        if (!Boolean.TRUE.equals(dsl.fetchValue("select to_regprocedure('change_position_heal()') is not null"))
                || !Boolean.TRUE.equals(dsl.fetchValue("select change_positions_ahead()"))) {
            return;
        }
        Object raised = dsl.fetchValue("select change_position_heal()");
        if (raised != null) {
            LOG.info("the change feed's positions were ahead of this PostgreSQL cluster (data restored from another):"
                    + " raised their base to {}, so that new changes follow the restored ones", raised);
        }
    }

    /**
     * Applies the pending migrations up to and including {@code targetVersion}, or all of them when it is null.
     *
     * @return the schema version afterwards
     */
    public String migrate(String targetVersion) {
        return migrate(targetVersion, false);
    }

    /**
     * An external database that cannot be connected to or logged into, as a failure that says so and what to
     * check; any other failure as it is.
     */
    private static RuntimeException unreachable(RuntimeException e) {
        SQLException sql = null;
        for (Throwable cause = e; cause != null && cause.getCause() != cause; cause = cause.getCause()) {
            if (cause instanceof SQLException found) {
                sql = found;
            }
        }
        String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
        if (state.startsWith("28")) {
            return new StartupFailure("the external PostgreSQL refused the login: " + firstSentence(sql) + ".",
                    "Check OPENPLUS_DATABASE_USER and OPENPLUS_DATABASE_PASSWORD.", e);
        }
        if (state.equals("3D000")) {
            return new StartupFailure("the external PostgreSQL has no such database: " + firstSentence(sql) + ".",
                    "Create it (docs/operations.md, External PostgreSQL) or correct OPENPLUS_DATABASE_URL.", e);
        }
        if (!DatabaseUnavailable.is(e) && !(e instanceof com.zaxxer.hikari.pool.HikariPool.PoolInitializationException)) {
            return e;
        }
        return new StartupFailure("cannot connect to the external PostgreSQL (OPENPLUS_DATABASE_URL): "
                + (sql == null ? String.valueOf(e.getMessage()) : firstSentence(sql)) + ".",
                "Check that it is running and reachable from this host, and OPENPLUS_DATABASE_URL, "
                        + "OPENPLUS_DATABASE_USER and OPENPLUS_DATABASE_PASSWORD.", e);
    }

    /** The driver's message up to its first full stop: the fact, without its generic advice. */
    private static String firstSentence(SQLException e) {
        String message = String.valueOf(e.getMessage()).strip();
        int stop = message.indexOf(". ");
        message = stop < 0 ? message : message.substring(0, stop);
        return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }

    /**
     * Connections from the pool, each counting the statements prepared on it (whether jOOQ or plain JDBC
     * prepares them). A plain delegating class: a reflective proxy cost more than the fetch it wrapped.
     */
    private ConnectionProvider countingConnections(HikariDataSource pool, LongAdder counter) {
        return new ConnectionProvider() {
            @Override
            public Connection acquire() {
                if (down()) {
                    throw new DatabaseUnavailable("the embedded PostgreSQL is down; it is being started again", null);
                }
                try {
                    return new CountingConnection(pool.getConnection(), counter);
                } catch (SQLException e) {
                    throw new DatabaseUnavailable("could not take a connection from the pool", e);
                }
            }

            @Override
            public void release(Connection connection) {
                try {
                    connection.close();
                } catch (SQLException e) {
                    throw new DataAccessException("could not return a connection to the pool", e);
                }
            }
        };
    }

    /** A context on the pool: each statement takes and returns its own connection. */
    public DSLContext dsl() {
        return DSL.using(jooq);
    }

    /** The most connections the pool holds ({@code OPENPLUS_DB_POOL_SIZE}). */
    public int poolSize() {
        return dataSource.getMaximumPoolSize();
    }

    public long statementCount() {
        return statements.sum();
    }

    /** Runs the work in one transaction (one per request, as DESIGN §3 asks). */
    public <T> T transaction(Function<DSLContext, T> work) {
        return dsl().transactionResult(configuration -> work.apply(configuration.dsl()));
    }

    /** A connection outside the pool, for LISTEN: it lives as long as the listener. */
    public Connection dedicatedConnection() throws SQLException {
        return java.sql.DriverManager.getConnection(jdbcUrl, user, password);
    }

    /** Publishes the connection pool's meters (active, idle, pending, timeouts, …) to the registry too. */
    public void bindMetrics(MeterRegistry registry) {
        poolMetrics.add(registry);
    }

    public void unbindMetrics(MeterRegistry registry) {
        poolMetrics.remove(registry);
    }

    /** The embedded PostgreSQL, or null for an external database. */
    EmbeddedPostgres embedded() {
        return embedded;
    }

    /**
     * True while the embedded PostgreSQL is known to have died and is not running again yet. Never for an
     * external database: only a connection attempt tells whether that one answers ({@link #reachable()}).
     */
    public boolean down() {
        PostmasterWatch current = watch;
        return current != null && current.down();
    }

    /** The watch of the embedded PostgreSQL, or null when this process does not restart it (tests hold it). */
    PostmasterWatch watch() {
        return watch;
    }

    public boolean reachable() {
        if (down()) {
            return false;
        }
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        PostmasterWatch current = watch;
        if (current != null) {
            current.close();
        }
        dataSource.close();
        if (embedded != null) {
            embedded.close();
        }
    }
}
