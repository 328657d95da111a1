package dev.openplus.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.Application;
import dev.openplus.config.Config;
import dev.openplus.db.Database;
import dev.openplus.engine.ProbeResource;
import dev.openplus.openapi.ApiDocument;

/**
 * One embedded PostgreSQL and one server for the whole test run (Surefire runs every class in one JVM).
 * Test classes keep out of each other's way by creating their own organizations.
 */
public final class TestServer {
    private static TestServer instance;

    public final Config config;
    public final Database database;
    public final Application application;
    public final String baseUrl;

    private TestServer(Config config, Database database, Application application) {
        this.config = config;
        this.database = database;
        this.application = application;
        this.baseUrl = "http://127.0.0.1:" + application.port();
    }

    public static synchronized TestServer get() {
        refuseInTheFastTier();
        if (instance == null) {
            try {
                Path dataDir = shortDataDir("test-data-");
                // No webhook delivery threads and no pruning of the change feed: their statements would count in
                // the tests that count statements (a run-wide counter), and pruning would remove changes other
                // classes read. The webhook tests start a server of their own with short intervals;
                // ChangeRetentionTest prunes a database of its own.
                // No Bulk Data export workers or cleanup either (FhirBulkExportTest runs a server of its own with them).
                Config config = Config.fromMap(Map.of("OPENPLUS_DATA_DIR", dataDir.toString(), "OPENPLUS_PORT", "0",
                        "OPENPLUS_WEBHOOK_THREADS", "0", "OPENPLUS_CHANGE_PRUNE_INTERVAL", "0",
                        "OPENPLUS_FHIR_EXPORT_THREADS", "0", "OPENPLUS_FHIR_EXPORT_CLEANUP_INTERVAL", "0"));
                Database database = Database.open(config, true);
                Application application = Application.start(config, database, ProbeResource.install(database.dsl()));
                instance = new TestServer(config, database, application);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    application.close();
                    database.close();
                    removeLink(dataDir);
                }));
            } catch (Exception e) {
                throw new IllegalStateException("could not start the test server", e);
            }
        }
        return instance;
    }

    /**
     * A new data directory under target/, named through a short symbolic link in the temporary directory.
     * The embedded PostgreSQL's socket file lives in it, and its path must fit the operating system's 107
     * bytes wherever the project is cloned (for a longer one it moves to the temporary directory, and the tests
     * that look for it in {@code <data dir>/run} would not find it). The caller removes the link ({@link #removeLink}) after stopping PostgreSQL.
     */
    public static Path shortDataDir(String prefix) throws IOException {
        refuseInTheFastTier();
        Path dataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), prefix);
        Path link = Files.createTempDirectory("openplus-").resolve("d");
        Files.createSymbolicLink(link, dataDir);
        return link;
    }

    /** The fast tier (mvn -Pfast test) promises no database: a class tagged "fast" that needs one fails at once. */
    private static void refuseInTheFastTier() {
        if ("fast".equals(System.getProperty("openplus.test.tier"))) {
            throw new IllegalStateException("the fast test tier (mvn -Pfast test) runs without a database: a class"
                    + " that needs the test server or a PostgreSQL must not be tagged @Tag(\"fast\")");
        }
    }

    /** Removes what {@link #shortDataDir} put in the temporary directory, once PostgreSQL has stopped. */
    public static void removeLink(Path link) {
        try {
            Files.deleteIfExists(link);
            Files.deleteIfExists(link.getParent());
        } catch (IOException ignored) {
            // a link left in the temporary directory is harmless
        }
    }

    /**
     * A JDBC URL of one database of the test run's embedded PostgreSQL, through its Unix-domain socket (it
     * listens on no TCP port), for tests that reach it as an external server or a plain JDBC client would.
     */
    public String jdbcUrl(String databaseName) {
        try {
            java.util.List<String> pid = Files.readAllLines(config.dataDir().resolve("pg/postmaster.pid"));
            String port = pid.get(3).trim();
            return "jdbc:postgresql://127.0.0.1:" + port + "/" + databaseName
                    + "?socketFactory=dev.openplus.db.UnixSocketFactory&socketFactoryArg="
                    + java.net.URLEncoder.encode(pid.get(4).trim() + "/.s.PGSQL." + port, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The configuration of a second server on this run's PostgreSQL, reached by URL as an external database
     * (as db/ExternalDatabaseTest does), with a data directory of its own that stays empty.
     */
    public Config externalDatabaseConfig() throws IOException {
        Path unusedDataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "external-");
        return Config.fromMap(Map.of(
                "OPENPLUS_DATABASE_URL", jdbcUrl("postgres"),
                "OPENPLUS_DATABASE_USER", "postgres",
                "OPENPLUS_DATA_DIR", unusedDataDir.toString(),
                "OPENPLUS_PORT", "0",
                "OPENPLUS_WEBHOOK_THREADS", "0",
                "OPENPLUS_CHANGE_PRUNE_INTERVAL", "0",
                "OPENPLUS_FHIR_EXPORT_THREADS", "0",
                "OPENPLUS_FHIR_EXPORT_CLEANUP_INTERVAL", "0"));
    }

    public Api api() {
        return new Api(baseUrl);
    }

    private String openApiYaml;

    /**
     * The OpenAPI document exactly as this server serves it (GET /pub/openapi.yaml, fetched once outside
     * {@link Api}, whose exchanges are themselves checked against it).
     */
    public synchronized String openApiYaml() {
        if (openApiYaml == null) {
            try {
                HttpResponse<String> response = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(baseUrl + "/pub/openapi.yaml")).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("GET /pub/openapi.yaml answered " + response.statusCode());
                }
                openApiYaml = response.body();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return openApiYaml;
    }

    /** {@link #openApiYaml()} as a tree. */
    public JsonNode openApiDocument() {
        try {
            return ApiDocument.tree(openApiYaml().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
