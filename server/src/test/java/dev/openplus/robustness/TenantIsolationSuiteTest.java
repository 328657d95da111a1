package dev.openplus.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * Table-driven isolation: for every endpoint, ids and filter values of another organization (or outside a
 * group-scoped client's groups) answer 404 / 403 and no byte of the other side's data; every authenticated
 * route refuses missing, malformed, unknown and revoked tokens. A new endpoint joins by adding rows.
 */
class TenantIsolationSuiteTest {
    static Api api;
    static Fixtures fixtures;
    /** The side whose data must stay hidden. */
    static Side hidden;
    static String otherOrganizationToken;
    static String groupScopedToken;
    static String revokedToken;
    static String expiredToken;
    /** Health and email data of the hidden side: [0] of its in-scope patient, [1] of its out-of-scope one. */
    static String[] profiles = new String[2];
    static String[] profileQuestions = new String[2];
    static String[] answers = new String[2];
    static String[] emails = new String[2];

    /** One organization's data, with the strings that must never leak. */
    record Side(String organization, String group, String outOfScopeGroup, String coach, String patient,
            String outOfScopePatient, String tokenId, String token, List<String> secrets) {
    }

    /** A request made by a caller who must not see {@code hidden}'s data. */
    record Probe(String caller, String method, String path, String body, int status, String code) {
        @Override
        public String toString() {
            return caller + " " + method + " " + path.replaceAll("[0-9a-f]{24}", "{id}");
        }
    }

    private static String patientBody(String group) {
        return Api.json(Map.of("data", Map.of("type", "patient", "attributes", Map.of("first_name", "Probe"),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group)))))));
    }

    private static String answerBody(String patient) {
        return Api.json(Map.of("data", Map.of("type", "health_profile_answer",
                "attributes", Map.of("question_id", "4", "value", "1"),
                "relationships", Map.of("patient", Map.of("data", Map.of("type", "patient", "id", patient))))));
    }

    private static String emailBody(String patient) {
        return Api.json(Map.of("data", Map.of("type", "email_history",
                "attributes", Map.of("email_address", "hidden@example.com", "email_type", "invite",
                        "send_time", "2017-01-01T00:00:00Z"),
                "relationships", Map.of("receiver", Map.of("data", Map.of("type", "patient", "id", patient))))));
    }

    private static String emailPatch(String id) {
        return Api.json(Map.of("data", Map.of("type", "email_history", "id", id,
                "attributes", Map.of("status_times", Map.of("open", "2017-01-02T00:00:00Z")))));
    }

    /** Health and email probes of one caller against the hidden side's data at {@code i}. */
    private static void healthAndEmailProbes(List<Probe> probes, String caller, int i, String patient, String group) {
        for (String path : List.of("/pub/health_profile/" + profiles[i], "/pub/health_profile_question/" + profileQuestions[i],
                "/pub/health_profile_answer/" + answers[i], "/pub/email_history/" + emails[i])) {
            probes.add(new Probe(caller, "GET", path, null, 404, "ResourceNotFound"));
        }
        probes.add(new Probe(caller, "PATCH", "/pub/email_history/" + emails[i], emailPatch(emails[i]), 404,
                "ResourceNotFound"));
        for (String type : List.of("health_profile", "health_profile_question", "health_profile_answer")) {
            probes.add(new Probe(caller, "GET", "/pub/" + type + "?filter[groups]=" + group, null, 403, "Forbidden"));
        }
        probes.add(new Probe(caller, "POST", "/pub/health_profile_answer", answerBody(patient), 403, "Forbidden"));
        probes.add(new Probe(caller, "POST", "/pub/email_history", emailBody(patient), 403, "Forbidden"));
    }

    @BeforeAll
    static void setUp() {
        TestServer server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        Fixtures.Tenant alpha = fixtures.tenant("Hidden Secret Organization");
        String group = fixtures.group(alpha.organizationId(), "Hidden Secret Group");
        String outOfScopeGroup = fixtures.group(alpha.organizationId(), "Hidden Second Group");
        String coach = fixtures.coach(alpha.organizationId(), "Hiddencoach", "Secretson", group, outOfScopeGroup);
        String patient = api.post("/pub/patient", alpha.token(), Api.json(Map.of("data", Map.of("type", "patient",
                "attributes", Map.of("first_name", "Hiddenpatient", "identifiers",
                        List.of(Map.of("system", "SECRET-EHR", "value", "SECRET-MRN-1"))),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group))))))))
                .at("/data/id").asText();
        String outOfScopePatient = api.post("/pub/patient", alpha.token(), Api.json(Map.of("data", Map.of("type", "patient",
                "attributes", Map.of("first_name", "Outofscopepatient"),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", outOfScopeGroup))))))))
                .at("/data/id").asText();
        String tokenId = fixtures.tokenResponse(alpha.client()).at("/data/id").asText();
        hidden = new Side(alpha.organizationId(), group, outOfScopeGroup, coach, patient, outOfScopePatient, tokenId,
                alpha.token(), List.of("Hidden Secret", "Hiddencoach", "Secretson", "Hiddenpatient", "SECRET-EHR",
                        "SECRET-MRN-1", "Outofscopepatient", "Hidden Second Group"));

        String[] owners = {patient, outOfScopePatient};
        for (int i = 0; i < 2; i++) {
            profiles[i] = api.get("/pub/health_profile?filter[patient]=" + owners[i], alpha.token()).at("/data/0/id").asText();
            profileQuestions[i] = api.get("/pub/health_profile_question?filter[patient]=" + owners[i], alpha.token())
                    .at("/data/0/id").asText();
            answers[i] = api.post("/pub/health_profile_answer", alpha.token(), answerBody(owners[i])).at("/data/id").asText();
            emails[i] = api.post("/pub/email_history", alpha.token(), emailBody(owners[i])).at("/data/id").asText();
            assertThat(List.of(profiles[i], profileQuestions[i], answers[i], emails[i])).allMatch(id -> id.length() == 24);
        }

        Fixtures.Tenant beta = fixtures.tenant("Prober Organization");
        fixtures.group(beta.organizationId(), "Prober Group");
        otherOrganizationToken = beta.token();
        // A group-scoped client of the hidden organization, limited to its first group.
        groupScopedToken = fixtures.token(fixtures.client(alpha.organizationId(), group));
        Map<String, String> doomed = fixtures.client(beta.organizationId());
        revokedToken = fixtures.token(doomed);
        fixtures.cli("admin", "client", "revoke", "--client-id", doomed.get("client_id"));
        // A token whose lifetime has run out (never used, so never cached).
        Api.Response issued = fixtures.tokenResponse(fixtures.client(beta.organizationId()));
        expiredToken = issued.at("/data/attributes/access_token").asText();
        server.database.dsl().execute("update oauth_token set access_expires_at = now() - interval '1 minute' where id = {0}",
                org.jooq.impl.DSL.val(issued.at("/data/id").asText()));
    }

    static Stream<Arguments> probes() {
        Side h = hidden;
        List<Probe> probes = new ArrayList<>();
        String other = "other organization";
        for (String[] path : new String[][] {
                {"/pub/organization/" + h.organization()}, {"/pub/group/" + h.group()}, {"/pub/coach/" + h.coach()},
                {"/pub/patient/" + h.patient()}, {"/pub/patient/" + h.patient() + "/groups"},
                {"/pub/patient/" + h.patient() + "/coaches"}, {"/pub/oauth/token/" + h.tokenId() + "/groups"},
                {"/pub/oauth/token/" + h.tokenId() + "/organization"}}) {
            probes.add(new Probe(other, "GET", path[0], null, 404, "ResourceNotFound"));
        }
        probes.add(new Probe(other, "PATCH", "/pub/patient/" + h.patient(),
                "{\"data\":{\"type\":\"patient\",\"attributes\":{\"note\":\"x\"}}}", 404, "ResourceNotFound"));
        for (String path : List.of("/pub/group?filter[organization]=" + h.organization(),
                "/pub/coach?filter[organization]=" + h.organization(), "/pub/coach?filter[groups]=" + h.group(),
                "/pub/patient?filter[organization]=" + h.organization(), "/pub/patient?filter[groups]=" + h.group(),
                "/pub/patient?filter[group]=" + h.group())) {
            probes.add(new Probe(other, "GET", path, null, 403, "Forbidden"));
        }
        probes.add(new Probe(other, "POST", "/pub/patient", patientBody(h.group()), 403, "Forbidden"));
        probes.add(new Probe(other, "POST", "/pub/patient", Api.json(Map.of("data", Map.of("type", "patient",
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "meta",
                        Map.of("query", Map.of("organization", h.organization(), "name", "Hidden Secret Group"))))))))),
                403, "Forbidden"));
        probes.add(new Probe(other, "PUT", "/pub/patient", Api.json(Map.of("meta", Map.of("query", Map.of(
                "identifier", Map.of("system", "SECRET-EHR", "value", "SECRET-MRN-1"), "groups", List.of(h.group()))),
                "data", Map.of("type", "patient"))), 403, "Forbidden"));

        healthAndEmailProbes(probes, other, 0, h.patient(), h.group());
        for (String type : List.of("health_profile", "health_profile_question", "health_profile_answer")) {
            probes.add(new Probe(other, "GET", "/pub/" + type + "?filter[organization]=" + h.organization(), null, 403,
                    "Forbidden"));
        }

        String scoped = "group-scoped client";
        healthAndEmailProbes(probes, scoped, 1, h.outOfScopePatient(), h.outOfScopeGroup());
        for (String path : List.of("/pub/group/" + h.outOfScopeGroup(), "/pub/patient/" + h.outOfScopePatient(),
                "/pub/patient/" + h.outOfScopePatient() + "/groups", "/pub/patient/" + h.outOfScopePatient() + "/coaches")) {
            probes.add(new Probe(scoped, "GET", path, null, 404, "ResourceNotFound"));
        }
        probes.add(new Probe(scoped, "PATCH", "/pub/patient/" + h.outOfScopePatient(),
                "{\"data\":{\"type\":\"patient\",\"attributes\":{\"note\":\"x\"}}}", 404, "ResourceNotFound"));
        for (String path : List.of("/pub/coach?filter[groups]=" + h.outOfScopeGroup(),
                "/pub/patient?filter[groups]=" + h.outOfScopeGroup())) {
            probes.add(new Probe(scoped, "GET", path, null, 403, "Forbidden"));
        }
        probes.add(new Probe(scoped, "POST", "/pub/patient", patientBody(h.outOfScopeGroup()), 403, "Forbidden"));
        probes.add(new Probe(scoped, "POST", "/pub/group",
                "{\"data\":{\"type\":\"group\",\"attributes\":{\"name\":\"Sneaky\"}}}", 403, "Forbidden"));
        return probes.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("probes")
    void anotherTenantsDataIsNeverServed(Probe probe) {
        String token = probe.caller().equals("group-scoped client") ? groupScopedToken : otherOrganizationToken;
        Api.Response response = api.send(probe.method(), probe.path(), token,
                probe.body() == null ? null : Api.JSON_API, probe.body(), List.of());
        assertThat(response.status()).as(response.body()).isEqualTo(probe.status());
        assertThat(response.at("/errors/0/code").asText()).isEqualTo(probe.code());
        assertThat(response.json().has("data")).isFalse();
        List<String> secrets = new ArrayList<>(hidden.secrets());
        if (probe.caller().equals("group-scoped client")) {
            // The group-scoped client belongs to the hidden organization: only the out-of-scope data is secret.
            secrets = List.of("Outofscopepatient", "Hidden Second Group");
        }
        for (String secret : secrets) {
            assertThat(response.body()).doesNotContain(secret);
        }
    }

    static Stream<Arguments> authenticatedRoutes() {
        List<String[]> requests = new ArrayList<>();
        for (String route : TestServer.get().application.routes()) {
            String[] parts = route.split(" ", 2);
            String path = parts[1];
            if (!path.startsWith("/pub/") || path.equals("/pub/oauth/token") || path.startsWith("/pub/openapi.")) {
                continue;
            }
            requests.add(new String[] {parts[0], path.replace("{id}", "000000000000000000000000")});
        }
        List<Arguments> arguments = new ArrayList<>();
        for (String[] request : requests) {
            for (String token : List.of("missing", "malformed", "unknown", "revoked", "expired")) {
                arguments.add(Arguments.of(request[0] + " " + request[1] + " with a " + token + " token", request[0],
                        request[1], token));
            }
        }
        return arguments.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("authenticatedRoutes")
    void everyAuthenticatedRouteRefusesBadTokens(String name, String method, String path, String token) {
        List<String> headers = switch (token) {
            case "malformed" -> List.of("Authorization", "Basic YWJjOmRlZg==");
            case "unknown" -> List.of("Authorization", "Bearer not-a-token-we-issued");
            case "revoked" -> List.of("Authorization", "Bearer " + revokedToken);
            case "expired" -> List.of("Authorization", "Bearer " + expiredToken);
            default -> List.of();
        };
        String body = method.equals("GET") ? null : "{}";
        Api.Response response = api.send(method, path, null, body == null ? null : Api.JSON_API, body, headers);
        assertThat(response.status()).as(response.body()).isEqualTo(401);
        assertThat(response.at("/errors/0/code").asText()).isEqualTo("Unauthorized");
        assertThat(response.header("WWW-Authenticate").orElseThrow()).startsWith("Bearer");
    }
}
