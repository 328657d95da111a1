package dev.openplus.auth;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.openplus.db.Database;

/**
 * Listens for revocations announced with NOTIFY (by the admin CLI in another process, or by another server on
 * the same database) and evicts the affected cached tokens, so that a revoked client stops working at once.
 */
public final class RevocationListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RevocationListener.class);

    private final Database database;
    private final TokenService tokens;
    private final Thread thread;
    private volatile boolean running = true;

    public RevocationListener(Database database, TokenService tokens) {
        this.database = database;
        this.tokens = tokens;
        this.thread = new Thread(this::run, "openplus-revocations");
        this.thread.setDaemon(true);
    }

    /** Starts listening; returns once LISTEN is in place, so no revocation after this call is missed. */
    public RevocationListener start() throws SQLException {
        initial = listen();
        thread.start();
        return this;
    }

    /** The first LISTEN connection, opened by start() before the thread runs (Thread.start publishes it). */
    private Connection initial;

    private Connection listen() throws SQLException {
        Connection connection = database.dedicatedConnection();
        try (Statement statement = connection.createStatement()) {
            statement.execute("LISTEN " + ClientRepository.REVOCATION_CHANNEL);
        }
        return connection;
    }

    private void run() {
        Connection connection = initial;
        while (running) {
            try {
                if (connection == null) {
                    connection = listen();
                    // Revocations may have happened while we were not listening.
                    tokens.evictAll();
                }
                PGNotification[] notifications = connection.unwrap(PGConnection.class).getNotifications(500);
                if (notifications != null) {
                    for (PGNotification notification : notifications) {
                        apply(notification.getParameter());
                    }
                }
            } catch (SQLException e) {
                if (!running) {
                    break;
                }
                LOG.warn("revocation listener lost its connection; reconnecting: {}", e.getMessage());
                closeQuietly(connection);
                connection = null;
                tokens.evictAll();
                sleep();
            }
        }
        closeQuietly(connection);
    }

    private void apply(String payload) {
        if (payload.startsWith("client:")) {
            tokens.evictClient(payload.substring("client:".length()));
        } else if (payload.startsWith("family:")) {
            tokens.evictFamily(payload.substring("family:".length()));
        } else {
            tokens.evictAll();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
