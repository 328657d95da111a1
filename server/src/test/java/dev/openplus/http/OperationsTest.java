package dev.openplus.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.Application;
import dev.openplus.config.Config;
import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/** Liveness, readiness, Prometheus metrics, the bind address and the management port. */
class OperationsTest {

    @Test
    void healthReadyAndMetrics() {
        TestServer server = TestServer.get();
        Api api = server.api();
        Fixtures.Tenant tenant = new Fixtures(server).tenant("Ops Org");
        assertThat(api.get("/pub/group?filter[organization]=" + tenant.organizationId(), tenant.token()).status())
                .isEqualTo(200);
        assertThat(api.get("/pub/group/000000000000000000000000", tenant.token()).status()).isEqualTo(404);

        Api.Response health = api.get("/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.at("/status").asText()).isEqualTo("ok");
        Api.Response ready = api.get("/ready", null);
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.at("/status").asText()).isEqualTo("ready");

        Api.Response metrics = api.get("/metrics", null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.header("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(metrics.body())
                .contains("http_server_requests_seconds_count{method=\"GET\",route=\"/pub/group\",status=\"200\"}")
                .contains("http_server_requests_seconds_count{method=\"GET\",route=\"/pub/group/{id}\",status=\"404\"}")
                .contains("http_server_requests_seconds_bucket{method=\"GET\",route=\"/pub/group\",status=\"200\"")
                .contains("http_server_requests_seconds_count{method=\"POST\",route=\"/pub/oauth/token\",status=\"201\"}")
                .doesNotContain(tenant.token());
        assertThat(server.application.managementPort()).isEqualTo(-1);
    }

    @Test
    void operatorMetricFamilies() {
        TestServer server = TestServer.get();
        Fixtures.Tenant tenant = new Fixtures(server).tenant("Metrics Org");
        assertThat(server.api().get("/pub/organization/" + tenant.organizationId(), tenant.token()).status())
                .isEqualTo(200);
        String metrics = server.api().get("/metrics", null).body();
        // JVM, process, connection pool (HikariCP), Jetty's thread pool and the token endpoint.
        for (String sample : new String[] {
                "jvm_memory_used_bytes{area=\"heap\"", "jvm_gc_memory_allocated_bytes_total ", "jvm_threads_live_threads ",
                "jvm_classes_loaded_classes ", "process_cpu_usage ", "system_cpu_count ", "process_files_open_files ",
                "process_uptime_seconds ", "process_start_time_seconds ",
                "hikaricp_connections_active{pool=\"openplus\"}", "hikaricp_connections_idle{pool=\"openplus\"}",
                "hikaricp_connections_pending{pool=\"openplus\"}", "hikaricp_connections_max{pool=\"openplus\"} 16",
                "hikaricp_connections_timeout_total{pool=\"openplus\"}",
                "jetty_threads_busy ", "jetty_threads_idle ", "jetty_threads_config_max ",
                "openplus_token_requests_total{grant=\"client_credentials\",outcome=\"issued\"}",
                "openplus_token_reuse_detected_total "}) {
            assertThat(metrics).as(sample).containsPattern("(?m)^" + Pattern.quote(sample));
        }
    }

    @Test
    void tokenOutcomesAreCounted() {
        TestServer server = TestServer.get();
        Fixtures fixtures = new Fixtures(server);
        Api api = server.api();
        String organizationId = fixtures.organization("Token Metrics Org");
        Map<String, String> client = fixtures.client(organizationId);
        String before = api.get("/metrics", null).body();

        String refresh = fixtures.tokenResponse(client).at("/data/attributes/refresh_token").asText();
        assertThat(fixtures.tokenResponse(Map.of("client_id", client.get("client_id"), "client_secret", "wrong"))
                .status()).isEqualTo(401);
        String refreshBody = Api.json(Map.of("grant_type", "refresh_token", "client_id", client.get("client_id"),
                "refresh_token", refresh));
        assertThat(api.send("POST", "/pub/oauth/token", null, "application/json", refreshBody, java.util.List.of())
                .status()).isEqualTo(201);
        assertThat(api.send("POST", "/pub/oauth/token", null, "application/json", refreshBody, java.util.List.of())
                .status()).isEqualTo(401);
        assertThat(api.send("POST", "/pub/oauth/token", null, "application/json", Api.json(Map.of("grant_type",
                "refresh_token", "client_id", client.get("client_id"), "refresh_token", "no-such-token")),
                java.util.List.of()).status()).isEqualTo(401);
        String after = api.get("/metrics", null).body();

        String requests = "openplus_token_requests_total{grant=\"%s\",outcome=\"%s\"}";
        for (String[] expected : new String[][] {
                {"client_credentials", "issued"}, {"client_credentials", "invalid_client"},
                {"refresh_token", "refreshed"}, {"refresh_token", "reused_refresh_token"},
                {"refresh_token", "unknown_refresh_token"}}) {
            String series = String.format(requests, expected[0], expected[1]);
            assertThat(sample(after, series) - sample(before, series)).as(series).isEqualTo(1.0);
        }
        String expired = String.format(requests, "refresh_token", "expired_refresh_token");
        assertThat(sample(after, expired) - sample(before, expired)).isEqualTo(0.0);
        assertThat(sample(after, "openplus_token_reuse_detected_total") - sample(before, "openplus_token_reuse_detected_total"))
                .isEqualTo(1.0);
    }

    /** The value of one series in a Prometheus text exposition. */
    private static double sample(String exposition, String series) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
        assertThat(matcher.find()).as(series + " in the exposition").isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    @Test
    void managementPortCarriesTheOperationsEndpointsAndThePublicPortDoesNot() throws Exception {
        TestServer server = TestServer.get();
        try (Application application = Application.start(server.config.withPort(0).withManagementPort(0),
                server.database)) {
            assertThat(application.managementPort()).isPositive().isNotEqualTo(application.port());
            Api publicPort = new Api("http://127.0.0.1:" + application.port());
            Api management = new Api("http://127.0.0.1:" + application.managementPort());
            for (String path : new String[] {"/metrics", "/health", "/ready"}) {
                Api.Response onPublic = publicPort.get(path, null);
                assertThat(onPublic.status()).as(path).isEqualTo(404);
                assertThat(onPublic.at("/errors/0/code").asText()).isEqualTo("ResourceNotFound");
                assertThat(management.get(path, null).status()).as(path).isEqualTo(200);
            }
            assertThat(management.get("/health", null).at("/status").asText()).isEqualTo("ok");
            assertThat(management.get("/ready", null).at("/status").asText()).isEqualTo("ready");
            // The public port still serves the API, and its requests show up on the management port's /metrics.
            assertThat(publicPort.get("/pub/openapi.json", null).status()).isEqualTo(200);
            Api.Response metrics = management.get("/metrics", null);
            assertThat(metrics.header("Content-Type").orElseThrow()).startsWith("text/plain");
            assertThat(metrics.body()).contains(
                    "http_server_requests_seconds_count{method=\"GET\",route=\"/pub/openapi.json\",status=\"200\"} 1");
        }
    }

    /**
     * What the management port answers beside its three endpoints: one JSON:API error document each (the public
     * port's error model), 404 for an unknown path, 405 with {@code Allow} for another method on a known one.
     */
    @Test
    void managementPortAnswersUnknownPathsAndWrongMethodsWithOneErrorDocument() throws Exception {
        TestServer server = TestServer.get();
        try (Application application = Application.start(server.config.withPort(0).withManagementPort(0),
                server.database)) {
            Api management = new Api("http://127.0.0.1:" + application.managementPort());
            Api.Response unknown = management.sendOutsideContract("GET", "/nope", null, null, null, java.util.List.of());
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.header("Content-Type").orElseThrow()).isEqualTo(Api.JSON_API);
            assertThat(unknown.header("Allow")).isEmpty();
            JsonNode notFound = oneDocument(unknown.body());
            assertThat(notFound.at("/errors").size()).isEqualTo(1);
            assertThat(notFound.at("/errors/0/status").asText()).isEqualTo("404");
            assertThat(notFound.at("/errors/0/code").asText()).isEqualTo("ResourceNotFound");
            assertThat(notFound.at("/errors/0/detail").asText()).isEqualTo("no route /nope");
            assertThat(notFound.at("/meta/req_id").asText()).isEqualTo(unknown.header("X-Request-Id").orElseThrow());

            for (String method : new String[] {"POST", "PUT", "DELETE"}) {
                Api.Response wrong = management.sendOutsideContract(method, "/health", null, "application/json", "{}",
                        java.util.List.of());
                assertThat(wrong.status()).as(method).isEqualTo(405);
                assertThat(wrong.header("Allow").orElseThrow()).isEqualTo("GET");
                assertThat(wrong.header("Content-Type").orElseThrow()).isEqualTo(Api.JSON_API);
                JsonNode notAllowed = oneDocument(wrong.body());
                assertThat(notAllowed.at("/errors").size()).isEqualTo(1);
                assertThat(notAllowed.at("/errors/0/status").asText()).isEqualTo("405");
                assertThat(notAllowed.at("/errors/0/code").asText()).isEqualTo("MethodNotAllowed");
                assertThat(notAllowed.at("/errors/0/detail").asText()).isEqualTo(method + " is not allowed on /health");
            }
            // A wrong method on an unknown path is still unknown; HEAD is answered where GET is.
            assertThat(management.sendOutsideContract("POST", "/nope", null, "application/json", "{}",
                    java.util.List.of()).status()).isEqualTo(404);
            assertThat(management.sendOutsideContract("HEAD", "/ready", null, null, null, java.util.List.of()).status())
                    .isEqualTo(200);
        }
    }

    /** The body as exactly one JSON document: anything after it (a second body) fails. */
    private static JsonNode oneDocument(String body) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper()
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(body);
    }

