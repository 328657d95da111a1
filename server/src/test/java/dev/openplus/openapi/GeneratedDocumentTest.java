package dev.openplus.openapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.Application;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.Operation;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.SortField;
import dev.openplus.support.TestServer;

/**
 * The served OpenAPI document is generated from the descriptions the server enforces: exact pieces for real
 * types, and, for every registered type, rules that cannot drift from the description.
 */
class GeneratedDocumentTest {
    private static final JsonNode DOCUMENT = TestServer.get().openApiDocument();

    private static JsonNode schema(String name) {
        JsonNode schema = DOCUMENT.path("components").path("schemas").path(name);
        assertThat(schema.isObject()).as("schema " + name).isTrue();
        return schema;
    }

    /** Follows a $ref (one level at a time, until a schema without one). */
    private static JsonNode resolve(JsonNode schema) {
        while (schema.has("$ref")) {
            String ref = schema.get("$ref").asText();
            assertThat(ref).startsWith("#/components/schemas/");
            schema = schema(ref.substring("#/components/schemas/".length()));
        }
        return schema;
    }

    private static JsonNode operation(String operationId) {
        for (JsonNode path : DOCUMENT.path("paths")) {
            for (JsonNode operation : path) {
                if (operation.path("operationId").asText().equals(operationId)) {
                    return operation;
                }
            }
        }
        throw new AssertionError("no operation " + operationId);
    }

    private static JsonNode parameter(String operationId, String name) {
        for (JsonNode entry : operation(operationId).path("parameters")) {
            JsonNode parameter = entry.has("$ref") ? DOCUMENT.at(entry.get("$ref").asText().substring(1)) : entry;
            if (parameter.path("name").asText().equals(name)) {
                return parameter;
            }
        }
        throw new AssertionError(operationId + " has no parameter " + name);
    }

    private static Pattern pattern(JsonNode parameter) {
        return Pattern.compile(parameter.path("schema").path("pattern").asText());
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(item -> texts.add(item.isNull() ? null : item.asText()));
        return texts;
    }

    /** The attributes of a create request's resource object (the single one where bulk creates are allowed). */
    private static JsonNode createAttributes(ResourceType type) {
        return createResource(type).path("properties").path("attributes");
    }

    /** A create request's resource object (the single one where bulk creates are allowed). */
    private static JsonNode createResource(ResourceType type) {
        JsonNode data = schema("Create" + DocumentGenerator.schemaPrefix(type) + "Request").path("properties").path("data");
        return resolve(data.has("oneOf") ? data.get("oneOf").get(0) : data);
    }

    @Test
    void aPolymorphicRelationshipNamesEachTypeItMayPointTo() {
        ResourceType email = Application.registry().get("email_history");
        JsonNode receiver = resolve(createResource(email).path("properties").path("relationships").path("properties")
                .path("receiver")).path("properties").path("data");
        assertThat(texts(receiver.path("properties").path("type").path("enum"))).containsExactly("patient", "coach");
        assertThat(receiver.path("nullable").asBoolean()).as("required on create").isFalse();
        JsonNode read = schema(DocumentGenerator.schemaPrefix(email) + "Resource").path("properties").path("relationships")
                .path("properties").path("receiver").path("properties").path("data");
        assertThat(texts(read.path("properties").path("type").path("enum"))).containsExactly("patient", "coach");
        JsonNode sender = schema(DocumentGenerator.schemaPrefix(email) + "Resource").path("properties")
                .path("relationships").path("properties").path("sender").path("properties").path("data");
        assertThat(texts(sender.path("properties").path("type").path("enum"))).containsExactly("coach");
        assertThat(parameter("fetchEmailHistories", "include").path("description").asText())
                .contains("`receiver` (`patient` or `coach`), `sender`.");
        // Included resources of either type take their sparse fieldsets.
        assertThat(pattern(parameter("fetchEmailHistories", "fields[coach]")).matcher("first_name").matches()).isTrue();
        assertThat(pattern(parameter("fetchEmailHistories", "fields[patient]")).matcher("first_name").matches()).isTrue();
        assertThat(pattern(parameter("fetchEmailHistories", "filter[receiver]")).matcher("5a0b0c0d0e0f101112131415")
                .matches()).isTrue();
        // Target types with different id formats: the identifier's id takes either.
        JsonNode probe = resolve(schema("CreateProbeRequest").path("properties").path("data").path("oneOf").get(0));
        Pattern topicId = Pattern.compile(resolve(probe.path("properties").path("relationships")
                .path("properties").path("topic")).path("properties").path("data").path("properties").path("id")
                .path("pattern").asText());
        assertThat(topicId.matcher("21").matches()).isTrue();
        assertThat(topicId.matcher("5a0b0c0d0e0f101112131415").matches()).isTrue();
        assertThat(topicId.matcher("21x").matches()).isFalse();
    }

