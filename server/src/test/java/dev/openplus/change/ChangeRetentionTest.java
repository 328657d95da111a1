package dev.openplus.change;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.openplus.config.Config;
import dev.openplus.db.Database;
import dev.openplus.support.TestServer;

/**
 * The pruning loop on a database of its own (the shared test server prunes nothing: other classes read its
 * changes, and its statements would count in the statement-counting tests): started with a short interval, it
 * deletes the changes older than the retention period, oldest first, keeps the newer ones, and moves the
 * organization's horizon past what it deleted; an interval of zero never prunes.
 */
class ChangeRetentionTest {

    @Test
    void theLoopPrunesChangesOlderThanTheRetentionAndKeepsTheRest() throws Exception {
        TestServer shared = TestServer.get();
        String name = "change_retention_" + System.nanoTime();
        try (Connection admin = DriverManager.getConnection(shared.jdbcUrl("postgres"), "postgres", "");
                Statement statement = admin.createStatement()) {
            statement.execute("create database " + name);
        }
        String url = shared.jdbcUrl(name);
        Path unusedDataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "retention-");
        Map<String, String> env = Map.of("OPENPLUS_DATABASE_URL", url, "OPENPLUS_DATABASE_USER", "postgres",
                "OPENPLUS_DATA_DIR", unusedDataDir.toString(), "OPENPLUS_CHANGE_RETENTION", "30");
        try (Database database = Database.open(Config.fromMap(env), true);
                Connection connection = DriverManager.getConnection(url, "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.execute("insert into organization (id, name) values ('0000000000000000000000a1', 'Kept')");
            statement.execute("insert into patient (id, organization_id) select lpad(to_hex(n), 24, '0'),"
                    + " '0000000000000000000000a1' from generate_series(1, 5) n");
            statement.execute("update patient set organization_id = organization_id where id <= lpad('3', 24, '0')");
            // The organization's and the first three patients' creations happened long ago; their updates now.
            statement.execute("update change set changed_at = now() - interval '40 days' where action = 'created'"
                    + " and resource_id <= lpad('3', 24, '0') or resource_type = 'organization'");
            List<String> before = changes(statement);
            assertThat(before).hasSize(1 + 5 + 3); // the organization, the patients, the three updates

            // Zero: never started.
            try (ChangeRetention off = new ChangeRetention(database,
                    Config.fromMap(Map.of("OPENPLUS_CHANGE_PRUNE_INTERVAL", "0")).changeRetention()).start()) {
                Thread.sleep(300);
            }
            assertThat(changes(statement)).isEqualTo(before);

            try (ChangeRetention retention = new ChangeRetention(database,
                    new Config.ChangeRetention(Duration.ofDays(30), Duration.ofMillis(100))).start()) {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (changes(statement).size() == before.size() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
            }
            // The old prefix in feed order is gone: the organization's and the first three patients' creations;
            // the two recent creations, and the updates that follow them in feed order, are kept.
            List<String> after = changes(statement);
            List<String> expected = new ArrayList<>(before);
            expected.removeIf(change -> change.startsWith("organization ")
                    || change.matches("patient 0+[123] created"));
            assertThat(expected).hasSize(before.size() - 4);
            assertThat(after).isEqualTo(expected);
            try (ResultSet horizon = statement.executeQuery("select count(*) from change_horizon h join change c"
                    + " on (c.position, c.id) <= (h.position, h.id)")) {
                horizon.next();
                assertThat(horizon.getInt(1)).as("no kept change lies at or before the horizon").isZero();
            }
            try (ResultSet horizon = statement.executeQuery("select count(*) from change_horizon")) {
                horizon.next();
                assertThat(horizon.getInt(1)).isEqualTo(1);
            }
        } finally {
            try (Connection admin = DriverManager.getConnection(shared.jdbcUrl("postgres"), "postgres", "");
                    Statement statement = admin.createStatement()) {
                statement.execute("drop database if exists " + name + " with (force)");
            }
        }
    }

    private static List<String> changes(Statement statement) throws Exception {
        List<String> changes = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery("select resource_type, resource_id, action from change"
                + " order by position, id")) {
            while (rows.next()) {
                changes.add(rows.getString(1) + " " + rows.getString(2) + " " + rows.getString(3));
            }
        }
        return changes;
    }
}
