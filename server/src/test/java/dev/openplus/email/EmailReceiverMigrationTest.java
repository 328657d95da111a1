package dev.openplus.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import dev.openplus.support.TestServer;

/**
 * Emails stored before the receiver became a patient or a coach keep their (patient) receiver: a database migrated
 * up to V6, holding an email, is migrated to the end; afterwards exactly one receiver column must be set.
 */
class EmailReceiverMigrationTest {

    @Test
    void storedReceiversArePatientsAndExactlyOneReceiverIsSet() throws Exception {
        TestServer shared = TestServer.get();
        String database = "email_receiver_" + System.nanoTime();
        try (Connection admin = DriverManager.getConnection(shared.jdbcUrl("postgres"), "postgres", "");
                Statement statement = admin.createStatement()) {
            statement.execute("create database " + database);
        }
        String url = shared.jdbcUrl(database);
        Flyway.configure().dataSource(url, "postgres", "").locations("classpath:db/migration").target("6").load().migrate();
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.execute("insert into organization (id, name) values ('0000000000000000000000a1', 'Before')");
            statement.execute("insert into patient (id, organization_id) values ('0000000000000000000000b1',"
                    + " '0000000000000000000000a1')");
            statement.execute("insert into coach (id, organization_id) values ('0000000000000000000000c1',"
                    + " '0000000000000000000000a1')");
            statement.execute("insert into email_history (id, organization_id, email_address, email_type, send_time,"
                    + " receiver_id, sender_id) values ('0000000000000000000000e1', '0000000000000000000000a1',"
                    + " 'old@example.com', 'invite', '2017-01-01T00:00:00Z', '0000000000000000000000b1',"
                    + " '0000000000000000000000c1')");
        }
        Flyway.configure().dataSource(url, "postgres", "").locations("classpath:db/migration").load().migrate();
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                Statement statement = connection.createStatement()) {
            try (ResultSet email = statement.executeQuery("select receiver_patient_id, receiver_coach_id, sender_id"
                    + " from email_history where id = '0000000000000000000000e1'")) {
                assertThat(email.next()).isTrue();
                assertThat(email.getString(1)).isEqualTo("0000000000000000000000b1");
                assertThat(email.getString(2)).isNull();
                assertThat(email.getString(3)).isEqualTo("0000000000000000000000c1");
            }
            String insert = "insert into email_history (id, organization_id, email_address, email_type, send_time,"
                    + " receiver_patient_id, receiver_coach_id) values ('0000000000000000000000e2',"
                    + " '0000000000000000000000a1', 'new@example.com', 'invite', now(), ";
            assertThatThrownBy(() -> statement.execute(insert + "'0000000000000000000000b1', '0000000000000000000000c1')"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("email_history_one_receiver");
            assertThatThrownBy(() -> statement.execute(insert + "null, null)"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("email_history_one_receiver");
            statement.execute(insert + "null, '0000000000000000000000c1')");
            // Removing a receiver removes its emails, for either type.
            statement.execute("delete from patient where id = '0000000000000000000000b1'");
            try (ResultSet left = statement.executeQuery("select id from email_history order by id")) {
                assertThat(left.next()).isTrue();
                assertThat(left.getString(1)).isEqualTo("0000000000000000000000e2");
                assertThat(left.next()).isFalse();
            }
            statement.execute("delete from coach where id = '0000000000000000000000c1'");
            try (ResultSet left = statement.executeQuery("select count(*) from email_history")) {
                assertThat(left.next()).isTrue();
                assertThat(left.getInt(1)).isZero();
            }
        }
        try (Connection admin = DriverManager.getConnection(shared.jdbcUrl("postgres"), "postgres", "");
                Statement statement = admin.createStatement()) {
            statement.execute("drop database " + database);
        }
    }
}
