package dev.openplus.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.Application;
import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/** POST /pub/oauth/token in all three request forms, refresh rotation, every credential error, and expiry. */
class TokenEndpointTest {
    static TestServer server;
    static Api api;
    static Fixtures fixtures;
    static String organizationId;
    static String groupA;
    static String groupB;
    static Map<String, String> client;

    @BeforeAll
    static void setUp() {
        server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        organizationId = fixtures.organization("Token Org");
        groupA = fixtures.group(organizationId, "A");
        groupB = fixtures.group(organizationId, "B");
        client = fixtures.client(organizationId);
    }

    private static String jsonApiBody(Map<String, String> attributes) {
        return Api.json(Map.of("data", Map.of("type", "token", "attributes", attributes)));
    }

    private static Map<String, String> credentials(Map<String, String> c) {
        return Map.of("grant_type", "client_credentials", "client_id", c.get("client_id"),
                "client_secret", c.get("client_secret"));
    }

    @Test
    void jsonApiBodyAnswersTheTokenDocument() {
        Api.Response response = api.post("/pub/oauth/token", null, jsonApiBody(credentials(client)));
        assertThat(response.status()).isEqualTo(201);
        assertThat(response.header("Content-Type")).hasValue("application/vnd.api+json");
        JsonNode data = response.at("/data");
        String id = data.get("id").asText();
        assertThat(id).matches("[0-9a-f]{24}");
        assertThat(data.get("type").asText()).isEqualTo("token");
        assertThat(data.at("/attributes/token_type").asText()).isEqualTo("bearer");
        assertThat(data.at("/attributes/expires_in").asLong()).isEqualTo(3600);
        assertThat(data.at("/attributes/access_token").asText()).hasSizeGreaterThanOrEqualTo(43);
        assertThat(data.at("/attributes/refresh_token").asText()).hasSizeGreaterThanOrEqualTo(43);
        assertThat(data.at("/relationships/groups/links/related").asText()).isEqualTo("/pub/oauth/token/" + id + "/groups");
        assertThat(data.at("/relationships/organization/data/id").asText()).isEqualTo(organizationId);
        assertThat(data.at("/relationships/organization/links/related").asText())
                .isEqualTo("/pub/oauth/token/" + id + "/organization");
        assertThat(data.at("/relationships/groups/data").findValuesAsText("id")).containsExactlyInAnyOrder(groupA, groupB);
        assertThat(response.at("/meta/req_id").asText()).isEqualTo(response.header("X-Request-Id").orElseThrow());
        assertThat(response.json().has("included")).isFalse();
    }

    @Test
    void referenceExampleTypeOauthTokenIsAccepted() {
        Api.Response response = api.post("/pub/oauth/token", null,
                Api.json(Map.of("data", Map.of("type", "oauth/token", "attributes", credentials(client)))));
        assertThat(response.status()).isEqualTo(201);
    }

    @Test
    void flatJsonBody() {
        Api.Response response = api.send("POST", "/pub/oauth/token", null, "application/json",
                Api.json(credentials(client)), List.of());
        assertThat(response.status()).isEqualTo(201);
        String token = response.at("/data/attributes/access_token").asText();
        assertThat(api.get("/pub/organization/" + organizationId, token).status()).isEqualTo(200);
    }

    @Test
    void formBodyWithBasicAuthenticationFollowsRfc6749() {
        String basic = Base64.getEncoder().encodeToString(
                (client.get("client_id") + ":" + client.get("client_secret")).getBytes(StandardCharsets.UTF_8));
        Api.Response response = api.send("POST", "/pub/oauth/token", null, "application/x-www-form-urlencoded",
                "grant_type=client_credentials", List.of("Authorization", "Basic " + basic));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Cache-Control")).hasValue("no-store");
        assertThat(response.header("Content-Type").orElseThrow()).startsWith("application/json");
        assertThat(response.at("/token_type").asText()).isEqualTo("bearer");
        assertThat(response.at("/expires_in").asLong()).isEqualTo(3600);
        String token = response.at("/access_token").asText();
        assertThat(api.get("/pub/organization/" + organizationId, token).status()).isEqualTo(200);
    }

