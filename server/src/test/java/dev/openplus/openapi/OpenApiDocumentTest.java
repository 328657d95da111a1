package dev.openplus.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.support.Api;
import dev.openplus.support.TestServer;

/**
 * The OpenAPI document is served, describes exactly the routes that exist, and accounts for every operation
 * of the reference: implemented, or listed as not implemented yet.
 */
class OpenApiDocumentTest {

    private static List<String> lines(String resource) throws IOException {
        try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::trim).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        }
    }

    /** operationId → "METHOD /path" for every operation of the document. */
    private static Map<String, String> operations(JsonNode document) {
        Map<String, String> operations = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> paths = document.get("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields();
            while (methods.hasNext()) {
                Map.Entry<String, JsonNode> method = methods.next();
                String id = method.getValue().path("operationId").asText();
                assertThat(operations.put(id, method.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey()))
                        .as("operationId " + id + " is used twice").isNull();
            }
        }
        return operations;
    }

    @Test
    void theDocumentIsServedAsJsonAndYamlWithoutAToken() throws IOException {
        Api api = TestServer.get().api();
        Api.Response json = api.get("/pub/openapi.json", null);
        assertThat(json.status()).isEqualTo(200);
        assertThat(json.header("Content-Type").orElseThrow()).startsWith("application/json");
        assertThat(json.at("/openapi").asText()).startsWith("3.");
        Api.Response yaml = api.get("/pub/openapi.yaml", null);
        assertThat(yaml.status()).isEqualTo(200);
        assertThat(yaml.header("Content-Type").orElseThrow()).startsWith("application/yaml");
        assertThat(ApiDocument.tree(yaml.body().getBytes(StandardCharsets.UTF_8))).isEqualTo(json.json());
    }

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedOperationIsRouted() throws IOException {
        JsonNode document = TestServer.get().openApiDocument();
        Set<String> documented = new TreeSet<>(operations(document).values());
        Set<String> routed = new TreeSet<>(TestServer.get().application.routes().stream()
                .filter(route -> route.contains(" /pub/")).toList());
        assertThat(routed).containsExactlyElementsOf(documented);
    }

    @Test
    void everyReferenceOperationIsImplementedOrListedAsNotYet() throws IOException {
        List<String> reference = lines("/openapi/reference-operations.txt");
        List<String> notYet = lines("/openapi/not-implemented-operations.txt");
        assertThat(reference).hasSize(62).doesNotHaveDuplicates();
        assertThat(notYet).doesNotHaveDuplicates();
        assertThat(reference).containsAll(notYet);
        JsonNode document = TestServer.get().openApiDocument();
        Map<String, String> operations = operations(document);
        Set<String> implemented = new LinkedHashSet<>(operations.keySet());
        for (String id : reference) {
            assertThat(implemented.contains(id) ^ notYet.contains(id))
                    .as(id + " must be either implemented or listed as not implemented yet (not both)").isTrue();
        }
        // Operations beyond the reference say so.
        Iterator<Map.Entry<String, JsonNode>> paths = document.get("paths").fields();
        while (paths.hasNext()) {
            for (JsonNode operation : paths.next().getValue()) {
                String id = operation.path("operationId").asText();
                if (!reference.contains(id)) {
                    assertThat(operation.path("x-openplus-extension").asBoolean()).as(id).isTrue();
                }
            }
        }
    }
}