    @Test
    void theGroupNameIsRequiredOnCreateNotBlankAndAtMost255Characters() {
        JsonNode attributes = resolve(schema("CreateGroupRequest").path("properties").path("data"))
                .path("properties").path("attributes");
        assertThat(texts(attributes.path("required"))).containsExactly("name");
        JsonNode name = attributes.path("properties").path("name");
        assertThat(name.path("type").asText()).isEqualTo("string");
        assertThat(name.path("minLength").asInt()).isEqualTo(1);
        assertThat(name.path("maxLength").asInt()).isEqualTo(255);
        assertThat(name.path("pattern").asText()).isEqualTo("\\S");
        assertThat(name.has("nullable")).isFalse();
        assertThat(attributes.path("additionalProperties").asBoolean(true)).isFalse();
    }

    @Test
    void includeOfFetchPatientsAllowsExactlyGroupsAndCoaches() {
        JsonNode include = parameter("fetchPatients", "include");
        assertThat(include.path("schema").path("pattern").asText()).isEqualTo("^(groups|coaches)(,(groups|coaches))*$");
        Pattern pattern = pattern(include);
        assertThat(List.of("groups", "coaches", "groups,coaches", "coaches,groups"))
                .allMatch(value -> pattern.matcher(value).matches());
        assertThat(List.of("", "organization", "groups,", "group", "groups,organization"))
                .noneMatch(value -> pattern.matcher(value).matches());
        assertThat(include.path("x-openplus-extension").asBoolean()).isTrue();
    }

    @Test
    void sortOfFetchGroupsListsNameCreatedAtAndUpdatedAtWithOptionalMinus() {
        JsonNode sort = parameter("fetchGroups", "sort");
        Pattern pattern = pattern(sort);
        for (String field : List.of("name", "created_at", "updated_at")) {
            assertThat(pattern.matcher(field).matches()).as(field).isTrue();
            assertThat(pattern.matcher("-" + field).matches()).as("-" + field).isTrue();
            assertThat(sort.path("description").asText()).contains("`" + field + "`");
        }
        assertThat(pattern.matcher("-name,created_at").matches()).isTrue();
        assertThat(List.of("bio", "--name", "name,", "", "id")).noneMatch(value -> pattern.matcher(value).matches());
    }

    @Test
    void fieldsOfPatientNameEveryAttributeAndRelationshipAndMayBeEmpty() {
        JsonNode fields = parameter("fetchPatients", "fields[patient]");
        Pattern pattern = pattern(fields);
        List<String> names = new ArrayList<>();
        Application.registry().get("patient").attributes().forEach(attribute -> names.add(attribute.name()));
        names.addAll(List.of("groups", "coaches"));
        assertThat(names).contains("first_name", "phone_numbers", "archived", "created_at");
        for (String name : names) {
            assertThat(pattern.matcher(name).matches()).as(name).isTrue();
        }
        assertThat(pattern.matcher("").matches()).isTrue();
        assertThat(pattern.matcher(String.join(",", names)).matches()).isTrue();
        assertThat(List.of("nope", "first_name,", ",groups", "organization"))
                .noneMatch(value -> pattern.matcher(value).matches());
        assertThat(fields.path("x-openplus-extension").asBoolean()).isTrue();
        // The fieldsets of the included types are there too.
        assertThat(pattern(parameter("fetchPatients", "fields[group]")).matcher("name,bio").matches()).isTrue();
        assertThat(pattern(parameter("fetchPatients", "fields[coach]")).matcher("first_name").matches()).isTrue();
    }

