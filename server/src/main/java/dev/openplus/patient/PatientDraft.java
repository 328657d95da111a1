package dev.openplus.patient;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.db.Ids;
import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.Relationship;

/**
 * One patient object of a write request after the generic checks, with its groups (by id or by
 * {@code meta.query}) and coaches (with {@code meta.primary}) read from the relationships.
 */
record PatientDraft(BodyReader.ResourceInput input, List<GroupRef> groups, List<CoachRef> coaches) {

    /** A group given by id, or by a query {organization, name} (then id is null). */
    record GroupRef(String id, String queryOrganization, String queryName, String pointer) {
        boolean byQuery() {
            return id == null;
        }
    }

    record CoachRef(String id, boolean primary, String pointer) {
    }

    /** An identifier of the draft, with the pointer a duplicate is reported at. */
    record Identifier(String label, String system, String value, boolean unique, String pointer) {
    }

    String pointer() {
        return input.pointer();
    }

    /** The identifiers the draft sets, or null when it does not touch them. */
    List<Identifier> identifiers() {
        if (!input.has("identifiers")) {
            return null;
        }
        JsonNode array = (JsonNode) input.value("identifiers");
        List<Identifier> identifiers = new ArrayList<>();
        if (array == null) {
            return identifiers;
        }
        for (int i = 0; i < array.size(); i++) {
            JsonNode entry = array.get(i);
            JsonNode label = entry.get("label");
            identifiers.add(new Identifier(label == null || label.isNull() ? null : label.asText(),
                    entry.get("system").asText(), entry.get("value").asText(),
                    !entry.has("unique") || entry.get("unique").isNull() || entry.get("unique").asBoolean(),
                    input.pointer() + "/attributes/identifiers/" + i));
        }
        return identifiers;
    }

    /** Reads the groups and coaches members of a checked resource object. */
    static PatientDraft of(BodyReader.ResourceInput input, boolean groupsRequired) {
        ApiException.Collector problems = new ApiException.Collector();
        List<GroupRef> groups = null;
        List<CoachRef> coaches = null;
        for (var entry : input.customLinks().entrySet()) {
            Relationship relationship = entry.getKey();
            String pointer = input.pointer() + "/relationships/" + relationship.name();
            JsonNode data = entry.getValue() == null || !entry.getValue().isObject() ? null : entry.getValue().get("data");
            if (data == null || !data.isArray()) {
                problems.add(ApiError.pointer(pointer + "/data", "must be an array of resource identifiers"));
                continue;
            }
            if (relationship.name().equals("groups")) {
                groups = groups(data, pointer + "/data", problems);
            } else {
                coaches = coaches(data, pointer + "/data", problems);
            }
        }
        if (groupsRequired && groups == null) {
            problems.add(ApiError.pointer(input.pointer() + "/relationships/groups",
                    "a patient belongs to at least one group: relationships.groups is required"));
        }
        problems.throwIfAny();
        return new PatientDraft(input, groups, coaches);
    }

    private static List<GroupRef> groups(JsonNode data, String pointer, ApiException.Collector problems) {
        List<GroupRef> groups = new ArrayList<>();
        if (data.isEmpty()) {
            problems.add(ApiError.pointer(pointer, "a patient belongs to at least one group"));
        }
        for (int i = 0; i < data.size(); i++) {
            JsonNode item = data.get(i);
            String itemPointer = pointer + "/" + i;
            if (!item.isObject() || !"group".equals(item.path("type").asText(null))) {
                problems.add(ApiError.pointer(itemPointer + "/type", "type must be \"group\""));
                continue;
            }
            JsonNode query = item.path("meta").path("query");
            String id = item.path("id").isTextual() ? item.get("id").asText() : null;
            if (id != null && !id.isEmpty()) {
                if (!Ids.isWellFormed(id)) {
                    problems.add(ApiError.pointer(itemPointer + "/id", "must be a group id (24 lowercase hex characters)"));
                } else {
                    groups.add(new GroupRef(id, null, null, itemPointer));
                }
            } else if (query.isObject()) {
                String organization = query.path("organization").isTextual() ? query.get("organization").asText() : null;
                String name = query.path("name").isTextual() ? query.get("name").asText() : null;
                if (organization == null || !Ids.isWellFormed(organization)) {
                    problems.add(ApiError.pointer(itemPointer + "/meta/query/organization", "an organization id is required"));
                } else if (name == null || name.isBlank() || name.length() > 255) {
                    problems.add(ApiError.pointer(itemPointer + "/meta/query/name", "a group name (at most 255 characters) is required"));
                } else {
                    groups.add(new GroupRef(null, organization, name, itemPointer));
                }
            } else {
                problems.add(ApiError.pointer(itemPointer, "give the group's id, or meta.query {organization, name}"));
            }
        }
        return groups;
    }

    private static List<CoachRef> coaches(JsonNode data, String pointer, ApiException.Collector problems) {
        List<CoachRef> coaches = new ArrayList<>();
        int primaries = 0;
        for (int i = 0; i < data.size(); i++) {
            JsonNode item = data.get(i);
            String itemPointer = pointer + "/" + i;
            if (!item.isObject() || !"coach".equals(item.path("type").asText(null))) {
                problems.add(ApiError.pointer(itemPointer + "/type", "type must be \"coach\""));
                continue;
            }
            String id = item.path("id").isTextual() ? item.get("id").asText() : null;
            if (!Ids.isWellFormed(id)) {
                problems.add(ApiError.pointer(itemPointer + "/id", "must be a coach id (24 lowercase hex characters)"));
                continue;
            }
            JsonNode primary = item.path("meta").path("primary");
            if (!primary.isMissingNode() && !primary.isNull() && !primary.isBoolean()) {
                problems.add(ApiError.pointer(itemPointer + "/meta/primary", "primary must be true or false"));
                continue;
            }
            if (primary.asBoolean(false)) {
                primaries++;
            }
            if (coaches.stream().noneMatch(c -> c.id().equals(id))) {
                coaches.add(new CoachRef(id, primary.asBoolean(false), itemPointer));
            }
        }
        if (primaries > 1) {
            problems.add(ApiError.pointer(pointer, "at most one coach can be primary"));
        }
        return coaches;
    }
}
