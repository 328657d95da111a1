package dev.openplus.jsonapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;

import dev.openplus.support.TestServer;

/**
 * Rows stored before the kept counts existed are counted by their migration: a database migrated to just
 * before it, holding patients, group members and events, is migrated to the end, and the ledger holds their
 * counts; a write after it moves them, and kept_count_recount counts rows changed behind the triggers' back.
 */
class KeptCountMigrationTest {

    @Test
    void existingRowsAreCountedWhenTheCountsAreInstalled() throws Exception {
        TestServer shared = TestServer.get();
        String database = "kept_count_backfill_" + System.nanoTime();
        try (Connection admin = DriverManager.getConnection(shared.jdbcUrl("postgres"), "postgres", "");
                Statement statement = admin.createStatement()) {
            statement.execute("create database " + database);
        }
        String url = shared.jdbcUrl(database);
        try {
            // The last migration before the kept counts' (V10), whichever that is.
            String before = java.util.Arrays.stream(Flyway.configure().dataSource(url, "postgres", "")
                    .locations("classpath:db/migration").load().info().all())
                    .map(MigrationInfo::getVersion).filter(version -> version.compareTo(MigrationVersion.fromVersion("10")) < 0)
                    .max(MigrationVersion::compareTo).orElseThrow().getVersion();
            Flyway.configure().dataSource(url, "postgres", "").locations("classpath:db/migration").target(before).load()
                    .migrate();
            try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                    Statement statement = connection.createStatement()) {
                statement.execute("insert into organization (id, name) values"
                        + " ('0000000000000000000000a1', 'Before'), ('0000000000000000000000a2', 'Other')");
                statement.execute("insert into patient_group (id, organization_id, name) values"
                        + " ('0000000000000000000000c1', '0000000000000000000000a1', 'One'),"
                        + " ('0000000000000000000000c2', '0000000000000000000000a1', 'Two')");
                statement.execute("insert into patient (id, organization_id) values"
                        + " ('0000000000000000000000b1', '0000000000000000000000a1'),"
                        + " ('0000000000000000000000b2', '0000000000000000000000a1'),"
                        + " ('0000000000000000000000b3', '0000000000000000000000a1'),"
                        + " ('0000000000000000000000b4', '0000000000000000000000a2')");
                statement.execute("insert into patient_group_member (patient_id, group_id, organization_id) values"
                        + " ('0000000000000000000000b1', '0000000000000000000000c1', '0000000000000000000000a1'),"
                        + " ('0000000000000000000000b2', '0000000000000000000000c1', '0000000000000000000000a1'),"
                        + " ('0000000000000000000000b2', '0000000000000000000000c2', '0000000000000000000000a1')");
                statement.execute("insert into calendar_event (id, organization_id, owner_id, type, time_zone, all_day,"
                        + " start_at, title) values"
                        + " ('0000000000000000000000e1', '0000000000000000000000a1', '0000000000000000000000b1',"
                        + " 'reminder', 'UTC', true, '2024-01-01T00:00:00Z', 'One'),"
                        + " ('0000000000000000000000e2', '0000000000000000000000a1', '0000000000000000000000b1',"
                        + " 'reminder', 'UTC', true, '2024-01-02T00:00:00Z', 'Two')");
            }
            Flyway.configure().dataSource(url, "postgres", "").locations("classpath:db/migration").load().migrate();
            try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                    Statement statement = connection.createStatement()) {
                Map<String, Long> expected = new LinkedHashMap<>();
                expected.put("patient.organization_id 0000000000000000000000a1 0000000000000000000000a1", 3L);
                expected.put("patient.organization_id 0000000000000000000000a2 0000000000000000000000a2", 1L);
                expected.put("patient_group_member.group_id 0000000000000000000000a1 0000000000000000000000c1", 2L);
                expected.put("patient_group_member.group_id 0000000000000000000000a1 0000000000000000000000c2", 1L);
                expected.put("calendar_event.organization_id 0000000000000000000000a1 0000000000000000000000a1", 2L);
                expected.put("calendar_event.owner_id 0000000000000000000000a1 0000000000000000000000b1", 2L);
                assertThat(counts(statement)).isEqualTo(expected);

                // ON CONFLICT DO NOTHING: only the row really inserted is counted.
                statement.execute("insert into patient (id, organization_id) values"
                        + " ('0000000000000000000000b1', '0000000000000000000000a1'),"
                        + " ('0000000000000000000000b5', '0000000000000000000000a1') on conflict do nothing");
                expected.put("patient.organization_id 0000000000000000000000a1 0000000000000000000000a1", 4L);
                assertThat(counts(statement)).isEqualTo(expected);

                statement.execute("delete from patient where id in ('0000000000000000000000b2', '0000000000000000000000b5')");
                expected.put("patient.organization_id 0000000000000000000000a1 0000000000000000000000a1", 2L);
                expected.put("patient_group_member.group_id 0000000000000000000000a1 0000000000000000000000c1", 1L);
                expected.put("patient_group_member.group_id 0000000000000000000000a1 0000000000000000000000c2", 0L);
                assertThat(counts(statement)).isEqualTo(expected);

                // Rows changed with the triggers disabled are counted again by kept_count_recount.
                statement.execute("set session_replication_role = replica");
                statement.execute("delete from calendar_event where id = '0000000000000000000000e2'");
                statement.execute("set session_replication_role = origin");
                statement.execute("select kept_count_recount(counter) from kept_count_counter");
                expected.remove("patient_group_member.group_id 0000000000000000000000a1 0000000000000000000000c2");
                expected.put("calendar_event.organization_id 0000000000000000000000a1 0000000000000000000000a1", 1L);
                expected.put("calendar_event.owner_id 0000000000000000000000a1 0000000000000000000000b1", 1L);
                assertThat(counts(statement)).isEqualTo(expected);
                try (ResultSet rows = statement.executeQuery("select count(*) from kept_count")) {
                    rows.next();
                    assertThat(rows.getLong(1)).as("one ledger row per key").isEqualTo(expected.size());
                }
            }
        } finally {
            try (Connection admin = DriverManager.getConnection(shared.jdbcUrl("postgres"), "postgres", "");
                    Statement statement = admin.createStatement()) {
                statement.execute("drop database " + database + " with (force)");
            }
        }
    }

    private static Map<String, Long> counts(Statement statement) throws Exception {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (ResultSet rows = statement.executeQuery("select counter || ' ' || organization_id || ' ' || key, sum(delta)"
                + " from kept_count group by 1 order by 1")) {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getLong(2));
            }
        }
        return counts;
    }
}