    @Test
    void phoneNumbersAreClosedObjectsWithTheirRequiredMembersAndTypeEnum() {
        JsonNode phoneNumbers = schema("PatientAttributes").path("properties").path("phone_numbers");
        assertThat(phoneNumbers.path("type").asText()).isEqualTo("array");
        assertThat(phoneNumbers.path("maxItems").asInt()).isEqualTo(100);
        JsonNode item = phoneNumbers.path("items");
        assertThat(item.path("additionalProperties").asBoolean(true)).isFalse();
        assertThat(texts(item.path("required"))).containsExactly("type", "value", "primary");
        assertThat(texts(item.path("properties").path("type").path("enum")))
                .containsExactly("home", "work", "mobile", "home-fax", "work-fax", "other");
        assertThat(item.path("properties").path("value").path("minLength").asInt()).isEqualTo(1);
        assertThat(item.path("properties").path("primary").path("type").asText()).isEqualTo("boolean");
    }

    @Test
    void thePatientResourceAndItsAttributesAreClosedObjects() {
        JsonNode resource = schema("PatientResource");
        assertThat(resource.path("additionalProperties").asBoolean(true)).isFalse();
        assertThat(texts(resource.path("properties").path("type").path("enum"))).containsExactly("patient");
        JsonNode attributes = resolve(resource.path("properties").path("attributes"));
        assertThat(attributes.path("additionalProperties").asBoolean(true)).isFalse();
        assertThat(attributes.path("properties").path("archived").path("readOnly").asBoolean()).isTrue();
        assertThat(resource.path("properties").path("links").path("properties").has("twine_web_app")).isTrue();
        assertThat(schema("GroupResource").path("properties").path("links").path("properties").has("twine_web_app"))
                .isFalse();
        JsonNode coaches = resource.path("properties").path("relationships").path("properties").path("coaches");
        assertThat(coaches.path("properties").path("data").path("items").path("properties").path("meta")
                .path("properties").path("primary").path("type").asText()).isEqualTo("boolean");
        assertThat(coaches.path("properties").path("links").path("required").get(0).asText()).isEqualTo("related");
        // Relationships a feature reads itself take the prose's request schemas.
        JsonNode input = resolve(schema("CreatePatientRequest").path("properties").path("data").path("oneOf").get(0));
        JsonNode inputRelationships = input.path("properties").path("relationships");
        assertThat(inputRelationships.path("properties").path("groups").path("$ref").asText())
                .isEqualTo("#/components/schemas/PatientGroupsInput");
        assertThat(inputRelationships.path("properties").path("coaches").path("$ref").asText())
                .isEqualTo("#/components/schemas/PatientCoaches");
        assertThat(texts(inputRelationships.path("required"))).containsExactly("groups");
    }

    @Test
    void pagingLimitsAndDefaultsAreTheParsers() {
        JsonNode limit = parameter("fetchPatients", "page[limit]").path("schema");
        assertThat(limit.path("maximum").asInt()).isEqualTo(500);
        assertThat(limit.path("minimum").asInt()).isZero();
        assertThat(limit.path("default").asInt()).isEqualTo(50);
        JsonNode size = parameter("fetchGroups", "page[size]").path("schema");
        assertThat(size.path("maximum").asInt()).isEqualTo(50);
        assertThat(size.path("default").asInt()).isEqualTo(10);
        assertThat(parameter("fetchGroups", "page[number]").path("schema").path("minimum").asInt()).isEqualTo(1);
    }

    @Test
    void createdAtFilterIsAnExtensionOnGroupsButTheReferencesOnPatients() {
        assertThat(parameter("fetchGroups", "filter[created_at]").path("x-openplus-extension").asBoolean()).isTrue();
        assertThat(parameter("fetchPatients", "filter[created_at]").has("x-openplus-extension")).isFalse();
        assertThat(parameter("fetchGroups", "filter[organization]").has("x-openplus-extension")).isFalse();
        assertThat(parameter("fetchGroups", "filter[organization]").path("required").asBoolean()).isTrue();
        assertThat(parameter("fetchCoaches", "filter[group]").path("x-openplus-extension").asBoolean()).isTrue();
        assertThat(parameter("fetchPatients", "page[after]").path("x-openplus-extension").asBoolean()).isTrue();
        assertThat(parameter("fetchPatients", "page[cursor]").has("x-openplus-extension")).isFalse();
        // Several required choices cannot be a parameter's `required`; the description says them.
        assertThat(parameter("fetchPatients", "filter[groups]").path("required").asBoolean()).isFalse();
        assertThat(operation("fetchPatients").path("description").asText())
                .contains("One of `filter[groups]` and `filter[organization]` is required.");
        JsonNode range = parameter("fetchPatients", "filter[updated_at]");
        Pattern pattern = pattern(range);
        assertThat(List.of("2017-11-01T00:00:00Z..", "..2017-12-01T00:00:00.123+01:00",
                "2017-11-01T00:00:00Z..2017-12-01T00:00:00Z")).allMatch(value -> pattern.matcher(value).matches());
        assertThat(List.of("..", "2017-11-01..", "yesterday")).noneMatch(value -> pattern.matcher(value).matches());
        assertThat(pattern(parameter("fetchPatients", "filter[groups]")).matcher(
                "5a0c4ef5b4c2a93a4c7a0001,5a0c4ef5b4c2a93a4c7a0002").matches()).isTrue();
        assertThat(texts(parameter("fetchPatients", "filter[archived]").path("schema").path("enum")))
                .containsExactly("true", "false");
    }

