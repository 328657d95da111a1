package dev.openplus.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import dev.openplus.support.TestServer;

/**
 * The server's connections reach the embedded PostgreSQL over its Unix-domain socket ({@link UnixSocketFactory}),
 * and behave there as over TCP: large messages both ways, read timeouts, LISTEN/NOTIFY, a connection closed
 * from another thread while it waits. {@code inet_server_addr()} tells the two apart: it is null over a
 * Unix-domain socket.
 */
class UnixSocketTest {
    private static final Database DATABASE = TestServer.get().database;
    private static final ExecutorService EXECUTOR = Executors.newCachedThreadPool();

    @AfterAll
    static void stopExecutor() {
        EXECUTOR.shutdownNow();
    }

    private static String serverAddress(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("select inet_server_addr()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void thePoolAndTheDedicatedConnectionsGoThroughTheSocketFileInTheDataDirectory() throws Exception {
        Path socket = DATABASE.embedded().socketFile();
        Path dataDir = TestServer.get().config.dataDir().toAbsolutePath().normalize();
        assertThat(socket.getParent()).isEqualTo(dataDir.resolve("run"));
        assertThat(socket.getFileName().toString()).isEqualTo(".s.PGSQL." + DATABASE.embedded().port());
        assertThat(Files.exists(socket)).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())))
                .isEqualTo("rwx------");

        try (Connection dedicated = DATABASE.dedicatedConnection()) {
            assertThat(serverAddress(dedicated)).isNull();
        }
        org.jooq.Record pooled = DATABASE.dsl().fetchOne("select inet_server_addr()::text, 1");
        assertThat(pooled.get(1)).isEqualTo(1);
        assertThat(pooled.get(0)).isNull();
    }

    /** Any local user could connect over TCP, where pg_hba.conf trusted 127.0.0.1: no TCP listener at all now. */
    @Test
    void theEmbeddedPostgresListensOnNoTcpPortAndOnlyItsUserMayEnterTheSocketDirectory() throws Exception {
        int port = DATABASE.embedded().port();
        for (String host : List.of("127.0.0.1", "::1")) {
            try (Socket socket = new Socket()) {
                assertThatThrownBy(() -> socket.connect(new InetSocketAddress(host, port), 2000))
                        .as("TCP connection to %s:%d", host, port).isInstanceOf(java.io.IOException.class);
            }
        }
        assertThatThrownBy(() -> java.sql.DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/postgres", EmbeddedPostgres.USER, null))
                .isInstanceOf(SQLException.class).hasMessageContaining("Connection to 127.0.0.1:" + port + " refused");
        try (Connection connection = DATABASE.dedicatedConnection(); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("show listen_addresses")) {
            rs.next();
            assertThat(rs.getString(1)).isEmpty();
        }
        Path socket = DATABASE.embedded().socketFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())))
                .isEqualTo("rwx------");
        Path pgData = TestServer.get().config.dataDir().resolve("pg");
        assertThat(Files.readAllLines(pgData.resolve("pg_hba.conf"))).filteredOn(line -> line.startsWith("host"))
                .isNotEmpty().allSatisfy(line -> assertThat(line).endsWith("scram-sha-256"));
    }

    @Test
    void messagesLargerThanTheSocketBuffersArriveWholeBothWays() throws Exception {
        int size = 8 * 1024 * 1024;
        String large = "0123456789abcdef".repeat(size / 16);
        try (Connection connection = DATABASE.dedicatedConnection();
                PreparedStatement statement = connection.prepareStatement("select length(?), md5(?), ?")) {
            statement.setString(1, large);
            statement.setString(2, large);
            statement.setString(3, large);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(size);
                assertThat(rs.getString(2)).isEqualTo(md5(large));
                assertThat(rs.getString(3)).isEqualTo(large);
            }
        }
    }

    @Test
    void aReadTimeoutEndsTheWaitAndClosesTheConnection() throws Exception {
        try (Connection connection = DATABASE.dedicatedConnection()) {
            connection.setNetworkTimeout(EXECUTOR, 300);
            long start = System.nanoTime();
            assertThatThrownBy(() -> {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("select pg_sleep(5)");
                }
            }).isInstanceOf(SQLException.class).hasRootCauseInstanceOf(SocketTimeoutException.class);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(millis).isBetween(250L, 4000L);
            assertThat(connection.isClosed()).isTrue();
        }
    }

    @Test
    void notificationsArriveAndAnEmptyWaitEndsAtItsTimeout() throws Exception {
        try (Connection listener = DATABASE.dedicatedConnection();
                Connection sender = DATABASE.dedicatedConnection()) {
            try (Statement statement = listener.createStatement()) {
                statement.execute("listen unix_socket_test");
            }
            PGConnection pg = listener.unwrap(PGConnection.class);
            long start = System.nanoTime();
            // In the pool's thread, so that a wait that never ends fails the test instead of hanging it.
            PGNotification[] none = CompletableFuture.supplyAsync(() -> {
                try {
                    return pg.getNotifications(200);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, EXECUTOR).get(5, TimeUnit.SECONDS);
            assertThat(none == null ? 0 : none.length).isZero();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(150L);

            CompletableFuture<PGNotification[]> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return pg.getNotifications(10_000);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, EXECUTOR);
            Thread.sleep(200);
            try (Statement statement = sender.createStatement()) {
                statement.execute("notify unix_socket_test, 'hello'");
            }
            PGNotification[] received = waiting.get(5, TimeUnit.SECONDS);
            assertThat(received).hasSize(1);
            assertThat(received[0].getName()).isEqualTo("unix_socket_test");
            assertThat(received[0].getParameter()).isEqualTo("hello");
            // The connection is still usable after its reads timed out.
            assertThat(serverAddress(listener)).isNull();
        }
    }

    @Test
    void aConnectionAbortedFromAnotherThreadEndsTheQueryWaitingOnIt() throws Exception {
        try (Connection connection = DATABASE.dedicatedConnection()) {
            CompletableFuture<Throwable> query = CompletableFuture.supplyAsync(() -> {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("select pg_sleep(30)");
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            }, EXECUTOR);
            Thread.sleep(300);
            long start = System.nanoTime();
            connection.abort(EXECUTOR);
            Throwable failure = query.get(5, TimeUnit.SECONDS);
            assertThat(failure).isInstanceOf(SQLException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000L);
            assertThat(connection.isClosed()).isTrue();
        }
    }

    @Test
    void aDataDirectoryWhosePathIsTooLongForASocketFileHasItsSocketInAPrivateTemporaryDirectory() throws Exception {
        Path base = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "pg-long-");
        Path dataDir = base.resolve("d".repeat(120));
        Path socketDirectory;
        try (EmbeddedPostgres pg = EmbeddedPostgres.open(dataDir, true)) {
            socketDirectory = pg.socketFile().getParent();
            assertThat(socketDirectory).startsWith(Path.of(System.getProperty("java.io.tmpdir")));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socketDirectory)))
                    .isEqualTo("rwx------");
            try (Connection connection = java.sql.DriverManager.getConnection(pg.jdbcUrl(), EmbeddedPostgres.USER,
                    null)) {
                assertThat(serverAddress(connection)).isNull();
            }
            assertThat(Files.exists(dataDir.resolve("run"))).isFalse();
            // A process that joins finds the socket where postmaster.pid says it is.
            try (EmbeddedPostgres joined = EmbeddedPostgres.open(dataDir, false)) {
                assertThat(joined.socketFile()).isEqualTo(pg.socketFile());
            }
        }
        assertThat(Files.exists(socketDirectory)).isFalse();
    }

    @Test
    void aProcessJoiningARunningPostgresFindsItsSocketFile() throws Exception {
        Path dataDir = TestServer.shortDataDir("pg-join-");
        try (EmbeddedPostgres owner = EmbeddedPostgres.open(dataDir, true);
                EmbeddedPostgres joined = EmbeddedPostgres.open(dataDir, false)) {
            assertThat(joined.owner()).isFalse();
            assertThat(Files.exists(owner.socketFile())).isTrue();
            assertThat(joined.socketFile()).isEqualTo(owner.socketFile());
            try (Connection connection = java.sql.DriverManager.getConnection(joined.jdbcUrl(),
                    EmbeddedPostgres.USER, null)) {
                assertThat(serverAddress(connection)).isNull();
            }
        } finally {
            TestServer.removeLink(dataDir);
        }
    }

    private static String md5(String text) throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("MD5")
                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(digest);
    }
}