    @Test
    void listensOnlyOnTheBindAddress() throws Exception {
        TestServer server = TestServer.get();
        // Linux answers on all of 127.0.0.0/8: a server bound to 127.0.0.2 must not be reachable on 127.0.0.1.
        try (Application application = Application.start(server.config.withPort(0).withBindAddress("127.0.0.2"),
                server.database)) {
            Api.Response health = new Api("http://127.0.0.2:" + application.port()).get("/health", null);
            assertThat(health.status()).isEqualTo(200);
            assertThatThrownBy(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", application.port()), 2000);
                }
            }).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void networkDefaults() {
        Config defaults = Config.fromMap(Map.of());
        assertThat(defaults.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(defaults.managementPort()).isNull();
        Config configured = Config.fromMap(Map.of("OPENPLUS_BIND_ADDRESS", "0.0.0.0", "OPENPLUS_MANAGEMENT_PORT", "9090"));
        assertThat(configured.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(configured.managementPort()).isEqualTo(9090);
        assertThatThrownBy(() -> Config.fromMap(Map.of("OPENPLUS_MANAGEMENT_PORT", "metrics")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("OPENPLUS_MANAGEMENT_PORT must be a whole number, got 'metrics'");
    }

    @Test
    void fetchBatchingIsBoundedByTheConfiguration() {
        Config defaults = Config.fromMap(Map.of());
        assertThat(defaults.fetchBatchSize()).isEqualTo(64);
        assertThat(defaults.fetchBatchStatements()).isEqualTo(2);
        Config set = Config.fromMap(Map.of("OPENPLUS_FETCH_BATCH_SIZE", "1", "OPENPLUS_FETCH_BATCH_STATEMENTS", "4"));
        assertThat(set.fetchBatchSize()).isEqualTo(1);
        assertThat(set.fetchBatchStatements()).isEqualTo(4);
        assertThat(set.withPort(9).withDirectReads(false).fetchBatchStatements()).isEqualTo(4);
        assertThatThrownBy(() -> Config.fromMap(Map.of("OPENPLUS_FETCH_BATCH_SIZE", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("OPENPLUS_FETCH_BATCH_SIZE must be at least 1, got 0");
        assertThatThrownBy(() -> Config.fromMap(Map.of("OPENPLUS_FETCH_BATCH_STATEMENTS", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("OPENPLUS_FETCH_BATCH_STATEMENTS must be at least 1, got 0");
    }

    @Test
    void httpThreadPoolIsBoundedByTheConfiguration() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(Config.fromMap(Map.of()).httpThreads()).isEqualTo(Math.max(8, 4 * cores));
        assertThat(Config.fromMap(Map.of("OPENPLUS_HTTP_THREADS", "12")).httpThreads()).isEqualTo(12);
        assertThatThrownBy(() -> Config.fromMap(Map.of("OPENPLUS_HTTP_THREADS", "3")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("OPENPLUS_HTTP_THREADS must be at least 4, got 3");
        TestServer server = TestServer.get();
        String metrics = server.api().get("/metrics", null).body();
        Matcher max = Pattern.compile("(?m)^jetty_threads_config_max ([0-9.]+)$").matcher(metrics);
        assertThat(max.find()).as("jetty_threads_config_max in /metrics").isTrue();
        assertThat(Double.parseDouble(max.group(1))).isEqualTo(server.config.httpThreads());
    }

    @Test
    void embeddedPostgresBufferCacheIsSizedFromTheMachineOrTheConfiguration() {
        long total = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getTotalMemorySize();
        long eighth = Math.max(128, Math.min(8192, total / 8 / (1024 * 1024)));
        assertThat(Config.fromMap(Map.of()).embeddedSharedBuffers()).isEqualTo(eighth + "MB");
        assertThat(Config.fromMap(Map.of("OPENPLUS_PG_SHARED_BUFFERS", " 2GB ")).embeddedSharedBuffers())
                .isEqualTo("2GB");
        for (String wrong : new String[] {"lots", "512", "0MB", "2 GB", "-1GB", "1TB"}) {
            assertThatThrownBy(() -> Config.fromMap(Map.of("OPENPLUS_PG_SHARED_BUFFERS", wrong)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("OPENPLUS_PG_SHARED_BUFFERS must be a size such as 512MB or 2GB (kB, MB or GB), got '"
                            + wrong + "'");
        }
        // The test server's PostgreSQL was started with the configured size (PostgreSQL reports it in its units).
        TestServer server = TestServer.get();
        long configured = Long.parseLong(server.config.embeddedSharedBuffers().replace("MB", ""));
        long running = ((Number) server.database.dsl().fetchValue(
                "select setting::bigint * 8 / 1024 from pg_settings where name = 'shared_buffers'")).longValue();
        assertThat(running).isEqualTo(configured);
    }
}
