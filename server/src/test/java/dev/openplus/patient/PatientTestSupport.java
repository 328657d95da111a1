package dev.openplus.patient;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.openplus.support.Api;

/** Builders for patient request documents. */
final class PatientTestSupport {
    private PatientTestSupport() {
    }

    static Map<String, Object> group(String id) {
        return Map.of("type", "group", "id", id);
    }

    static Map<String, Object> identifier(String system, String value) {
        return Map.of("system", system, "value", value);
    }

    /** A patient resource object with attributes and group ids. */
    static Map<String, Object> patient(Map<String, Object> attributes, String... groupIds) {
        List<Object> groups = new ArrayList<>();
        for (String id : groupIds) {
            groups.add(group(id));
        }
        Map<String, Object> resource = new LinkedHashMap<>();
        resource.put("type", "patient");
        resource.put("attributes", attributes);
        resource.put("relationships", Map.of("groups", Map.of("data", groups)));
        return resource;
    }

    static String document(Object data) {
        return Api.json(Map.of("data", data));
    }

    static String document(Object data, Map<String, Object> meta) {
        return Api.json(Map.of("data", data, "meta", meta));
    }
}