    /** A write's description states the rules of its type's description, whatever its prose says. */
    @Test
    void writeDescriptionsStateTheTypesRules() {
        for (Operation operation : TestServer.get().application.operations()) {
            if (operation.kind() != Operation.Kind.CREATE && operation.kind() != Operation.Kind.UPDATE) {
                continue;
            }
            String description = operation(operation.operationId()).path("description").asText();
            for (Attribute attribute : operation.type().attributes()) {
                if (attribute.readOnly()) {
                    assertThat(description).as(operation.operationId()).contains("`" + attribute.name() + "`")
                            .contains("Read-only, ignored when sent");
                } else if (operation.kind() == Operation.Kind.CREATE && attribute.required()) {
                    assertThat(description).as(operation.operationId()).contains("Required attributes: ")
                            .contains("`" + attribute.name() + "`");
                }
            }
            if (operation.kind() == Operation.Kind.CREATE && operation.type().bulkCreate()) {
                assertThat(description).as(operation.operationId()).contains("bulk create");
            }
        }
        assertThat(operation("createPatientHealthMetric").path("description").asText())
                .contains("A `blood_pressure` metric gives `systolic` and `diastolic`")
                .contains("Required attributes: `type`, `occurred_at`.");
        assertThat(operation("updateEmailHistory").path("description").asText())
                .contains("Set on create, never changed: `email_address`, `email_type`, `send_time`.");
    }

    /** 503 wherever the database answers; 429 wherever a bearer token is checked or credentials are. */
    @Test
    void operationsDeclareThrottlingAndAnUnavailableDatabase() {
        for (JsonNode path : DOCUMENT.path("paths")) {
            for (JsonNode operation : path) {
                String id = operation.path("operationId").asText();
                boolean documentation = id.startsWith("fetchOpenApi");
                assertThat(operation.path("responses").has("503")).as(id).isEqualTo(!documentation);
                assertThat(operation.path("responses").has("429")).as(id).isEqualTo(!documentation);
            }
        }
        assertThat(DOCUMENT.at("/components/responses/ServiceUnavailable/headers/Retry-After").isObject()).isTrue();
    }

    @Test
    void everyGenericOperationIsDocumentedWithItsSuccessStatus() {
        List<Operation> generic = TestServer.get().application.operations().stream()
                .filter(operation -> operation.kind() != Operation.Kind.CUSTOM).toList();
        assertThat(generic).hasSizeGreaterThan(10);
        for (Operation operation : generic) {
            JsonNode entry = DOCUMENT.path("paths").path(operation.path()).path(operation.method().toLowerCase(Locale.ROOT));
            assertThat(entry.path("operationId").asText()).as(operation.method() + " " + operation.path())
                    .isEqualTo(operation.operationId());
            assertThat(entry.path("responses").has(Integer.toString(operation.successStatus())))
                    .as(operation.operationId() + " answers " + operation.successStatus()).isTrue();
            assertThat(entry.path("x-openplus-extension").asBoolean()).isEqualTo(operation.extension());
        }
    }

    @Test
    void theBulkCreateLimitIsTheConfiguredOne() {
        JsonNode bulk = schema("CreatePatientRequest").path("properties").path("data").path("oneOf").get(1);
        assertThat(bulk.path("maxItems").asInt()).isEqualTo(TestServer.get().config.maxBulkItems());
        assertThat(bulk.path("minItems").asInt()).isEqualTo(1);
        assertThat(schema("CreatePatientResponse").path("properties").path("data").path("oneOf").findValuesAsText("$ref"))
                .containsExactly("#/components/schemas/PatientResource", "#/components/schemas/PatientResource",
                        "#/components/schemas/NullData");
        // A type without bulk creates takes one resource.
        assertThat(schema("CreateGroupRequest").path("properties").path("data").path("$ref").asText())
                .isEqualTo("#/components/schemas/GroupCreateInput");
    }

