package dev.openplus.patient;

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
 * Patients stored before the linkage was kept on their rows get it from their migration (V12): a database
 * migrated to just before it, holding patients with groups and coaches, is migrated to the end and every
 * patient's arrays equal its join rows; join rows changed with the triggers disabled are set right again by
 * stored_linkage_refresh().
 */
class StoredLinkageMigrationTest {
    private static final String ORGANIZATION = "0000000000000000000000a1";

    @Test
    void existingLinksAreStoredWhenTheLinkageIsInstalled() throws Exception {
        TestServer shared = TestServer.get();
        String database = "stored_linkage_backfill_" + System.nanoTime();
        try (Connection admin = DriverManager.getConnection(shared.jdbcUrl("postgres"), "postgres", "");
                Statement statement = admin.createStatement()) {
            statement.execute("create database " + database);
        }
        String url = shared.jdbcUrl(database);
        try {
            String before = java.util.Arrays.stream(Flyway.configure().dataSource(url, "postgres", "")
                    .locations("classpath:db/migration").load().info().all())
                    .map(MigrationInfo::getVersion).filter(version -> version.compareTo(MigrationVersion.fromVersion("12")) < 0)
                    .max(MigrationVersion::compareTo).orElseThrow().getVersion();
            Flyway.configure().dataSource(url, "postgres", "").locations("classpath:db/migration").target(before).load()
                    .migrate();
            try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                    Statement statement = connection.createStatement()) {
                statement.execute("insert into organization (id, name) values ('" + ORGANIZATION + "', 'Before')");
                statement.execute("insert into patient_group (id, organization_id, name) values"
                        + " ('0000000000000000000000c2', '" + ORGANIZATION + "', 'Two'),"
                        + " ('0000000000000000000000c1', '" + ORGANIZATION + "', 'One')");
                statement.execute("insert into coach (id, organization_id) values"
                        + " ('0000000000000000000000d2', '" + ORGANIZATION + "'),"
                        + " ('0000000000000000000000d1', '" + ORGANIZATION + "')");
                statement.execute("insert into patient (id, organization_id) values"
                        + " ('0000000000000000000000b1', '" + ORGANIZATION + "'),"
                        + " ('0000000000000000000000b2', '" + ORGANIZATION + "'),"
                        + " ('0000000000000000000000b3', '" + ORGANIZATION + "')");
                // Inserted in the reverse of id order: the stored arrays are in id order all the same.
                statement.execute("insert into patient_group_member (patient_id, group_id, organization_id) values"
                        + " ('0000000000000000000000b1', '0000000000000000000000c1', '" + ORGANIZATION + "'),"
                        + " ('0000000000000000000000b2', '0000000000000000000000c2', '" + ORGANIZATION + "'),"
                        + " ('0000000000000000000000b2', '0000000000000000000000c1', '" + ORGANIZATION + "')");
                statement.execute("insert into patient_coach (patient_id, coach_id, organization_id, is_primary) values"
                        + " ('0000000000000000000000b2', '0000000000000000000000d2', '" + ORGANIZATION + "', true),"
                        + " ('0000000000000000000000b2', '0000000000000000000000d1', '" + ORGANIZATION + "', false)");
            }
            Flyway.configure().dataSource(url, "postgres", "").locations("classpath:db/migration").load().migrate();
            try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                    Statement statement = connection.createStatement()) {
                Map<String, String> expected = new LinkedHashMap<>();
                expected.put("0000000000000000000000b1", "{0000000000000000000000c1} {} {}");
                expected.put("0000000000000000000000b2", "{0000000000000000000000c1,0000000000000000000000c2}"
                        + " {0000000000000000000000d1,0000000000000000000000d2} {f,t}");
                expected.put("0000000000000000000000b3", "{} {} {}");
                assertThat(stored(statement)).isEqualTo(expected);

                // Join rows changed behind the triggers' back stay stale until the refresh.
                statement.execute("set session_replication_role = replica");
                statement.execute("delete from patient_group_member where patient_id = '0000000000000000000000b2'"
                        + " and group_id = '0000000000000000000000c1'");
                statement.execute("insert into patient_coach (patient_id, coach_id, organization_id, is_primary)"
                        + " values ('0000000000000000000000b3', '0000000000000000000000d1', '" + ORGANIZATION + "', true)");
                statement.execute("set session_replication_role = origin");
                assertThat(stored(statement)).isEqualTo(expected);
                statement.execute("select stored_linkage_refresh()");
                expected.put("0000000000000000000000b2", "{0000000000000000000000c2}"
                        + " {0000000000000000000000d1,0000000000000000000000d2} {f,t}");
                expected.put("0000000000000000000000b3", "{} {0000000000000000000000d1} {t}");
                assertThat(stored(statement)).isEqualTo(expected);
            }
        } finally {
            try (Connection admin = DriverManager.getConnection(shared.jdbcUrl("postgres"), "postgres", "");
                    Statement statement = admin.createStatement()) {
                statement.execute("drop database " + database + " with (force)");
            }
        }
    }

    private static Map<String, String> stored(Statement statement) throws Exception {
        Map<String, String> stored = new LinkedHashMap<>();
        try (ResultSet rows = statement.executeQuery("select id, group_ids::text || ' ' || coach_ids::text || ' '"
                + " || coach_primary_flags::text from patient order by id")) {
            while (rows.next()) {
                stored.put(rows.getString(1), rows.getString(2));
            }
        }
        return stored;
    }
}
