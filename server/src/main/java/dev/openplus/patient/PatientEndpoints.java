package dev.openplus.patient;

import java.util.ArrayList;
import java.util.List;

import org.jooq.impl.DSL;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.coach.CoachResource;
import dev.openplus.config.IdentifierUniqueness;
import dev.openplus.db.Ids;
import dev.openplus.group.GroupResource;
import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.jsonapi.ApiExchange;
import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.ResourceEndpoints;
import dev.openplus.jsonapi.ResourceWriter;

/**
 * The patient operations beyond the generic ones: upsert by identifier, and a patient's groups and coaches.
 * Create, fetch, list and PATCH are the engine's (with {@link PatientRules}).
 */
public final class PatientEndpoints {
    private final ResourceEndpoints resources;
    private final ResourceWriter writer;

    public PatientEndpoints(ResourceEndpoints resources, ResourceWriter writer) {
        this.resources = resources;
        this.writer = writer;
    }

    /**
     * PUT /pub/patient: finds the patient by {@code meta.query.identifier} within {@code meta.query.groups};
     * none → create it (with that identifier), one → update it as PATCH does, several → 409. Answers 200.
     */
    public void upsert(ApiExchange exchange) {
        Caller caller = exchange.caller();
        resources.parser().parseFetch(PatientResource.TYPE, exchange.queryParams());
        JsonNode document = BodyReader.requestDocument(exchange.body());
        JsonNode upsertQuery = document.path("meta").path("query");
        ApiException.Collector problems = new ApiException.Collector();
        String system = text(upsertQuery.path("identifier").path("system"));
        String value = text(upsertQuery.path("identifier").path("value"));
        if (system == null) {
            problems.add(ApiError.pointer("/meta/query/identifier/system", "meta.query.identifier.system is required"));
        }
        if (value == null) {
            problems.add(ApiError.pointer("/meta/query/identifier/value", "meta.query.identifier.value is required"));
        }
        List<String> groupIds = new ArrayList<>();
        JsonNode groupsNode = upsertQuery.path("groups");
        if (!groupsNode.isArray() || groupsNode.isEmpty()) {
            problems.add(ApiError.pointer("/meta/query/groups", "meta.query.groups must list at least one group id"));
        } else {
            for (int i = 0; i < groupsNode.size(); i++) {
                String groupId = text(groupsNode.get(i));
                if (!Ids.isWellFormed(groupId)) {
                    problems.add(ApiError.pointer("/meta/query/groups/" + i, "must be a group id"));
                } else {
                    groupIds.add(groupId);
                }
            }
        }
        problems.throwIfAny();
        JsonNode data = BodyReader.singleData(document);
        resources.database().transaction(dsl -> {
            if (!GroupResource.allInScope(dsl, caller, groupIds)) {
                throw ApiException.forbiddenPointer("/meta/query/groups", "a group is outside this client's scope");
            }
            // Upserts of one identifier follow one another: the second finds what the first created (and updates
            // it) instead of failing on the identifier the first just took.
            IdentifierUniqueness uniqueness = resources.settings().get(IdentifierUniqueness.class,
                    IdentifierUniqueness.ORGANIZATION);
            PatientRules.lock(dsl, List.of(PatientRules.lockKey(uniqueness, caller, system, value)));
            List<String> found = dsl.selectDistinct(PatientResource.ID).from(PatientResource.TYPE.table())
                    .join(PatientResource.IDENTIFIER).on(PatientResource.IDENTIFIER_PATIENT.eq(PatientResource.ID))
                    .where(PatientResource.IDENTIFIER_SYSTEM.eq(system)).and(PatientResource.IDENTIFIER_VALUE.eq(value))
                    .and(PatientResource.inGroups(groupIds)).and(PatientResource.TYPE.scope(caller))
                    .limit(2).fetch(PatientResource.ID);
            if (found.size() > 1) {
                throw ApiException.invalidBody("/meta/query", "more than one patient matches the identifier in these groups");
            }
            ResourceWriter.Result result;
            List<BodyReader.ResourceInput> inputs;
            if (found.size() == 1) {
                inputs = List.of(writer.updateInput(PatientResource.TYPE, document, found.get(0)));
                result = writer.update(dsl, caller, PatientResource.TYPE, found.get(0), inputs.get(0), null);
            } else {
                ObjectNode created = document.deepCopy();
                created.set("data", withIdentifierAndGroups(data, system, value, groupIds));
                inputs = writer.createInputs(PatientResource.TYPE, created);
                result = writer.insert(dsl, caller, PatientResource.TYPE, inputs, null, false);
            }
            resources.respondWith(exchange, dsl, 200, PatientResource.TYPE, result.ids(), false,
                    ResourceWriter.ignored(inputs, result));
            return null;
        });
    }

    /**
     * The create body of an upsert: the body's patient, in the query's groups unless it names its own, and
     * carrying the query's identifier.
     */
    private static JsonNode withIdentifierAndGroups(JsonNode data, String system, String value, List<String> groupIds) {
        ObjectNode copy = data.deepCopy();
        ObjectNode attributes = copy.get("attributes") instanceof ObjectNode given ? given : copy.putObject("attributes");
        JsonNode identifiers = attributes.get("identifiers");
        // A value that is not a list is left as sent, for validation to refuse.
        if (identifiers == null || identifiers.isNull() || identifiers.isArray()) {
            ArrayNode list = identifiers != null && identifiers.isArray() ? (ArrayNode) identifiers : attributes.putArray("identifiers");
            boolean present = false;
            for (JsonNode identifier : list) {
                present |= system.equals(identifier.path("system").asText(null))
                        && value.equals(identifier.path("value").asText(null));
            }
            if (!present) {
                list.addObject().put("system", system).put("value", value);
            }
        }
        ObjectNode relationships = copy.get("relationships") instanceof ObjectNode given ? given : copy.putObject("relationships");
        if (!relationships.has("groups")) {
            ArrayNode groups = relationships.putObject("groups").putArray("data");
            groupIds.forEach(id -> groups.addObject().put("type", "group").put("id", id));
        }
        return copy;
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() && !node.asText().isEmpty() ? node.asText() : null;
    }

    /** GET /pub/patient/{id}/groups. */
    public void groups(ApiExchange exchange) {
        String id = requireVisiblePatient(exchange);
        resources.collectionWithoutRequiredFilters(exchange, GroupResource.TYPE, GroupResource.TYPE.id().in(
                DSL.select(PatientResource.MEMBER_GROUP).from(PatientResource.MEMBER)
                        .where(PatientResource.MEMBER_PATIENT.eq(id))));
    }

    /** GET /pub/patient/{id}/coaches. */
    public void coaches(ApiExchange exchange) {
        String id = requireVisiblePatient(exchange);
        resources.collectionWithoutRequiredFilters(exchange, CoachResource.TYPE, CoachResource.TYPE.id().in(
                DSL.select(PatientResource.COACH_COACH).from(PatientResource.PATIENT_COACH)
                        .where(PatientResource.COACH_PATIENT.eq(id))));
    }

    private String requireVisiblePatient(ApiExchange exchange) {
        String id = exchange.pathParam("id");
        resources.requireVisible(resources.database().dsl(), exchange.caller(), PatientResource.TYPE, id);
        return id;
    }
}
