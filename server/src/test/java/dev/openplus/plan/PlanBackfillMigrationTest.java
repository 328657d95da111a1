package dev.openplus.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import dev.openplus.support.TestServer;

/**
 * Patients stored before the care-plan migration get their plan summary from it: a database migrated up to
 * the patients' migration, holding a patient, is migrated to the end.
 */
class PlanBackfillMigrationTest {

    @Test
    void existingPatientsGetOnePlanSummaryEach() throws Exception {
        TestServer shared = TestServer.get();
        String database = "plan_backfill_" + System.nanoTime();
        try (Connection admin = DriverManager.getConnection(shared.jdbcUrl("postgres"), "postgres", "");
                Statement statement = admin.createStatement()) {
            statement.execute("create database " + database);
        }
        String url = shared.jdbcUrl(database);
        Flyway.configure().dataSource(url, "postgres", "").locations("classpath:db/migration").target("2").load().migrate();
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.execute("insert into organization (id, name) values ('0000000000000000000000a1', 'Before')");
            statement.execute("insert into patient (id, organization_id, created_at) values"
                    + " ('0000000000000000000000b1', '0000000000000000000000a1', '2020-05-01T10:00:00Z'),"
                    + " ('0000000000000000000000b2', '0000000000000000000000a1', '2021-06-01T10:00:00Z')");
        }
        Flyway.configure().dataSource(url, "postgres", "").locations("classpath:db/migration").load().migrate();
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                Statement statement = connection.createStatement();
                ResultSet plans = statement.executeQuery("select s.id, s.organization_id, s.time_zone,"
                        + " s.effective_from = p.created_at, s.window_notification_times ->> 'night'"
                        + " from patient_plan_summary s join patient p on p.id = s.patient_id order by p.id")) {
            for (int i = 0; i < 2; i++) {
                assertThat(plans.next()).isTrue();
                assertThat(plans.getString(1)).matches("[0-9a-f]{24}");
                assertThat(plans.getString(2)).isEqualTo("0000000000000000000000a1");
                assertThat(plans.getString(3)).isEqualTo("UTC");
                assertThat(plans.getBoolean(4)).as("effective from the patient's creation").isTrue();
                assertThat(plans.getString(5)).isEqualTo("75600");
            }
            assertThat(plans.next()).isFalse();
        }
        try (Connection admin = DriverManager.getConnection(shared.jdbcUrl("postgres"), "postgres", "");
                Statement statement = admin.createStatement()) {
            statement.execute("drop database " + database);
        }
    }
}