    /** The description is the source: no attribute, relationship, filter or sort can differ from the document. */
    @Test
    void everyDescribedRuleIsStatedForEveryRegisteredType() {
        Set<String> included = new LinkedHashSet<>();
        schema("Included").path("items").path("oneOf").forEach(ref -> included.add(ref.path("$ref").asText()));
        for (ResourceType type : Application.registry().types()) {
            String prefix = DocumentGenerator.schemaPrefix(type);
            assertThat(included).contains("#/components/schemas/" + prefix + "Resource");
            JsonNode attributes = schema(prefix + "Attributes");
            boolean creatable = TestServer.get().application.operations().stream()
                    .anyMatch(operation -> operation.type() == type && operation.kind() == Operation.Kind.CREATE);
            assertThat(DOCUMENT.path("components").path("schemas").has("Create" + prefix + "Request"))
                    .as(type.name() + " has a create request schema exactly when it has a create").isEqualTo(creatable);
            JsonNode create = creatable ? createAttributes(type) : null;
            List<String> required = creatable ? texts(create.path("required")) : List.of();
            assertThat(attributes.path("properties").size()).isEqualTo(type.attributes().size());
            for (Attribute attribute : type.attributes()) {
                String what = type.name() + "." + attribute.name();
                JsonNode property = attributes.path("properties").path(attribute.name());
                assertThat(property.isObject()).as(what).isTrue();
                if (creatable) {
                    JsonNode created = create.path("properties").path(attribute.name());
                    if (attribute.readOnly()) {
                        assertThat(created.path("readOnly").asBoolean()).as(what + " read-only in a create").isTrue();
                        assertThat(created.has("type")).as(what + " any value in a create").isFalse();
                    } else {
                        assertThat(created.path("nullable").asBoolean()).as(what + " nullable in a create")
                                .isEqualTo(attribute.shape().isNullable());
                        if (attribute.nullableWhenRead() == attribute.shape().isNullable()) {
                            assertThat(created).as(what).isEqualTo(property);
                        }
                    }
                    assertThat(required.contains(attribute.name())).as(what + " required")
                            .isEqualTo(attribute.required());
                }
                assertThat(property.path("readOnly").asBoolean()).as(what + " readOnly").isEqualTo(attribute.readOnly());
                assertThat(property.path("nullable").asBoolean()).as(what + " nullable as read")
                        .isEqualTo(attribute.nullableWhenRead());
                assertThat(property.path("x-openplus-extension").asBoolean()).as(what + " extension")
                        .isEqualTo(attribute.isExtension());
                List<String> values = texts(property.path("enum"));
                values.removeIf(value -> value == null);
                assertThat(values).as(what + " enum").isEqualTo(attribute.shape().allowedValues());
                if (attribute.shape().maxLength() != null && values.isEmpty()) {
                    assertThat(property.path("maxLength").asInt()).as(what + " maxLength")
                            .isEqualTo(attribute.shape().maxLength());
                }
                boolean notBlank = attribute.shape().minLength() != null && attribute.shape().minLength() > 0;
                assertThat(property.path("minLength").asInt(0) > 0).as(what + " minLength").isEqualTo(notBlank);
            }
            JsonNode relationships = schema(prefix + "Resource").path("properties").path("relationships").path("properties");
            for (Relationship relationship : type.relationships()) {
                String what = type.name() + "." + relationship.name();
                JsonNode property = relationships.path(relationship.name());
                assertThat(property.isObject()).as(what).isTrue();
                assertThat(property.path("x-openplus-extension").asBoolean()).as(what + " extension")
                        .isEqualTo(relationship.extension());
                assertThat(property.path("properties").has("links")).as(what + " links.related")
                        .isEqualTo(relationship.relatedPath() != null);
                JsonNode data = property.path("properties").path("data");
                JsonNode identifier = relationship.toMany() ? data.path("items") : data;
                assertThat(texts(identifier.path("properties").path("type").path("enum"))).as(what + " types")
                        .isEqualTo(relationship.targetTypes());
                if (creatable && relationship.input() == Relationship.Input.IDENTIFIERS) {
                    JsonNode input = resolve(createResource(type).path("properties").path("relationships")
                            .path("properties").path(relationship.name())).path("properties").path("data");
                    JsonNode given = relationship.toMany() ? input.path("items") : input;
                    assertThat(texts(given.path("properties").path("type").path("enum"))).as(what + " types in a create")
                            .isEqualTo(relationship.targetTypes());
                }
            }
            for (Operation operation : TestServer.get().application.operations()) {
                if (operation.type() != type || operation.kind() != Operation.Kind.LIST) {
                    continue;
                }
                for (FilterDef filter : type.filters()) {
                    assertThat(parameter(operation.operationId(), filter.parameter()).path("required").asBoolean())
                            .as(filter.parameter() + " required")
                            .isEqualTo(type.requiredFilterChoices().equals(List.of(List.of(filter.name()))));
                }
                if (!type.sorts().isEmpty()) {
                    Pattern sort = pattern(parameter(operation.operationId(), "sort"));
                    for (SortField field : type.sorts()) {
                        assertThat(sort.matcher("-" + field.name()).matches()).as(field.name()).isTrue();
                    }
                }
            }
        }
    }

