package dev.openplus.jsonapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

import com.fasterxml.jackson.databind.JsonNode;

/** Free-form objects: undeclared members pass as they are, declared ones are still checked at their pointer. */
@Tag("fast")
class ShapeAnyMembersTest {
    private static List<String> pointers(Shape shape, String value) throws Exception {
        JsonNode node = BodyReader.mapper().readTree(value);
        ApiException.Collector problems = new ApiException.Collector();
        assertThat(shape.read(node, "/data/attributes/goal", "goal", problems)).isEqualTo(node);
        if (problems.isEmpty()) {
            return List.of();
        }
        try {
            problems.throwIfAny();
        } catch (ApiException thrown) {
            return thrown.errors().stream().map(ApiError::pointer).toList();
        }
        throw new AssertionError("problems were collected but not thrown");
    }

    @Test
    void undeclaredMembersAreAcceptedOnlyWhereAllowed() throws Exception {
        Shape free = Shape.object().member("unit", Shape.string().maxLength(4)).anyMembers();
        assertThat(free.allowsAnyMembers()).isTrue();
        assertThat(pointers(free, "{\"unit\":\"lb\",\"data\":{\"value\":210},\"some\":[1,\"x\"]}")).isEmpty();
        assertThat(pointers(free, "{\"unit\":\"pounds\",\"other\":1}")).containsExactly("/data/attributes/goal/unit");
        Shape strict = Shape.object().member("unit", Shape.string());
        assertThat(strict.allowsAnyMembers()).isFalse();
        assertThat(pointers(strict, "{\"other\":1}")).containsExactly("/data/attributes/goal/other");
    }
}
