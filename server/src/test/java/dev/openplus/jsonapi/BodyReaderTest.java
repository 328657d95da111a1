package dev.openplus.jsonapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.Application;

/**
 * Reading request bodies without a database or a server (the fast tier): what is refused, at which pointer, and
 * that every problem of one resource is reported together. MalformedInputTest sends the same kinds of body over
 * HTTP to every write.
 */
@Tag("fast")
class BodyReaderTest {
    private static final ResourceRegistry REGISTRY = Application.registry();
    private static final ResourceType GROUP = REGISTRY.get("group");

    private static List<String> refusedDocument(String body) {
        ApiException thrown = catchThrowableOfType(ApiException.class,
                () -> BodyReader.requestDocument(body.getBytes(StandardCharsets.UTF_8)));
        assertThat(thrown).as("refused: " + body).isNotNull();
        assertThat(thrown.errors()).allSatisfy(e -> assertThat(e.code()).isEqualTo(ErrorCode.InvalidBodyParameter));
        return thrown.errors().stream().map(ApiError::pointer).toList();
    }

    private static BodyReader.ResourceInput group(String data, WriteBatch.Mode mode) {
        JsonNode document = BodyReader.requestDocument(("{\"data\":" + data + "}").getBytes(StandardCharsets.UTF_8));
        return BodyReader.resource(BodyReader.singleData(document), "/data", GROUP, mode, "5a0c1e0f0000000000000001",
                REGISTRY);
    }

    private static ApiException refusedGroup(String data, WriteBatch.Mode mode) {
        ApiException thrown = catchThrowableOfType(ApiException.class, () -> group(data, mode));
        assertThat(thrown).as("refused: " + data).isNotNull();
        return thrown;
    }

    @Test
    void aBodyMustBeOneStorableJsonObject() {
        assertThat(refusedDocument("")).containsExactly("");
        assertThat(refusedDocument("{\"data\":")).containsExactly("");
        assertThat(refusedDocument("[1]")).containsExactly("");
        assertThat(refusedDocument("{\"data\":{\"a\":\"x\\u0000y\"}}")).containsExactly("/data/a");
        assertThat(refusedDocument("{\"data\":{\"a/b\":1e309}}")).containsExactly("/data/a~1b");
        assertThat(refusedDocument("{\"data\":{},\"included\":[],\"meta\":1}")).containsExactly("/included", "/meta");
        assertThat(refusedDocument("[".repeat(BodyReader.MAX_NESTING_DEPTH + 1))).containsExactly("");
    }

    @Test
    void aResourceIsCheckedAgainstItsDescription() {
        BodyReader.ResourceInput input = group("{\"type\":\"group\",\"id\":\"\",\"attributes\":{\"name\":\"Sleep\","
                + "\"created_at\":\"2017-11-03T06:17:34.652Z\"}}", WriteBatch.Mode.CREATE);
        assertThat(input.value("name")).isEqualTo("Sleep");
        assertThat(input.has("bio")).isFalse();
        assertThat(input.ignored()).containsExactly("/data/attributes/created_at");

        ApiException all = refusedGroup("{\"type\":\"groups\",\"attributes\":{\"nmae\":\"x\",\"bio\":7},"
                + "\"relationships\":{\"coach\":{\"data\":null}},\"extra\":1}", WriteBatch.Mode.CREATE);
        assertThat(all.status()).isEqualTo(409);
        assertThat(all.errors()).extracting(ApiError::pointer).containsExactlyInAnyOrder("/data/extra", "/data/type",
                "/data/attributes/nmae", "/data/attributes/bio", "/data/attributes/name",
                "/data/relationships/coach");
    }

    @Test
    void idsFollowTheMode() {
        ApiException clientId = refusedGroup("{\"type\":\"group\",\"id\":\"5a0c1e0f0000000000000009\","
                + "\"attributes\":{\"name\":\"x\"}}", WriteBatch.Mode.CREATE);
        assertThat(clientId.status()).isEqualTo(403);
        assertThat(clientId.errors()).extracting(ApiError::pointer).containsExactly("/data/id");

        assertThat(group("{\"type\":\"group\",\"id\":\"5a0c1e0f0000000000000001\",\"attributes\":{\"bio\":null}}",
                WriteBatch.Mode.UPDATE).has("bio")).isTrue();
        assertThat(refusedGroup("{\"type\":\"group\",\"id\":\"5a0c1e0f0000000000000002\"}", WriteBatch.Mode.UPDATE)
                .errors()).extracting(ApiError::pointer).containsExactly("/data/id");
    }
}