    @Test
    void theDocumentIsValidOpenApi303() {
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(TestServer.get().openApiYaml());
        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI().getOpenapi()).isEqualTo("3.0.3");
    }

    /** The document is strict enough to catch what the server refuses. */
    @Test
    void theDocumentRefusesWhatTheServerRefuses() {
        OpenApiInteractionValidator validator = OpenApiInteractionValidator
                .createForInlineApiSpecification(TestServer.get().openApiYaml()).withResolveRefs(true).build();
        String valid = "{\"data\":{\"type\":\"group\",\"attributes\":{\"name\":\"Cohort A\"}}}";
        assertThat(errors(validator, valid)).isEmpty();
        assertThat(errors(validator, "{\"data\":{\"type\":\"group\",\"attributes\":{\"name\":\" \"}}}")).isNotEmpty();
        assertThat(errors(validator, "{\"data\":{\"type\":\"group\",\"attributes\":{\"name\":\"A\",\"nmae\":\"B\"}}}"))
                .isNotEmpty();
        assertThat(errors(validator, "{\"data\":{\"type\":\"group\",\"attributes\":{}}}")).isNotEmpty();
        assertThat(errors(validator, "{\"data\":{\"type\":\"group\",\"id\":\"mine\",\"attributes\":{\"name\":\"A\"}}}"))
                .isNotEmpty();
        assertThat(errors(validator, "{\"data\":{\"type\":\"group\",\"attributes\":{\"name\":\"A\"}},\"extra\":1}"))
                .isNotEmpty();
        // Read-only members are accepted (the server ignores them and lists them in meta.ignored).
        assertThat(errors(validator, "{\"data\":{\"type\":\"group\",\"attributes\":{\"name\":\"A\","
                + "\"created_at\":\"2017-11-03T06:17:34.652Z\"}}}")).isEmpty();
    }

    private static List<String> errors(OpenApiInteractionValidator validator, String body) {
        ValidationReport report = validator.validateRequest(SimpleRequest.Builder.post("/pub/group")
                .withContentType("application/vnd.api+json").withBody(body).build());
        return report.getMessages().stream().filter(message -> message.getLevel() == ValidationReport.Level.ERROR)
                .filter(message -> !message.getKey().startsWith("validation.request.security"))
                .map(ValidationReport.Message::getMessage).toList();
    }

    @Test
    void proseMayNotDescribeAnOperationThatDoesNotExistNorClaimAParameterItLacks() {
        List<Operation> operations = TestServer.get().application.operations();
        ObjectNode prose = DocumentGenerator.prose();
        ((ObjectNode) prose.get("operations")).putObject("fetchNothing");
        assertThatThrownBy(() -> DocumentGenerator.generate(operations, Application.registry(), 1000, prose))
                .hasMessageContaining("fetchNothing");
        ObjectNode other = DocumentGenerator.prose();
        ((ObjectNode) other.get("operations").get("fetchGroups")).putArray("referenceParameters").add("filter[nope]");
        assertThatThrownBy(() -> DocumentGenerator.generate(operations, Application.registry(), 1000, other))
                .hasMessageContaining("filter[nope]");
    }
}
