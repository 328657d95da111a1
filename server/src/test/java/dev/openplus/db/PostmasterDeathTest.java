package dev.openplus.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.Application;
import dev.openplus.config.Config;
import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * A {@code kill -9} of the embedded PostgreSQL's postmaster, under a server of the test's own (its own data
 * directory: the shared test server's database stays untouched). Requests then answer 503 at once instead of
 * hanging for minutes, /health and /ready say so, and once PostgreSQL has been started again (the test holds the
 * restart to look at the server while it is down) everything works as before.
 */
class PostmasterDeathTest {
    static Path dataDir;
    static Database database;
    static Application application;
    static Api api;
    static Fixtures.Tenant tenant;
    static String groupId;

    @BeforeAll
    static void start() throws Exception {
        dataDir = TestServer.shortDataDir("pg-death-");
        // Small shared memory: PostgreSQL starts (and starts again) quicker.
        Config config = Config.fromMap(Map.of("OPENPLUS_DATA_DIR", dataDir.toString(), "OPENPLUS_PORT", "0",
                "OPENPLUS_PG_SHARED_BUFFERS", "128MB"));
        database = Database.open(config, true);
        application = Application.start(config, database);
        api = new Api("http://127.0.0.1:" + application.port());
        Fixtures fixtures = new Fixtures(config, api);
        tenant = fixtures.tenant("Postmaster Death Org");
        groupId = fixtures.apiGroup(tenant, "Before the crash");
    }

    @AfterAll
    static void stop() {
        if (application != null) {
            application.close();
        }
        if (database != null) {
            database.close();
        }
        if (dataDir != null) {
            TestServer.removeLink(dataDir);
        }
    }

    private static long postmasterPid() throws Exception {
        return Long.parseLong(Files.readAllLines(dataDir.resolve("pg/postmaster.pid")).get(0).trim());
    }

    private record Timed(Api.Response response, long millis) {
    }

    private static Timed timed(Supplier<Api.Response> request) {
        long start = System.nanoTime();
        Api.Response response = request.get();
        return new Timed(response, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private static void awaitStatus(String path, int status, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (api.get(path, null).status() != status) {
            assertThat(System.nanoTime()).as("%s answering %d within %d s", path, status, seconds).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static String newGroup(String name) {
        return Api.json(Map.of("data", Map.of("type", "group", "attributes", Map.of("name", name))));
    }

    @Test
    void requestsFailFastWhileThePostmasterIsDownAndSucceedOnceItRunsAgain() throws Exception {
        assertThat(api.get("/pub/group/" + groupId, tenant.token()).status()).isEqualTo(200);
        assertThat(api.get("/health", null).status()).isEqualTo(200);
        long before = postmasterPid();

        database.watch().hold();
        try {
            ProcessHandle postmaster = ProcessHandle.of(before).orElseThrow();
            postmaster.destroyForcibly();
            postmaster.onExit().get(10, TimeUnit.SECONDS);
            awaitStatus("/health", 503, 5);

            Timed health = timed(() -> api.get("/health", null));
            assertThat(health.response().at("/status").asText()).isEqualTo("embedded database down, restarting");
            Timed ready = timed(() -> api.get("/ready", null));
            assertThat(ready.response().status()).isEqualTo(503);
            assertThat(ready.response().at("/status").asText()).isEqualTo("database unreachable");
            assertThat(ready.millis()).isLessThan(3000);

            // A fetch by id (answered in front of Javalin), a list, a write and a token request: each path.
            List<Timed> answers = List.of(
                    timed(() -> api.sendOutsideContract("GET", "/pub/group/" + groupId, tenant.token(), null, null,
                            List.of())),
                    timed(() -> api.sendOutsideContract("GET", "/pub/group?filter[organization]=" + tenant.organizationId(),
                            tenant.token(), null, null, List.of())),
                    timed(() -> api.sendOutsideContract("POST", "/pub/group", tenant.token(), Api.JSON_API,
                            newGroup("During the crash"), List.of())),
                    timed(() -> api.sendOutsideContract("POST", "/pub/oauth/token", null, "application/json",
                            Api.json(Map.of("grant_type", "client_credentials",
                                    "client_id", tenant.client().get("client_id"),
                                    "client_secret", tenant.client().get("client_secret"))), List.of())));
            for (Timed answer : answers) {
                Api.Response response = answer.response();
                assertThat(response.status()).as(response.body()).isEqualTo(503);
                assertThat(answer.millis()).as(response.body()).isLessThan(3000);
                assertThat(response.header("Content-Type")).hasValue(Api.JSON_API);
                assertThat(response.header("Retry-After")).hasValue("5");
                assertThat(response.at("/errors/0/status").asText()).isEqualTo("503");
                assertThat(response.at("/errors/0/code").asText()).isEqualTo("ServiceUnavailable");
                assertThat(response.at("/errors/0/title").asText()).isEqualTo("Service unavailable");
                assertThat(response.at("/meta/req_id").asText()).isEqualTo(response.header("X-Request-Id").orElseThrow());
            }
        } finally {
            database.watch().release();
        }

        awaitStatus("/ready", 200, 20);
        assertThat(api.get("/health", null).status()).isEqualTo(200);
        assertThat(postmasterPid()).isNotEqualTo(before);
        Api.Response kept = api.get("/pub/group/" + groupId, tenant.token());
        assertThat(kept.status()).as(kept.body()).isEqualTo(200);
        assertThat(kept.at("/data/attributes/name").asText()).isEqualTo("Before the crash");
        Api.Response created = api.post("/pub/group", tenant.token(), newGroup("After the crash"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(api.get("/pub/group/" + created.at("/data/id").asText(), tenant.token()).status()).isEqualTo(200);
        // The write refused while PostgreSQL was down changed nothing.
        Api.Response list = api.get("/pub/group?page[size]=50&filter[organization]=" + tenant.organizationId(),
                tenant.token());
        assertThat(list.status()).as(list.body()).isEqualTo(200);
        assertThat(list.json().path("data").findValuesAsText("name"))
                .containsExactlyInAnyOrder("Before the crash", "After the crash");
    }
}
