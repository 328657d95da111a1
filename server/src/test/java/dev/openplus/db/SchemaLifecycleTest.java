package dev.openplus.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.openplus.config.Config;
import dev.openplus.support.LogCapture;
import dev.openplus.support.TestServer;

/** What opening a database says in the log: the migrations it ran, or the version it found; an old server. */
class SchemaLifecycleTest {

    @Test
    void migrationsSayFromWhichVersionToWhich() throws Exception {
        int latest = latestMigration();
        long count;
        try (var files = Files.list(Path.of("src/main/resources/db/migration"))) {
            count = files.filter(file -> file.getFileName().toString().matches("V\\d+__.*\\.sql")).count();
        }
        TestServer server = TestServer.get();
        try (Connection shared = server.database.dedicatedConnection(); Statement statement = shared.createStatement()) {
            statement.execute("drop database if exists schema_lifecycle");
            statement.execute("create database schema_lifecycle");
        }
        Path unusedDataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "schema-lifecycle-");
        Config config = Config.fromMap(Map.of("OPENPLUS_DATABASE_URL", server.jdbcUrl("schema_lifecycle"),
                "OPENPLUS_DATABASE_USER", "postgres", "OPENPLUS_DATA_DIR", unusedDataDir.toString()));
        try (LogCapture log = new LogCapture(Database.class)) {
            Database.open(config, true).close();
            assertThat(log.lines()).containsExactly("INFO migrated the schema from an empty database to version "
                    + latest + " (" + count + " migrations)");
        }
        try (LogCapture log = new LogCapture(Database.class)) {
            Database.open(config, true).close();
            assertThat(log.lines()).containsExactly("INFO schema up to date at version " + latest);
        }
        // Admin commands open the database too; an up-to-date schema is not worth a line each time.
        try (LogCapture log = new LogCapture(Database.class)) {
            Database.open(config, false).close();
            assertThat(log.lines()).isEmpty();
        }
        // From one version to the next: the last migration undone by hand, then applied again. A new migration
        // adds its undo here.
        Map<Integer, List<String>> undo = Map.of(
                16, List.of("drop index api_client_one_active_demo", "alter table api_client drop column demo"),
                18, List.of("drop table webhook_subscription"),
                19, List.of("drop table fhir_export_file", "drop table fhir_export_job"));
        assertThat(undo).as("the undo of the latest migration, V%d", latest).containsKey(latest);
        try (Connection connection = java.sql.DriverManager.getConnection(server.jdbcUrl("schema_lifecycle"),
                "postgres", null); Statement statement = connection.createStatement()) {
            for (String sql : undo.get(latest)) {
                statement.execute(sql);
            }
            statement.execute("delete from flyway_schema_history where version = '" + latest + "'");
        }
        try (LogCapture log = new LogCapture(Database.class)) {
            Database.open(config, false).close();
            assertThat(log.lines()).containsExactly("INFO migrated the schema from version " + (latest - 1)
                    + " to version " + latest + " (1 migration)");
        }
    }

    @Test
    void anExternalPostgresOlderThanTheTestedOneIsWarnedAbout() {
        assertThat(Database.versionWarning(150004, "15.4")).isEqualTo("the external PostgreSQL is version 15.4, "
                + "older than PostgreSQL 17, the version OpenPlus is tested with; upgrade it before relying on it "
                + "(docs/operations.md, External PostgreSQL)");
        assertThat(Database.versionWarning(160009, "16.9 (Debian 16.9-1)")).startsWith(
                "the external PostgreSQL is version 16.9 (Debian 16.9-1), older than PostgreSQL 17");
        assertThat(Database.versionWarning(170000, "17.0")).isNull();
        assertThat(Database.versionWarning(180001, "18.1")).isNull();
        // The test run's own PostgreSQL, opened as an external one, draws no warning.
        TestServer server = TestServer.get();
        try (LogCapture log = new LogCapture(Database.class)) {
            Database.open(Config.fromMap(Map.of("OPENPLUS_DATABASE_URL", server.jdbcUrl("postgres"),
                    "OPENPLUS_DATABASE_USER", "postgres", "OPENPLUS_DATA_DIR",
                    Files.createTempDirectory(Path.of("target").toAbsolutePath(), "version-").toString())), false)
                    .close();
            assertThat(log.lines()).noneMatch(line -> line.startsWith("WARN"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The highest Vnn of the migrations this build carries. */
    private static int latestMigration() throws Exception {
        Pattern version = Pattern.compile("V(\\d+)__.*\\.sql");
        int latest = 0;
        try (var files = Files.list(Path.of("src/main/resources/db/migration"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Matcher matcher = version.matcher(file.getFileName().toString());
                if (matcher.matches()) {
                    latest = Math.max(latest, Integer.parseInt(matcher.group(1)));
                }
            }
        }
        assertThat(latest).isPositive();
        return latest;
    }
}
