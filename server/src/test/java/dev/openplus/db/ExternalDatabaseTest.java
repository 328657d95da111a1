package dev.openplus.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.openplus.Application;
import dev.openplus.config.Config;
import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * With OPENPLUS_DATABASE_URL set, nothing is embedded: the server runs on the given PostgreSQL (here the test
 * run's own, reached by URL like any external server) and sees the same data.
 */
class ExternalDatabaseTest {

    @Test
    void serverRunsOnAnExternalDatabaseGivenByUrl() throws Exception {
        TestServer shared = TestServer.get();
        Fixtures.Tenant tenant = new Fixtures(shared).tenant("External Database Org");
        Path unusedDataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "external-");
        Config config = Config.fromMap(Map.of(
                "OPENPLUS_DATABASE_URL", shared.jdbcUrl("postgres"),
                "OPENPLUS_DATABASE_USER", "postgres",
                "OPENPLUS_DATA_DIR", unusedDataDir.toString(),
                "OPENPLUS_PORT", "0"));
        assertThat(config.embeddedDatabase()).isFalse();
        try (Database database = Database.open(config, true);
                Application application = Application.start(config, database)) {
            Api api = new Api("http://127.0.0.1:" + application.port());
            assertThat(api.get("/ready", null).status()).isEqualTo(200);
            Api.Response organization = api.get("/pub/organization/" + tenant.organizationId(), tenant.token());
            assertThat(organization.status()).isEqualTo(200);
            assertThat(organization.at("/data/attributes/name").asText()).isEqualTo("External Database Org");
        }
        // Nothing was embedded: the data directory stays empty.
        try (var entries = Files.list(unusedDataDir)) {
            assertThat(entries.count()).isZero();
        }
        assertThat(shared.api().get("/ready", null).status()).isEqualTo(200);
    }
}
