package dev.openplus.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.cli.DemoData;
import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * The OpenAPI document explains every operation and gives every write a request example that works: each
 * example, sent as Swagger UI would send it, succeeds against the demo data ({@code serve --demo}), seeded
 * here into the test run's database with the same fixed ids.
 */
class OpenApiExamplesTest {
    private static final List<String> WRITES = List.of("post", "put", "patch");
    private static final List<String> JSON_TYPES = List.of(Api.JSON_API, "application/json");

    private static TestServer server;
    private static JsonNode document;
    private static Map<String, String> demoClient;
    private static String token;

    /** One operation of the document. */
    private record Entry(String method, String path, JsonNode operation) {
        String id() {
            return operation.path("operationId").asText();
        }
    }

    @BeforeAll
    static void seedTheDemoData() {
        server = TestServer.get();
        document = server.openApiDocument();
        String organizationId = server.database.transaction(dsl -> DemoData.seedOrganization(dsl,
                server.application.writer()));
        // The demo organization's ids are the fixed ones the examples name.
        assertThat(organizationId).isEqualTo("659200800100000000000001");
        Fixtures fixtures = new Fixtures(server);
        demoClient = fixtures.client(organizationId);
        token = fixtures.token(demoClient);
    }

    private static List<Entry> operations() {
        List<Entry> entries = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            if (path.getKey().startsWith("/pub/probe")) {
                continue; // the engine tests' own type (engine/ProbeResource), not part of the server
            }
            path.getValue().fields().forEachRemaining(method -> entries.add(
                    new Entry(method.getKey(), path.getKey(), method.getValue())));
        }
        return entries;
    }

    /** The examples of a write's JSON:API body: its {@code example}, or each of its {@code examples}. */
    private static List<JsonNode> examples(Entry entry) {
        JsonNode content = entry.operation().path("requestBody").path("content").path(Api.JSON_API);
        List<JsonNode> examples = new ArrayList<>();
        if (content.has("example")) {
            examples.add(content.get("example"));
        }
        content.path("examples").forEach(example -> examples.add(example.path("value")));
        return examples;
    }

    /** The path with its id parameter's example in place of {id}. */
    private static String path(Entry entry) {
        for (JsonNode parameter : entry.operation().path("parameters")) {
            if (parameter.path("in").asText().equals("path") && parameter.has("example")) {
                return entry.path().replace("{" + parameter.get("name").asText() + "}", parameter.get("example").asText());
            }
        }
        return entry.path();
    }

    @Test
    void everyOperationHasADescriptionAndEveryWriteAnExample() {
        List<Entry> entries = operations();
        assertThat(entries).hasSizeGreaterThanOrEqualTo(69);
        List<String> missing = new ArrayList<>();
        for (Entry entry : entries) {
            if (entry.operation().path("description").asText().isBlank()) {
                missing.add(entry.id() + ": no description");
            }
            if (!WRITES.contains(entry.method())) {
                continue;
            }
            for (String type : JSON_TYPES) {
                JsonNode content = entry.operation().path("requestBody").path("content").path(type);
                if (!content.has("example") && !content.path("examples").isObject()) {
                    missing.add(entry.id() + ": no request example for " + type);
                }
            }
            if (entry.path().contains("{id}") && path(entry).contains("{id}")) {
                missing.add(entry.id() + ": no example of the path's id");
            }
            // A bulk create shows both forms.
            JsonNode schema = entry.operation().path("requestBody").path("content").path(Api.JSON_API).path("schema");
            String ref = schema.path("$ref").asText();
            if (!ref.isEmpty() && document.at(ref.substring(1) + "/properties/data").has("oneOf")
                    && examples(entry).stream().noneMatch(example -> example.path("data").isArray())) {
                missing.add(entry.id() + ": no bulk example");
            }
        }
        assertThat(missing).isEmpty();
    }

    @Test
    void everyWriteExampleSucceedsAgainstTheDemoData() {
        Api api = server.api();
        List<String> failures = new ArrayList<>();
        int sent = 0;
        for (Entry entry : operations()) {
            if (!WRITES.contains(entry.method())) {
                continue;
            }
            for (JsonNode example : examples(entry)) {
                JsonNode body = example;
                if (entry.id().equals("createToken")) {
                    // Credentials cannot be examples: the example's placeholders take the demo client's.
                    ObjectNode attributes = (ObjectNode) example.deepCopy().path("data").path("attributes");
                    assertThat(attributes.path("client_id").asText()).isEqualTo("YOUR_CLIENT_ID");
                    attributes.put("client_id", demoClient.get("client_id"));
                    attributes.put("client_secret", demoClient.get("client_secret"));
                    body = example.deepCopy();
                    ((ObjectNode) body.get("data")).set("attributes", attributes);
                }
                Api.Response response = api.send(entry.method().toUpperCase(Locale.ROOT), path(entry),
                        entry.id().equals("createToken") ? null : token, Api.JSON_API, body.toString(), List.of());
                sent++;
                if (response.status() / 100 != 2) {
                    failures.add(entry.id() + " " + path(entry) + " answered " + response);
                }
            }
        }
        assertThat(failures).isEmpty();
        assertThat(sent).isGreaterThanOrEqualTo(24);
    }
}
