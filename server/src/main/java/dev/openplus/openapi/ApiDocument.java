package dev.openplus.openapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** The project's own OpenAPI document, written as YAML and served as YAML and as JSON. */
public final class ApiDocument {
    public static final String RESOURCE = "/openapi/openplus.yaml";

    private final byte[] yaml;
    private final byte[] json;

    private ApiDocument(byte[] yaml, byte[] json) {
        this.yaml = yaml;
        this.json = json;
    }

    public static ApiDocument load() {
        try (InputStream in = ApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath");
            }
            byte[] yaml = in.readAllBytes();
            return new ApiDocument(yaml, new ObjectMapper().writeValueAsBytes(tree(yaml)));
        } catch (IOException e) {
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