    @Test
    void formBodyWithCredentialsInTheForm() {
        Api.Response response = api.send("POST", "/pub/oauth/token", null, "application/x-www-form-urlencoded",
                "grant_type=client_credentials&client_id=" + client.get("client_id") + "&client_secret="
                        + client.get("client_secret"), List.of());
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.at("/refresh_token").asText()).isNotEmpty();
    }

    @Test
    void formErrorsAreRfc6749ErrorObjects() {
        Api.Response badSecret = api.send("POST", "/pub/oauth/token", null, "application/x-www-form-urlencoded",
                "grant_type=client_credentials&client_id=" + client.get("client_id") + "&client_secret=wrong", List.of());
        assertThat(badSecret.status()).isEqualTo(401);
        assertThat(badSecret.at("/error").asText()).isEqualTo("invalid_client");

        Api.Response badGrant = api.send("POST", "/pub/oauth/token", null, "application/x-www-form-urlencoded",
                "grant_type=password&client_id=x", List.of());
        assertThat(badGrant.status()).isEqualTo(400);
        assertThat(badGrant.at("/error").asText()).isEqualTo("unsupported_grant_type");

        Api.Response badRefresh = api.send("POST", "/pub/oauth/token", null, "application/x-www-form-urlencoded",
                "grant_type=refresh_token&client_id=" + client.get("client_id") + "&refresh_token=nope", List.of());
        assertThat(badRefresh.status()).isEqualTo(400);
        assertThat(badRefresh.at("/error").asText()).isEqualTo("invalid_grant");
    }

    @Test
    void includeGroupsAndOrganization() {
        Api.Response response = api.post("/pub/oauth/token?include=groups,organization", null,
                jsonApiBody(credentials(client)));
        assertThat(response.status()).isEqualTo(201);
        List<String> includedTypes = new java.util.ArrayList<>();
        response.at("/included").forEach(resource -> includedTypes.add(resource.get("type").asText()));
        assertThat(includedTypes).containsExactly("group", "group", "organization");
        assertThat(response.at("/included/2/attributes/name").asText()).isEqualTo("Token Org");

        Api.Response unknown = api.post("/pub/oauth/token?include=coaches", null, jsonApiBody(credentials(client)));
        assertThat(unknown.status()).isEqualTo(409);
        assertThat(unknown.at("/errors/0/code").asText()).isEqualTo("InvalidParameter");
        assertThat(unknown.at("/errors/0/source/parameter").asText()).isEqualTo("include");
    }

    @Test
    void wrongSecretUnknownClientAndRevokedClientAreInvalidCredentials() {
        Map<String, String> attributes = Map.of("grant_type", "client_credentials", "client_id", client.get("client_id"),
                "client_secret", "not-the-secret");
        Api.Response wrongSecret = api.post("/pub/oauth/token", null, jsonApiBody(attributes));
        assertThat(wrongSecret.status()).isEqualTo(401);
        assertThat(wrongSecret.at("/errors/0/code").asText()).isEqualTo("InvalidCredentials");

        Api.Response unknownClient = api.post("/pub/oauth/token", null, jsonApiBody(Map.of("grant_type",
                "client_credentials", "client_id", "00000000-0000-0000-0000-000000000000", "client_secret", "x")));
        assertThat(unknownClient.status()).isEqualTo(401);
        assertThat(unknownClient.at("/errors/0/code").asText()).isEqualTo("InvalidCredentials");

        Map<String, String> doomed = fixtures.client(organizationId);
        assertThat(fixtures.cli("admin", "client", "revoke", "--client-id", doomed.get("client_id")).exitCode()).isZero();
        Api.Response revoked = api.post("/pub/oauth/token", null, jsonApiBody(credentials(doomed)));
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.at("/errors/0/code").asText()).isEqualTo("InvalidCredentials");
    }

    @Test
    void unknownGrantAndMissingMembersAre409WithPointers() {
        Api.Response unknownGrant = api.post("/pub/oauth/token", null,
                jsonApiBody(Map.of("grant_type", "password", "client_id", client.get("client_id"))));
        assertThat(unknownGrant.status()).isEqualTo(409);
        assertThat(unknownGrant.at("/errors/0/code").asText()).isEqualTo("InvalidGrantType");
        assertThat(unknownGrant.at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/grant_type");

        Api.Response missing = api.post("/pub/oauth/token", null, jsonApiBody(Map.of("grant_type", "client_credentials")));
        assertThat(missing.status()).isEqualTo(409);
        assertThat(missing.json().get("errors").findValuesAsText("pointer"))
                .containsExactly("/data/attributes/client_id", "/data/attributes/client_secret");
        assertThat(missing.at("/errors/0/code").asText()).isEqualTo("InvalidBodyParameter");

        Api.Response flatMissing = api.send("POST", "/pub/oauth/token", null, "application/json",
                Api.json(Map.of("client_id", "x")), List.of());
        assertThat(flatMissing.status()).isEqualTo(409);
        assertThat(flatMissing.at("/errors/0/source/pointer").asText()).isEqualTo("/grant_type");

        Api.Response unknownAttribute = api.post("/pub/oauth/token", null,
                jsonApiBody(Map.of("grant_type", "client_credentials", "client_id", "x", "client_secret", "y", "scope", "z")));
        assertThat(unknownAttribute.status()).isEqualTo(409);
        assertThat(unknownAttribute.at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/scope");
    }

    @Test
    void otherContentTypesAreForbiddenAsInTheReference() {
        Api.Response response = api.send("POST", "/pub/oauth/token", null, "text/plain", "grant_type=client_credentials",
                List.of());
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.at("/errors/0/code").asText()).isEqualTo("Forbidden");
    }

    @Test
    void refreshRotatesAndReuseRevokesTheWholeFamily() {
        Api.Response first = api.post("/pub/oauth/token", null, jsonApiBody(credentials(client)));
        String refresh1 = first.at("/data/attributes/refresh_token").asText();
        Map<String, String> refreshRequest = Map.of("grant_type", "refresh_token", "client_id", client.get("client_id"),
                "refresh_token", refresh1);

        Api.Response second = api.post("/pub/oauth/token", null, jsonApiBody(refreshRequest));
        assertThat(second.status()).isEqualTo(201);
        String access2 = second.at("/data/attributes/access_token").asText();
        String refresh2 = second.at("/data/attributes/refresh_token").asText();
        assertThat(refresh2).isNotEqualTo(refresh1);
        assertThat(second.at("/data/id").asText()).isNotEqualTo(first.at("/data/id").asText());
        assertThat(api.get("/pub/organization/" + organizationId, access2).status()).isEqualTo(200);

        // The retired refresh token comes back: the family (including the new pair) is revoked.
        Api.Response reuse = api.post("/pub/oauth/token", null, jsonApiBody(refreshRequest));
        assertThat(reuse.status()).isEqualTo(401);
        assertThat(reuse.at("/errors/0/code").asText()).isEqualTo("InvalidCredentials");
        Api.Response afterReuse = api.get("/pub/organization/" + organizationId, access2);
        assertThat(afterReuse.status()).isEqualTo(401);
        assertThat(afterReuse.header("WWW-Authenticate").orElseThrow())
                .isEqualTo("Bearer error=\"invalid_token\", error_description=\"the access token is not valid\"");
        Api.Response refreshAgain = api.post("/pub/oauth/token", null, jsonApiBody(Map.of("grant_type", "refresh_token",
                "client_id", client.get("client_id"), "refresh_token", refresh2)));
        assertThat(refreshAgain.status()).isEqualTo(401);
    }

    @Test
    void refreshTokenOfAnotherClientIsRejected() {
        Map<String, String> other = fixtures.client(organizationId);
        String refresh = api.post("/pub/oauth/token", null, jsonApiBody(credentials(client)))
                .at("/data/attributes/refresh_token").asText();
        Api.Response response = api.post("/pub/oauth/token", null, jsonApiBody(Map.of("grant_type", "refresh_token",
                "client_id", other.get("client_id"), "refresh_token", refresh)));
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.at("/errors/0/code").asText()).isEqualTo("InvalidCredentials");
    }

    @Test
    void revokingAClientStopsItsTokensAtOnce() throws Exception {
        Map<String, String> doomed = fixtures.client(organizationId);
        String token = fixtures.token(doomed);
        assertThat(api.get("/pub/organization/" + organizationId, token).status()).isEqualTo(200);
        assertThat(fixtures.cli("admin", "client", "revoke", "--client-id", doomed.get("client_id")).exitCode()).isZero();
        // The revocation reaches the server's token cache by NOTIFY; allow it a moment to be delivered.
        int status = 0;
        for (int attempt = 0; attempt < 40; attempt++) {
            status = api.get("/pub/organization/" + organizationId, token).status();
            if (status == 401) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(status).isEqualTo(401);
    }

    @Test
    void bearerErrors() {
        Api.Response missing = api.get("/pub/organization/" + organizationId, null);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.at("/errors/0/code").asText()).isEqualTo("Unauthorized");
        assertThat(missing.header("WWW-Authenticate").orElseThrow()).isEqualTo("Bearer");

        Api.Response malformed = api.send("GET", "/pub/organization/" + organizationId, null, null, null,
                List.of("Authorization", "Token abc"));
        assertThat(malformed.status()).isEqualTo(401);
        // Another scheme is no bearer token at all: the bare challenge (RFC 6750 §3.1).
        assertThat(malformed.header("WWW-Authenticate").orElseThrow()).isEqualTo("Bearer");

        Api.Response unknown = api.get("/pub/organization/" + organizationId, "not-a-real-token");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.at("/errors/0/code").asText()).isEqualTo("Unauthorized");
        assertThat(unknown.header("WWW-Authenticate").orElseThrow())
                .isEqualTo("Bearer error=\"invalid_token\", error_description=\"the access token is not valid\"");
    }

    @Test
    void expiredTokensAreRejected() throws Exception {
        // A second server on the same database whose tokens live one second.
        try (Application shortLived = Application.start(server.config.withPort(0).withAccessTokenTtl(Duration.ofSeconds(1)),
                server.database)) {
            Api shortApi = new Api("http://127.0.0.1:" + shortLived.port());
            Api.Response issued = shortApi.post("/pub/oauth/token", null, jsonApiBody(credentials(client)));
            assertThat(issued.at("/data/attributes/expires_in").asLong()).isEqualTo(1);
            String token = issued.at("/data/attributes/access_token").asText();
            assertThat(shortApi.get("/pub/organization/" + organizationId, token).status()).isEqualTo(200);
            Thread.sleep(1300);
            Api.Response expired = shortApi.get("/pub/organization/" + organizationId, token);
            assertThat(expired.status()).isEqualTo(401);
            assertThat(expired.at("/errors/0/detail").asText()).contains("expired");
            assertThat(expired.header("WWW-Authenticate").orElseThrow()).isEqualTo(
                    "Bearer error=\"invalid_token\", error_description=\"the access token has expired; request a new one\"");
        }
    }

    @Test
    void tokenGroupsAndOrganizationOnlyForTheCallersOwnToken() {
        Map<String, String> groupClient = fixtures.client(organizationId, groupA);
        Api.Response issued = fixtures.tokenResponse(groupClient);
        String id = issued.at("/data/id").asText();
        String token = issued.at("/data/attributes/access_token").asText();
        assertThat(issued.at("/data/relationships/groups/data").findValuesAsText("id")).containsExactly(groupA);

        Api.Response groups = api.get("/pub/oauth/token/" + id + "/groups", token);
        assertThat(groups.status()).isEqualTo(200);
        assertThat(groups.at("/meta/count").asLong()).isEqualTo(1);
        assertThat(groups.at("/data/0/id").asText()).isEqualTo(groupA);
        assertThat(groups.at("/links/self").asText()).startsWith("/pub/oauth/token/" + id + "/groups");

        Api.Response organization = api.get("/pub/oauth/token/" + id + "/organization", token);
        assertThat(organization.status()).isEqualTo(200);
        assertThat(organization.at("/data/id").asText()).isEqualTo(organizationId);
        assertThat(organization.at("/data/type").asText()).isEqualTo("organization");

        String otherId = fixtures.tokenResponse(client).at("/data/id").asText();
        Api.Response foreign = api.get("/pub/oauth/token/" + otherId + "/groups", token);
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.at("/errors/0/code").asText()).isEqualTo("ResourceNotFound");
        assertThat(api.get("/pub/oauth/token/" + otherId + "/organization", token).status()).isEqualTo(404);
    }
}
