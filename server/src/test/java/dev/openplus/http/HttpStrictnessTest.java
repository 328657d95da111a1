package dev.openplus.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/** 405 with Allow, the method checked before the media type, and HEAD answering what GET does. */
class HttpStrictnessTest {
    static Api api;
    static Fixtures.Tenant tenant;
    static String groupId;

    @BeforeAll
    static void setUp() {
        TestServer server = TestServer.get();
        api = server.api();
        Fixtures fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Strictness Org");
        groupId = fixtures.group(tenant.organizationId(), "Strict");
    }

    private static void assertMethodNotAllowed(Api.Response response, String allow) {
        assertThat(response.status()).as(response.body()).isEqualTo(405);
        assertThat(response.header("Allow").orElseThrow()).isEqualTo(allow);
        assertThat(response.header("Content-Type").orElseThrow()).isEqualTo(Api.JSON_API);
        assertThat(response.at("/errors/0/status").asText()).isEqualTo("405");
        assertThat(response.at("/errors/0/code").asText()).isEqualTo("MethodNotAllowed");
        assertThat(response.at("/meta/req_id").asText()).isEqualTo(response.header("X-Request-Id").orElseThrow());
    }

    @Test
    void wrongMethodNamesTheAllowedOnes() {
        assertMethodNotAllowed(api.send("DELETE", "/pub/group", tenant.token(), null, null, List.of()), "GET, POST");
        assertMethodNotAllowed(api.send("DELETE", "/pub/group/" + groupId, tenant.token(), null, null, List.of()), "GET");
        assertMethodNotAllowed(api.send("DELETE", "/pub/patient", tenant.token(), null, null, List.of()),
                "GET, POST, PUT");
        assertMethodNotAllowed(api.send("PUT", "/pub/patient/" + groupId, tenant.token(), Api.JSON_API, "{}", List.of()),
                "GET, PATCH");
        assertMethodNotAllowed(api.send("GET", "/pub/oauth/token", null, null, null, List.of()), "POST");
        assertMethodNotAllowed(api.send("POST", "/health", null, Api.JSON_API, "{}", List.of()), "GET");
        assertMethodNotAllowed(api.send("DELETE", "/metrics", null, null, null, List.of()), "GET");
    }

    @Test
    void theMethodIsCheckedBeforeTheMediaType() {
        // No body and no Content-Type: a 415 would send the client after the wrong problem.
        assertMethodNotAllowed(api.send("PUT", "/pub/group", tenant.token(), null, null, List.of()), "GET, POST");
        assertMethodNotAllowed(api.send("PATCH", "/pub/group", tenant.token(), "text/plain", "x", List.of()),
                "GET, POST");
        assertMethodNotAllowed(api.send("POST", "/pub/group/" + groupId, tenant.token(), "application/xml", "<a/>",
                List.of()), "GET");
        // An allowed method still gets its media type checked.
        Api.Response unsupported = api.send("POST", "/pub/group", tenant.token(), "text/plain", "x", List.of());
        assertThat(unsupported.status()).isEqualTo(415);
        assertThat(unsupported.at("/errors/0/code").asText()).isEqualTo("UnsupportedMediaType");
        assertThat(unsupported.header("Allow")).isEmpty();
    }

    @Test
    void authenticationStillComesFirstAndUnknownRoutesAre404() {
        Api.Response noToken = api.send("PUT", "/pub/group", null, null, null, List.of());
        assertThat(noToken.status()).isEqualTo(401);
        assertThat(noToken.at("/errors/0/code").asText()).isEqualTo("Unauthorized");
        assertThat(noToken.header("Allow")).isEmpty();
        assertThat(api.send("DELETE", "/pub/nowhere", null, null, null, List.of()).status()).isEqualTo(401);

        Api.Response unknown = api.send("PUT", "/pub/nowhere", tenant.token(), null, null, List.of());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.at("/errors/0/code").asText()).isEqualTo("ResourceNotFound");
        assertThat(unknown.header("Allow")).isEmpty();
        // A route template matches one whole segment only.
        assertThat(api.send("DELETE", "/pub/group/" + groupId + "/extra", tenant.token(), null, null, List.of())
                .status()).isEqualTo(404);
    }

    private static void assertHeadAnswersLikeGet(String path, String token, int status) {
        Api.Response get = api.get(path, token);
        Api.Response head = api.send("HEAD", path, token, null, null, List.of());
        assertThat(get.status()).as(path).isEqualTo(status);
        assertThat(head.status()).as(path).isEqualTo(status);
        assertThat(head.header("Content-Type")).isEqualTo(get.header("Content-Type"));
        assertThat(head.header("Content-Length")).isEqualTo(get.header("Content-Length"));
        assertThat(head.header("X-Request-Id").orElseThrow()).matches("[0-9a-f-]{36}")
                .isNotEqualTo(get.header("X-Request-Id").orElseThrow());
        assertThat(head.body()).isEmpty();
        assertThat(get.body()).isNotEmpty();
    }

    @Test
    void headAnswersWhatGetWouldWithoutABody() {
        assertHeadAnswersLikeGet("/pub/group/" + groupId, tenant.token(), 200);
        assertHeadAnswersLikeGet("/pub/group/000000000000000000000000", tenant.token(), 404);
        assertHeadAnswersLikeGet("/pub/group?filter[organization]=" + tenant.organizationId(), tenant.token(), 200);
        assertHeadAnswersLikeGet("/pub/group?filter[nope]=1", tenant.token(), 409);
        assertHeadAnswersLikeGet("/pub/nowhere", tenant.token(), 404);
        assertHeadAnswersLikeGet("/pub/group/" + groupId, null, 401);
        assertHeadAnswersLikeGet("/health", null, 200);

        Api.Response headWithoutGet = api.send("HEAD", "/pub/oauth/token", null, null, null, List.of());
        assertThat(headWithoutGet.status()).isEqualTo(405);
        assertThat(headWithoutGet.header("Allow").orElseThrow()).isEqualTo("POST");
        assertThat(headWithoutGet.body()).isEmpty();
    }
}
