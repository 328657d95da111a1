package dev.openplus.openapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import dev.openplus.jsonapi.Operation;
import dev.openplus.jsonapi.ResourceRegistry;

/**
 * The project's OpenAPI document, generated once at start from the routed operations and the resource types
 * ({@link DocumentGenerator}), and served as YAML and as JSON.
 */
public final class ApiDocument {
    private final byte[] yaml;
    private final byte[] json;

    private ApiDocument(byte[] yaml, byte[] json) {
        this.yaml = yaml;
        this.json = json;
    }

    /** The document of these operations and types; {@code maxBulkItems} is the configured bulk-create limit. */
    public static ApiDocument generate(List<Operation> operations, ResourceRegistry registry, int maxBulkItems) {
        JsonNode tree = DocumentGenerator.generate(operations, registry, maxBulkItems);
        try {
            byte[] yaml = new ObjectMapper(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    // A string of digits (an example's id, a question id) stays a string when read back.
                    .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                    .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
                    .disable(YAMLGenerator.Feature.SPLIT_LINES)
                    .build()).writeValueAsBytes(tree);
            return new ApiDocument(yaml, new ObjectMapper().writeValueAsBytes(tree));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A classpath resource, read once at start (the docs page and the Swagger UI assets). */
    public static byte[] resource(String path) {
        try (InputStream in = ApiDocument.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is not on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode tree(byte[] yaml) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(yaml);
    }

    public byte[] yaml() {
        return yaml;
    }

    public byte[] json() {
        return json;
    }
}
