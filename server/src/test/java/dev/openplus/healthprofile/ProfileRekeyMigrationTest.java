package dev.openplus.healthprofile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import dev.openplus.support.TestServer;

/**
 * Profiles stored before profile question ids were derived (V8) are re-keyed by it: a database migrated up to
 * the care-plan migration, holding patients with profiles, profile items and an answer, is migrated to the end.
 * Each profile keeps its patient and its first 20 hex characters (new ids where two profiles shared them), the
 * items are gone, the questions and the answer are read through the new view, and the catalogue refuses numbers
 * beyond four hex digits.
 */
class ProfileRekeyMigrationTest {
    private static final String ORGANIZATION = "0000000000000000000000a1";

    @Test
    void existingProfilesAreRekeyedAndKeepTheirQuestionsAndAnswers() throws Exception {
        TestServer shared = TestServer.get();
        String database = "profile_rekey_" + System.nanoTime();
        try (Connection admin = DriverManager.getConnection(shared.jdbcUrl("postgres"), "postgres", "");
                Statement statement = admin.createStatement()) {
            statement.execute("create database " + database);
        }
        String url = shared.jdbcUrl(database);
        try {
            Flyway.configure().dataSource(url, "postgres", "").locations("classpath:db/migration").target("2").load()
                    .migrate();
            try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                    Statement statement = connection.createStatement()) {
                statement.execute("insert into organization (id, name) values ('" + ORGANIZATION + "', 'Before')");
                statement.execute("insert into patient (id, organization_id, birth_date, gender) values"
                        + " ('0000000000000000000000b1', '" + ORGANIZATION + "', '1970-01-01', 'female'),"
                        + " ('0000000000000000000000b2', '" + ORGANIZATION + "', '1990-01-01', 'male'),"
                        + " ('0000000000000000000000b3', '" + ORGANIZATION + "', null, null)");
            }
            // V5 gives the existing patients their profiles and items (arbitrary ids).
            Flyway.configure().dataSource(url, "postgres", "").locations("classpath:db/migration").target("6").load()
                    .migrate();
            Map<String, String> before = new LinkedHashMap<>();
            try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                    Statement statement = connection.createStatement()) {
                assertThat(count(statement, "select count(*) from health_profile_item")).isEqualTo(90);
                // Two profiles that share their first 20 hex characters cannot both keep them.
                statement.execute("delete from health_profile_item where patient_id = '0000000000000000000000b3'");
                statement.execute("update health_profile set id = (select left(id, 20) || 'ffff' from health_profile"
                        + " where patient_id = '0000000000000000000000b2') where patient_id = '0000000000000000000000b3'");
                statement.execute("insert into health_profile_answer (id, organization_id, patient_id, question_id,"
                        + " history, latest, latest_value, latest_answered_at) values ('0000000000000000000000c1', '"
                        + ORGANIZATION + "', '0000000000000000000000b1', '4', '[]', '{}', '2', now())");
                try (ResultSet profiles = statement.executeQuery(
                        "select patient_id, id from health_profile order by patient_id")) {
                    while (profiles.next()) {
                        before.put(profiles.getString(1), profiles.getString(2));
                    }
                }
            }

            Flyway.configure().dataSource(url, "postgres", "").locations("classpath:db/migration").load().migrate();

            try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                    Statement statement = connection.createStatement()) {
                Map<String, String> after = new LinkedHashMap<>();
                try (ResultSet profiles = statement.executeQuery(
                        "select patient_id, id from health_profile order by patient_id")) {
                    while (profiles.next()) {
                        after.put(profiles.getString(1), profiles.getString(2));
                    }
                }
                assertThat(after.keySet()).isEqualTo(before.keySet());
                assertThat(after.values()).allMatch(id -> id.matches("[0-9a-f]{20}0000")).doesNotHaveDuplicates();
                String first = "0000000000000000000000b1";
                assertThat(after.get(first)).isEqualTo(before.get(first).substring(0, 20) + "0000");
                assertThat(after.get("0000000000000000000000b2")).as("shared its first 20 characters")
                        .isNotEqualTo(before.get("0000000000000000000000b2").substring(0, 20) + "0000");
                assertThat(count(statement, "select count(*) from information_schema.tables"
                        + " where table_name = 'health_profile_item'")).isZero();

                assertThat(count(statement, "select count(*) from health_profile_question where profile_id = '"
                        + after.get(first) + "' and question_number = 4 and answer_id = '0000000000000000000000c1'"))
                        .as("the answer is still the profile question's").isEqualTo(1);
                assertThat(count(statement, "select count(*) from health_profile_question where patient_id = '"
                        + "0000000000000000000000b3'")).as("questions without requirements only").isEqualTo(17);
                try (ResultSet stats = statement.executeQuery("select stats -> 3 ->> 'answered' from"
                        + " health_profile_with_stats where patient_id = '" + first + "'")) {
                    assertThat(stats.next()).isTrue();
                    assertThat(stats.getString(1)).isEqualTo("1");
                }

                statement.execute(question("65535"));
                assertThat(count(statement, "select number from health_question_definition where id = '65535'"))
                        .isEqualTo(65535);
                assertThatThrownBy(() -> statement.execute(question("65536"))).isInstanceOf(SQLException.class)
                        .hasMessageContaining("health_question_definition_number_fits");
                assertThatThrownBy(() -> statement.execute("update health_profile set id = '0000000000000000000000d1'"
                        + " where patient_id = '" + first + "'")).isInstanceOf(SQLException.class)
                        .hasMessageContaining("health_profile_id_ends_in_zeros");
            }
        } finally {
            try (Connection admin = DriverManager.getConnection(shared.jdbcUrl("postgres"), "postgres", "");
                    Statement statement = admin.createStatement()) {
                statement.execute("drop database " + database);
            }
        }
    }

    private static String question(String id) {
        return "insert into health_question_definition (id, category, text, format) values ('" + id
                + "', 'lifestyle_behaviors', 'Later?', '{\"type\": \"yes_no\", \"data\": []}')";
    }

    private static long count(Statement statement, String sql) throws SQLException {
        try (ResultSet result = statement.executeQuery(sql)) {
            assertThat(result.next()).isTrue();
            return result.getLong(1);
        }
    }
}
