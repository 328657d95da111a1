package dev.openplus.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/** Liveness, readiness and Prometheus metrics. */
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
    }
}
