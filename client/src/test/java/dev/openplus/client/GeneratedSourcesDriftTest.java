package dev.openplus.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.openplus.Application;
import dev.openplus.client.model.OpenPlusResources;
import dev.openplus.client.model.ResourceKind;
import dev.openplus.clientgen.ClientSourceGenerator;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.Shape;

/**
 * The typed resources compiled into the client are what the server's descriptions give now: generating again
 * writes the same sources, and every attribute and relationship of every server type has a record component of the
 * matching Java type (enums with the server's values and {@code UNKNOWN}).
 */
class GeneratedSourcesDriftTest {
    @Test
    void regeneratingWritesTheSameSources() throws IOException {
        ClientSourceGenerator generator = ClientSourceGenerator.ofServer();
        Map<String, String> sources = generator.sources();
        Path root = Path.of("target/generated-sources/openplus");
        // The registry's types, the change feed's change, and the accessors.
        assertThat(generator.types()).hasSize(Application.registry().types().size() + 1);
        assertThat(sources).hasSize(generator.types().size() + 1);
        for (Map.Entry<String, String> source : sources.entrySet()) {
            assertThat(Files.readString(root.resolve(source.getKey()), StandardCharsets.UTF_8)).as(source.getKey())
                    .isEqualTo(source.getValue());
        }
    }

    @Test
    void everyServerMemberHasATypedComponent() {
        List<ResourceType> types = ClientSourceGenerator.ofServer().types();
        assertThat(types).extracting(ResourceType::name).contains("change");
        for (ResourceType type : types) {
            Optional<ResourceKind<?>> kind = OpenPlusResources.kind(type.name());
            assertThat(kind).as(type.name()).isPresent();
            Class<?> record = kind.get().javaClass();
            List<RecordComponent> components = Arrays.asList(record.getRecordComponents());
            assertThat(kind.get().attributeNames()).containsExactlyElementsOf(
                    type.attributes().stream().map(Attribute::name).toList());
            for (Attribute attribute : type.attributes()) {
                Class<?> javaType = components.stream().filter(c -> c.getName().equals(javaName(attribute.name()))
                        || c.getName().equals(javaName(attribute.name()) + "Attribute")).findFirst()
                        .orElseThrow(() -> new AssertionError(type.name() + "." + attribute.name() + " has no field"))
                        .getType();
                Shape shape = attribute.shape();
                switch (shape.kind()) {
                    case TIMESTAMP -> assertThat(javaType).isEqualTo(Instant.class);
                    case DATE -> assertThat(javaType).isEqualTo(LocalDate.class);
                    case NUMBER -> assertThat(javaType).isEqualTo(BigDecimal.class);
                    case INTEGER -> assertThat(javaType).isEqualTo(Long.class);
                    case BOOLEAN -> assertThat(javaType).isEqualTo(Boolean.class);
                    case ARRAY -> assertThat(javaType).isEqualTo(List.class);
                    case STRING -> {
                        if (shape.allowedValues().isEmpty()) {
                            assertThat(javaType).isEqualTo(String.class);
                        } else {
                            assertThat(javaType.isEnum()).as(type.name() + "." + attribute.name()).isTrue();
                            List<String> constants = Arrays.stream(javaType.getEnumConstants())
                                    .map(c -> ((Enum<?>) c).name()).toList();
                            assertThat(constants).hasSize(shape.allowedValues().size() + 1).contains("UNKNOWN");
                        }
                    }
                    default -> assertThat(javaType).isNotNull();
                }
            }
            assertThat(kind.get().relationshipNames()).containsExactlyElementsOf(
                    type.relationships().stream().map(r -> r.name()).toList());
        }
    }

    private static String javaName(String wireName) {
        String[] parts = wireName.split("[^A-Za-z0-9]+");
        StringBuilder out = new StringBuilder();
        for (String part : parts) {
            if (!part.isEmpty()) {
                out.append(out.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
            }
        }
        return out.toString();
    }

    @Test
    void anUnknownEnumValueReadsAsUnknown() {
        assertThat(dev.openplus.client.model.Patient.Gender.of("nonbinary"))
                .isEqualTo(dev.openplus.client.model.Patient.Gender.UNKNOWN);
        assertThat(dev.openplus.client.model.Patient.Gender.of("female"))
                .isEqualTo(dev.openplus.client.model.Patient.Gender.FEMALE);
    }
}
