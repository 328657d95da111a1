package dev.openplus.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.ReferenceFacts;
import dev.openplus.support.TestServer;

/**
 * The server's OpenAPI document against the Fitbit Plus API's own facts (src/test/resources/reference): the
 * document is generated from the descriptions the server enforces, so only facts from outside it can show a
 * wrong description. Every difference is either gone or named, with its reason, in reference/deviations.yaml.
 * (Support's Contract holds every test exchange's resources to the same facts.)
 */
class ReferenceConformanceTest {
    private final ReferenceFacts facts = ReferenceFacts.get();

    @Test
    void theFactsCoverEveryReferenceOperation() {
        assertThat(facts.operations.size()).isEqualTo(62);
        facts.operations.forEach(operation -> assertThat(operation.path("statuses")).isNotEmpty());
    }

    @Test
    void theServersDocumentDiffersFromTheReferenceOnlyWhereADeviationSaysWhy() {
        Set<String> differences = facts.documentDifferences(TestServer.get().openApiDocument());
        assertThat(facts.undeclared(differences)).as("differences from the reference that no deviation names").isEmpty();
        assertThat(facts.stale(differences)).as("deviations the server no longer makes").isEmpty();
    }

    /** The comparison itself can fail: a description that drifts from the reference is caught. */
    @Test
    void aDescriptionThatDriftsFromTheReferenceIsCaught() {
        JsonNode document = TestServer.get().openApiDocument().deepCopy();
        ObjectNode gender = (ObjectNode) document.at("/components/schemas/PatientAttributes/properties/gender");
        ((ArrayNode) gender.get("enum")).remove(0);
        ((ObjectNode) document.at("/components/schemas/PatientAttributes/properties/birth_date")).put("format", "date-time");
        ((ObjectNode) document.at("/components/schemas/GroupAttributes/properties")).remove("name");
        ((ObjectNode) document.at("/paths/~1pub~1patient/get/responses")).remove("409");
        assertThat(facts.undeclared(facts.documentDifferences(document))).containsExactlyInAnyOrder(
                "patient /attributes/gender enum-missing", "patient /attributes/birth_date format",
                "group /attributes/name missing", "fetchPatients status 409");
    }

    @Test
    void anAnswerOutsideTheReferencesFactsIsCaught() throws Exception {
        JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"data":[{"type":"patient","id":"5a0000000000000000000001","attributes":{"gender":"unknown",
                  "birth_date":"1980-01-01T00:00:00Z","archived":"no","phone_numbers":[{"type":"pager"}]},
                  "relationships":{"groups":{"data":{"type":"group","id":"x"}}}}]}
                """);
        assertThat(facts.responseDifferences(body)).containsExactlyInAnyOrder(
                "patient /attributes/gender enum-extra", "patient /attributes/birth_date format",
                "patient /attributes/archived type", "patient /attributes/phone_numbers/items/type enum-extra",
                "patient /relationships/groups linkage");
    }

    /**
     * The reference declares 403 on its sub-collections, and the server does answer it there for a filter outside
     * the caller's scope (the exchange is held to the server's document, which must declare it).
     */
    @Test
    void subCollectionsAnswer403ForAFilterOutsideTheScope() {
        Fixtures fixtures = new Fixtures(TestServer.get());
        Fixtures.Tenant tenant = fixtures.tenant("reference conformance");
        String other = fixtures.organization("reference conformance, other");
        Api api = TestServer.get().api();
        String group = fixtures.apiGroup(tenant, "reference group");
        Api.Response patient = api.post("/pub/patient", tenant.token(), Api.json(Map.of("data", Map.of("type", "patient",
                "attributes", Map.of("first_name", "Ada", "last_name", "Lovelace"),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group))))))));
        assertThat(patient.status()).as(patient.body()).isEqualTo(201);
        Api.Response issued = fixtures.tokenResponse(tenant.client());
        String token = issued.at("/data/attributes/access_token").asText();
        // fetchTokenGroups answers only for the token it names.
        for (String path : List.of("/pub/patient/" + patient.at("/data/id").asText() + "/groups",
                "/pub/oauth/token/" + issued.at("/data/id").asText() + "/groups")) {
            Api.Response answer = api.get(path + "?filter[organization]=" + other, token);
            assertThat(answer.status()).as(path + " " + answer.body()).isEqualTo(403);
            assertThat(answer.at("/errors/0/code").asText()).isEqualTo("Forbidden");
            assertThat(answer.at("/errors/0/source/parameter").asText()).isEqualTo("filter[organization]");
        }
    }
}
