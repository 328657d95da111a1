package dev.openplus.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import org.junit.jupiter.api.Test;

import dev.openplus.Application;
import dev.openplus.support.RawHttp;
import dev.openplus.support.TestServer;

/**
 * Requests that Jetty refuses before any handler sees them, and a body Jetty cannot decode: each answer is the
 * same JSON:API error document as every other error (DESIGN §4), never Jetty's HTML page or a 500.
 */
class JettyErrorsTest {
    private static final TestServer SERVER = TestServer.get();

    @Test
    void aTooLongUriIs414() {
        assertJsonApiError(send(port(), "GET /pub/group/" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"),
                414, "UriTooLong");
    }

    @Test
    void hugeHeadersAre431() {
        assertJsonApiError(send(port(), "GET /pub/group HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000)
                + "\r\n\r\n"), 431, "HeaderFieldsTooLarge");
    }

    @Test
    void aBadRequestLineIs400() {
        assertJsonApiError(send(port(), "THIS IS NOT HTTP\r\n\r\n"), 400, "BadRequest");
    }

    @Test
    void aMalformedChunkedBodyIs400() {
        assertJsonApiError(send(port(), "POST /pub/oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"), 400, "BadRequest");
    }

    @Test
    void aChunkedBodyArrivingWholeIsHandledAsUsual() {
        RawHttp.Response answer = send(port(), "POST /pub/oauth/token HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\n{\"gra\r\n42\r\nnt_type\":\"client_credentials\",\"client_id\":\"x\",\"client_secret\":\"y\"}\r\n"
                + "0\r\n\r\n");
        assertJsonApiError(answer, 401, "InvalidCredentials");
    }

    @Test
    void theManagementPortAnswersJsonApiErrorsToo() throws Exception {
        try (Application application = Application.start(SERVER.config.withPort(0).withManagementPort(0),
                SERVER.database)) {
            int management = application.managementPort();
            assertJsonApiError(send(management, "GET /health" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"),
                    414, "UriTooLong");
            assertJsonApiError(send(management, "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000)
                    + "\r\n\r\n"), 431, "HeaderFieldsTooLarge");
            assertJsonApiError(send(management, "THIS IS NOT HTTP\r\n\r\n"), 400, "BadRequest");
        }
    }

    private static int port() {
        return URI.create(SERVER.baseUrl).getPort();
    }

    private static RawHttp.Response send(int port, String request) {
        return RawHttp.exchange(port, request, 10_000);
    }

    private static void assertJsonApiError(RawHttp.Response answer, int status, String code) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).as(answer.toString()).isEqualTo("application/vnd.api+json");
        assertThat(answer.json().fieldNames()).toIterable().containsExactlyInAnyOrder("meta", "errors");
        assertThat(answer.at("/errors").size()).isEqualTo(1);
        assertThat(answer.at("/errors/0/status").asText()).isEqualTo(String.valueOf(status));
        assertThat(answer.at("/errors/0/code").asText()).isEqualTo(code);
        assertThat(answer.at("/errors/0/title").asText()).isNotBlank();
        assertThat(answer.at("/errors/0/detail").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(answer.at("/meta/req_id").asText()).matches("[0-9a-f-]{36}").isEqualTo(answer.header("X-Request-Id"));
    }
}
