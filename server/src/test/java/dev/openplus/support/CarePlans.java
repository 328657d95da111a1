package dev.openplus.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Patients, their plan summaries, actions, bundles and metrics, made through the API for the tests. */
public final class CarePlans {
    private final Api api;

    public CarePlans(Api api) {
        this.api = api;
    }

    /** A patient with identifiers (system, value pairs) in the groups; answers its id. */
    public String patient(String token, List<Map<String, Object>> identifiers, String... groupIds) {
        List<Object> groups = new ArrayList<>();
        for (String id : groupIds) {
            groups.add(Map.of("type", "group", "id", id));
        }
        Api.Response response = api.post("/pub/patient", token, Api.json(Map.of("data", Map.of("type", "patient",
                "attributes", Map.of("first_name", "Plan", "identifiers", identifiers),
                "relationships", Map.of("groups", Map.of("data", groups))))));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.at("/data/id").asText();
    }

    public String patient(String token, String... groupIds) {
        return patient(token, List.of(), groupIds);
    }

    /** The id of the patient's plan summary. */
    public String planOf(String token, String patientId) {
        Api.Response response = api.get("/pub/patient_plan_summary?filter[patient]=" + patientId, token);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.at("/meta/count").asLong()).isEqualTo(1);
        return response.at("/data/0/id").asText();
    }

    public static Map<String, Object> ref(String type, String id) {
        return Map.of("type", type, "id", id);
    }

    /** An action resource object in the plan. */
    public static Map<String, Object> action(String planId, Map<String, Object> attributes) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("type", "weight");
        all.put("title", "Measure Weight");
        all.put("effective_from", "2024-03-01T12:00:00.000Z");
        all.putAll(attributes);
        return Map.of("type", "action", "attributes", all,
                "relationships", Map.of("plan", Map.of("data", ref("patient_plan_summary", planId))));
    }

    public String createAction(String token, String planId, Map<String, Object> attributes) {
        Api.Response response = api.post("/pub/action", token, Api.json(Map.of("data", action(planId, attributes))));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.at("/data/id").asText();
    }

    /** A metric resource object for the patient. */
    public static Map<String, Object> metric(String patientId, String type, Object value, String occurredAt) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("type", type);
        attributes.put("value", value);
        attributes.put("unit", "lb");
        attributes.put("occurred_at", occurredAt);
        return Map.of("type", "patient_health_metric", "attributes", attributes,
                "relationships", Map.of("patient", Map.of("data", ref("patient", patientId))));
    }

    /** A lifestyle result of the action. */
    public Api.Response result(String token, String actionId, Map<String, Object> attributes) {
        return api.post("/pub/result", token, Api.json(Map.of("data", Map.of("type", "result",
                "attributes", attributes,
                "relationships", Map.of("action", Map.of("data", ref("action", actionId)))))));
    }
}
