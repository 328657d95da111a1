package dev.openplus.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;

/** The embedded PostgreSQL keeps data across restarts, is durable, and recovers from an owner that died. */
class EmbeddedPostgresTest {

    private static Connection connect(EmbeddedPostgres pg) throws Exception {
        return DriverManager.getConnection(pg.jdbcUrl(), EmbeddedPostgres.USER, null);
    }

    private static String setting(Connection connection, String name) throws Exception {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("show " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void dataSurvivesACleanRestartAndAnAbandonedPostmaster() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "pg-restart-");
        EmbeddedPostgres first = EmbeddedPostgres.open(dataDir, true);
        assertThat(first.owner()).isTrue();
        try (Connection connection = connect(first); Statement statement = connection.createStatement()) {
            assertThat(setting(connection, "fsync")).isEqualTo("on");
            assertThat(setting(connection, "synchronous_commit")).isEqualTo("on");
            assertThat(setting(connection, "full_page_writes")).isEqualTo("on");
            statement.execute("create table kept (value text)");
            statement.execute("insert into kept values ('before restart')");
        }
        first.close();
        assertThat(Files.exists(dataDir.resolve("pg/postmaster.pid"))).isFalse();

        EmbeddedPostgres second = EmbeddedPostgres.open(dataDir, true);
        try (Connection connection = connect(second); Statement statement = connection.createStatement()) {
            statement.execute("insert into kept values ('before crash')");
        }
        // The owner dies without stopping PostgreSQL, as a kill -9 of the server leaves it.
        int orphanPort = second.port();
        second.abandonForTest();

        EmbeddedPostgres third = EmbeddedPostgres.open(dataDir, true);
        try (Connection connection = connect(third); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("select count(*) from kept")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2);
        } finally {
            third.close();
        }
        assertThat(third.port()).isNotEqualTo(0);
        assertThat(orphanPort).isNotEqualTo(0);
    }

    @Test
    void aSecondServerOnTheSameDirectoryIsRefused() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "pg-exclusive-");
        try (EmbeddedPostgres owner = EmbeddedPostgres.open(dataDir, true)) {
            assertThatThrownBy(() -> EmbeddedPostgres.open(dataDir, true))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("already running");
            try (EmbeddedPostgres joined = EmbeddedPostgres.open(dataDir, false)) {
                assertThat(joined.owner()).isFalse();
                assertThat(joined.port()).isEqualTo(owner.port());
            }
            // Joining from the owner's own JVM (an admin command in a test) must leave the owner's lock in
            // place for other processes: they would otherwise take its PostgreSQL for an orphan and stop it.
            assertThat(processLocks(dataDir.resolve("openplus.lock"))).isEqualTo(1);
        }
        assertThat(processLocks(dataDir.resolve("openplus.lock"))).isZero();
    }

    /** POSIX locks this process holds on the file, as the kernel lists them in /proc/locks. */
    private static long processLocks(Path file) throws Exception {
        long inode = (Long) Files.getAttribute(file, "unix:ino");
        String pid = Long.toString(ProcessHandle.current().pid());
        return Files.readAllLines(Path.of("/proc/locks")).stream()
                .map(line -> line.trim().split("\\s+"))
                .filter(fields -> fields.length > 5 && fields[1].equals("POSIX") && fields[4].equals(pid)
                        && fields[5].endsWith(":" + inode))
                .count();
    }
}
