package dev.openplus.reward;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.openplus.support.Api;

/**
 * Builds reward data through the API: request documents with sensible valid attributes that a test
 * overrides one at a time, and creators that assert success and return the new id.
 */
final class RewardTestSupport {
    /** A fixed point the tests' dates are relative to (programs run from a month before it for a year). */
    static final OffsetDateTime NOW = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);

    private final Api api;
    private final String token;

    RewardTestSupport(Api api, String token) {
        this.api = api;
        this.token = token;
    }

    static String at(OffsetDateTime time) {
        return time.toInstant().toString();
    }

    static String days(long days) {
        return at(NOW.plusDays(days));
    }

    static Map<String, Object> link(String type, String id) {
        return Map.of("data", Map.of("type", type, "id", id));
    }

    static Map<String, Object> resource(String type, Map<String, Object> attributes, Map<String, Object> relationships) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("type", type);
        data.put("attributes", attributes);
        data.put("relationships", relationships);
        return data;
    }

    static String document(Object data) {
        return Api.json(Map.of("data", data));
    }

    static Map<String, Object> merged(Map<String, Object> base, Map<String, Object> overrides) {
        Map<String, Object> all = new LinkedHashMap<>(base);
        all.putAll(overrides);
        all.values().removeIf(value -> value == null);
        return all;
    }

    static Map<String, Object> programData(String groupId, Map<String, Object> overrides) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("name", "Steps");
        attributes.put("start_at", days(-30));
        attributes.put("end_at", days(335));
        attributes.put("budget_value", 100);
        return resource("reward_program", merged(attributes, overrides), Map.of("group", link("group", groupId)));
    }

    static Map<String, Object> activationData(String programId, String patientId, Map<String, Object> overrides) {
        return resource("reward_program_activation", merged(Map.of("activated_at", days(-20)), overrides),
                Map.of("reward_program", link("reward_program", programId), "patient", link("patient", patientId)));
    }

    static Map<String, Object> rewardData(String activationId, Map<String, Object> overrides) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("description", "Walk");
        attributes.put("allocated_value", 10);
        attributes.put("allocated_at", days(-19));
        return resource("reward", merged(attributes, overrides),
                Map.of("reward_program_activation", link("reward_program_activation", activationId)));
    }

    static Map<String, Object> earningData(String rewardId, Map<String, Object> overrides) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("earned_value", 10);
        attributes.put("earned_at", days(-10));
        return resource("reward_earning", merged(attributes, overrides), Map.of("reward", link("reward", rewardId)));
    }

    static Map<String, Object> fulfillmentData(String earningId, Map<String, Object> overrides) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("fulfilled_value", 10);
        attributes.put("fulfilled_at", days(-5));
        return resource("reward_earning_fulfillment", merged(attributes, overrides),
                Map.of("reward_earning", link("reward_earning", earningId)));
    }

    Api.Response post(String type, Object data) {
        return api.post("/pub/" + type, token, document(data));
    }

    String created(String type, Object data) {
        Api.Response response = post(type, data);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.at("/data/id").asText();
    }

    String patient(String groupId, String firstName) {
        Api.Response response = api.post("/pub/patient", token, document(Map.of("type", "patient",
                "attributes", Map.of("first_name", firstName),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", groupId)))))));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.at("/data/id").asText();
    }

    String program(String groupId) {
        return created("reward_program", programData(groupId, Map.of()));
    }

    String program(String groupId, Map<String, Object> overrides) {
        return created("reward_program", programData(groupId, overrides));
    }

    String activation(String programId, String patientId) {
        return created("reward_program_activation", activationData(programId, patientId, Map.of()));
    }

    String reward(String activationId, Map<String, Object> overrides) {
        return created("reward", rewardData(activationId, overrides));
    }

    String earning(String rewardId, Map<String, Object> overrides) {
        return created("reward_earning", earningData(rewardId, overrides));
    }

    String fulfillment(String earningId) {
        return created("reward_earning_fulfillment", fulfillmentData(earningId, Map.of()));
    }

    /** PATCH /pub/reward_program_activation/{id} with these attributes. */
    Api.Response deactivate(String activationId, Map<String, Object> attributes) {
        return api.send("PATCH", "/pub/reward_program_activation/" + activationId, token, Api.JSON_API,
                document(Map.of("type", "reward_program_activation", "id", activationId, "attributes", attributes)),
                List.of());
    }

    /** The ids of a document's {@code included} resources. */
    static List<String> includedIds(Api.Response response) {
        List<String> ids = new java.util.ArrayList<>();
        response.at("/included").forEach(resource -> ids.add(resource.get("id").asText()));
        return ids;
    }

    /** Asserts a single 409 InvalidBodyParameter at the pointer. */
    static void assertProblem(Api.Response response, String pointer) {
        assertThat(response.status()).as(response.body()).isEqualTo(409);
        assertThat(response.at("/errors/0/code").asText()).as(response.body()).isEqualTo("InvalidBodyParameter");
        assertThat(response.at("/errors/0/source/pointer").asText()).as(response.body()).isEqualTo(pointer);
        assertThat(response.at("/errors").size()).as(response.body()).isEqualTo(1);
    }
}
