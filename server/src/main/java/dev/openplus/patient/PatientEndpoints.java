package dev.openplus.patient;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import dev.openplus.auth.Principal;
import dev.openplus.coach.CoachResource;
import dev.openplus.db.Database;
import dev.openplus.db.Ids;
import dev.openplus.group.GroupResource;
import dev.openplus.http.Exchange;
import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.CollectionQuery;
import dev.openplus.jsonapi.DocumentWriter;
import dev.openplus.jsonapi.ResourceEndpoints;
import dev.openplus.jsonapi.ResourceRow;
import io.javalin.http.Context;

/**
 * The patient writes and sub-collections: create (one or a bulk array, all-or-nothing), PATCH, upsert by
 * identifier, and a patient's groups and coaches. Reads of patients use the generic endpoints.
 */
public final class PatientEndpoints {
    private final Database database;
    private final ResourceEndpoints resources;
    private final int maxBulkItems;

    public PatientEndpoints(Database database, ResourceEndpoints resources, int maxBulkItems) {
        this.database = database;
        this.resources = resources;
        this.maxBulkItems = maxBulkItems;
    }

    /** POST /pub/patient: one patient or an array, answered in request order. */
    public void create(Context ctx) {
        Principal principal = Exchange.principal(ctx);
        CollectionQuery query = resources.parser().parseFetch(PatientResource.TYPE, ctx.queryParamMap());
        JsonNode document = BodyReader.parseDocument(ctx.bodyAsBytes());
        boolean ignoreDuplicates = ignoreDuplicates(document);
        JsonNode data = document.get("data");
        boolean bulk = data != null && data.isArray();
        List<JsonNode> items = new ArrayList<>();
        if (bulk) {
            if (data.isEmpty() || data.size() > maxBulkItems) {
                throw ApiException.invalidBody("/data", "a bulk create takes 1 to " + maxBulkItems + " patients");
            }
            data.forEach(items::add);
        } else {
            items.add(BodyReader.singleData(document));
        }
        List<PatientDraft> drafts = drafts(items, bulk, BodyReader.Mode.CREATE, null);

        database.transaction(dsl -> {
            Map<PatientDraft, List<String>> groups = PatientStore.resolveGroups(dsl, principal, drafts);
            PatientStore.checkCoaches(dsl, principal, drafts);
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            List<String> ignored = new ArrayList<>();
            List<PatientStore.NewPatient> accepted = acceptUnique(dsl, drafts, ignoreDuplicates, ignored);
            List<PatientStore.NewPatient> patients = new ArrayList<>();
            for (PatientStore.NewPatient candidate : accepted) {
                patients.add(new PatientStore.NewPatient(candidate.id(), candidate.draft(),
                        groups.get(candidate.draft()), candidate.identifiers(), newHistory(candidate.draft(), now)));
            }
            Set<String> lost = PatientStore.insert(dsl, principal, patients);
            if (!lost.isEmpty()) {
                // A concurrent request committed one of these identifiers after our check.
                if (!ignoreDuplicates) {
                    throw duplicateOf(patients.stream().filter(p -> lost.contains(p.id())).findFirst().orElseThrow());
                }
                patients.stream().filter(p -> lost.contains(p.id())).forEach(p -> ignored.add(p.draft().pointer()));
                patients.removeIf(p -> lost.contains(p.id()));
            }
            List<String> metaIgnored = new ArrayList<>();
            drafts.forEach(d -> metaIgnored.addAll(d.input().ignored()));
            metaIgnored.addAll(ignored);
            List<String> ids = patients.stream().map(PatientStore.NewPatient::id).toList();
            respond(ctx, dsl, principal, query, 201, ids, bulk, metaIgnored);
            return null;
        });
    }

    /**
     * Keeps the drafts whose unique identifiers are free (in the database and earlier in the batch). A taken
     * one is a 409 pointing at the identifier, or, with ignore_duplicates, skips the whole item.
     */
    private static List<PatientStore.NewPatient> acceptUnique(DSLContext dsl, List<PatientDraft> drafts,
            boolean ignoreDuplicates, List<String> ignored) {
        List<PatientDraft.Identifier> all = new ArrayList<>();
        drafts.forEach(d -> {
            if (d.identifiers() != null) {
                all.addAll(d.identifiers());
            }
        });
        Set<String> taken = new HashSet<>(PatientStore.takenIdentifiers(dsl, all, null));
        ApiException.Collector problems = new ApiException.Collector();
        List<PatientStore.NewPatient> accepted = new ArrayList<>();
        for (PatientDraft draft : drafts) {
            List<PatientDraft.Identifier> identifiers = draft.identifiers() == null ? List.of() : draft.identifiers();
            List<PatientDraft.Identifier> clashes = identifiers.stream()
                    .filter(i -> i.unique() && taken.contains(PatientStore.key(i.system(), i.value()))).toList();
            if (!clashes.isEmpty()) {
                if (ignoreDuplicates) {
                    ignored.add(draft.pointer());
                } else {
                    clashes.forEach(c -> problems.add(ApiError.pointer(c.pointer(),
                            "an identifier with this system and value already exists")));
                }
                continue;
            }
            identifiers.stream().filter(PatientDraft.Identifier::unique)
                    .forEach(i -> taken.add(PatientStore.key(i.system(), i.value())));
            accepted.add(new PatientStore.NewPatient(Ids.newId(), draft, null, identifiers, null));
        }
        problems.throwIfAny();
        return accepted;
    }

    private static ApiException duplicateOf(PatientStore.NewPatient patient) {
        String pointer = patient.identifiers().stream().filter(PatientDraft.Identifier::unique)
                .map(PatientDraft.Identifier::pointer).findFirst().orElse(patient.draft().pointer());
        return ApiException.invalidBody(pointer, "an identifier with this system and value already exists");
    }

    /** On create every archive_history entry is new: the server stamps modified_at. */
    private static ArrayNode newHistory(PatientDraft draft, OffsetDateTime now) {
        ArrayNode history = BodyReader.mapper().createArrayNode();
        JsonNode requested = (JsonNode) draft.input().value("archive_history");
        if (requested != null) {
            requested.forEach(entry -> history.add(PatientStore.stamped(entry, now)));
        }
        return history;
    }

    private static boolean ignoreDuplicates(JsonNode document) {
        JsonNode flag = document.path("meta").path("ignore_duplicates");
        if (flag.isMissingNode() || flag.isNull()) {
            return false;
        }
        if (!flag.isBoolean()) {
            throw ApiException.invalidBody("/meta/ignore_duplicates", "ignore_duplicates must be true or false");
        }
        return flag.asBoolean();
    }

    /** Checks every item, reporting the problems of all items together. */
    private static List<PatientDraft> drafts(List<JsonNode> items, boolean bulk, BodyReader.Mode mode, String id) {
        ApiException.Collector problems = new ApiException.Collector();
        List<PatientDraft> drafts = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String pointer = bulk ? "/data/" + i : "/data";
            JsonNode item = items.get(i);
            if (item == null || !item.isObject()) {
                problems.add(ApiError.pointer(pointer, "must be a resource object"));
                continue;
            }
            try {
                BodyReader.ResourceInput input = BodyReader.resource(item, pointer, PatientResource.TYPE, mode, id);
                drafts.add(PatientDraft.of(input, mode == BodyReader.Mode.CREATE));
            } catch (ApiException e) {
                problems.addAll(e.errors());
            }
        }
        problems.throwIfAny();
        return drafts;
    }

    /** PATCH /pub/patient/{id}. */
    public void update(Context ctx) {
        Principal principal = Exchange.principal(ctx);
        String id = ctx.pathParam("id");
        CollectionQuery query = resources.parser().parseFetch(PatientResource.TYPE, ctx.queryParamMap());
        if (!Ids.isWellFormed(id)) {
            throw ApiException.notFound("patient", id);
        }
        JsonNode data = BodyReader.singleData(BodyReader.parseDocument(ctx.bodyAsBytes()));
        PatientDraft draft = drafts(List.of(data), false, BodyReader.Mode.UPDATE, id).get(0);
        database.transaction(dsl -> {
            if (!dsl.fetchExists(PatientResource.TYPE.table(),
                    PatientResource.ID.eq(id).and(PatientResource.TYPE.scope(principal)))) {
                throw ApiException.notFound("patient", id);
            }
            applyUpdate(dsl, principal, id, draft);
            respond(ctx, dsl, principal, query, 200, List.of(id), false, draft.input().ignored());
            return null;
        });
    }

    private static void applyUpdate(DSLContext dsl, Principal principal, String id, PatientDraft draft) {
        List<String> groupIds = PatientStore.resolveGroups(dsl, principal, List.of(draft)).get(draft);
        PatientStore.checkCoaches(dsl, principal, List.of(draft));
        ArrayNode history = PatientStore.lockHistory(dsl, id);
        ArrayNode newHistory = null;
        if (draft.input().has("archive_history")) {
            newHistory = PatientStore.appendHistory(history, (JsonNode) draft.input().value("archive_history"),
                    draft.pointer() + "/attributes/archive_history", OffsetDateTime.now(ZoneOffset.UTC));
        }
        List<PatientDraft.Identifier> identifiers = draft.identifiers();
        if (identifiers != null) {
            Set<String> taken = PatientStore.takenIdentifiers(dsl, identifiers, id);
            ApiException.Collector problems = new ApiException.Collector();
            identifiers.stream().filter(i -> i.unique() && taken.contains(PatientStore.key(i.system(), i.value())))
                    .forEach(i -> problems.add(ApiError.pointer(i.pointer(),
                            "an identifier with this system and value already exists")));
            problems.throwIfAny();
        }
        if (!PatientStore.update(dsl, principal, id, draft, groupIds, newHistory)) {
            throw ApiException.invalidBody(draft.pointer() + "/attributes/identifiers",
                    "an identifier with this system and value already exists");
        }
    }

    /**
     * PUT /pub/patient: finds the patient by {@code meta.query.identifier} within {@code meta.query.groups};
     * none → create it (with that identifier), one → update it as PATCH does, several → 409. Answers 200.
     */
    public void upsert(Context ctx) {
        Principal principal = Exchange.principal(ctx);
        CollectionQuery query = resources.parser().parseFetch(PatientResource.TYPE, ctx.queryParamMap());
        JsonNode document = BodyReader.parseDocument(ctx.bodyAsBytes());
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
        database.transaction(dsl -> {
            if (!GroupResource.allInScope(dsl, principal, groupIds)) {
                throw ApiException.forbiddenPointer("/meta/query/groups", "a group is outside this client's scope");
            }
            List<String> found = PatientStore.findByIdentifier(dsl, principal, system, value, groupIds);
            if (found.size() > 1) {
                throw ApiException.invalidBody("/meta/query", "more than one patient matches the identifier in these groups");
            }
            if (found.size() == 1) {
                String id = found.get(0);
                PatientDraft draft = drafts(List.of(data), false, BodyReader.Mode.UPDATE, id).get(0);
                applyUpdate(dsl, principal, id, draft);
                respond(ctx, dsl, principal, query, 200, List.of(id), false, draft.input().ignored());
                return null;
            }
            PatientDraft draft = upsertDraft(data, system, value, groupIds);
            Map<PatientDraft, List<String>> groups = PatientStore.resolveGroups(dsl, principal, List.of(draft));
            PatientStore.checkCoaches(dsl, principal, List.of(draft));
            List<PatientStore.NewPatient> accepted = acceptUnique(dsl, List.of(draft), false, new ArrayList<>());
            PatientStore.NewPatient candidate = accepted.get(0);
            PatientStore.NewPatient patient = new PatientStore.NewPatient(candidate.id(), draft, groups.get(draft),
                    candidate.identifiers(), newHistory(draft, OffsetDateTime.now(ZoneOffset.UTC)));
            if (!PatientStore.insert(dsl, principal, List.of(patient)).isEmpty()) {
                throw duplicateOf(patient);
            }
            respond(ctx, dsl, principal, query, 200, List.of(patient.id()), false, draft.input().ignored());
            return null;
        });
    }

    /**
     * The create draft of an upsert: the body's patient, in the query's groups unless it names its own, and
     * carrying the query's identifier.
     */
    private static PatientDraft upsertDraft(JsonNode data, String system, String value, List<String> groupIds) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = data.deepCopy();
        com.fasterxml.jackson.databind.node.ObjectNode attributes = copy.has("attributes") && copy.get("attributes").isObject()
                ? (com.fasterxml.jackson.databind.node.ObjectNode) copy.get("attributes") : copy.putObject("attributes");
        JsonNode given = attributes.get("identifiers");
        // A value that is not a list is left as sent, for validation to refuse.
        if (given == null || given.isNull() || given.isArray()) {
            ArrayNode identifiers = given != null && given.isArray() ? (ArrayNode) given : attributes.putArray("identifiers");
            boolean present = false;
            for (JsonNode identifier : identifiers) {
                present |= system.equals(identifier.path("system").asText(null))
                        && value.equals(identifier.path("value").asText(null));
            }
            if (!present) {
                identifiers.addObject().put("system", system).put("value", value);
            }
        }
        com.fasterxml.jackson.databind.node.ObjectNode relationships = copy.has("relationships") && copy.get("relationships").isObject()
                ? (com.fasterxml.jackson.databind.node.ObjectNode) copy.get("relationships") : copy.putObject("relationships");
        if (!relationships.has("groups")) {
            ArrayNode groups = relationships.putObject("groups").putArray("data");
            groupIds.forEach(id -> groups.addObject().put("type", "group").put("id", id));
        }
        return drafts(List.of(copy), false, BodyReader.Mode.CREATE, null).get(0);
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() && !node.asText().isEmpty() ? node.asText() : null;
    }

    private void respond(Context ctx, DSLContext dsl, Principal principal, CollectionQuery query, int status,
            List<String> ids, boolean bulk, List<String> ignored) {
        Map<String, ResourceRow> byId = new HashMap<>();
        for (ResourceRow row : resources.repository().fetchAll(dsl, PatientResource.TYPE, principal, ids)) {
            byId.put(row.id(), row);
        }
        List<ResourceRow> rows = new ArrayList<>();
        ids.forEach(id -> rows.add(byId.get(id)));
        List<ResourceRow> included = resources.repository().included(dsl, principal, rows, query.includes());
        DocumentWriter.Meta meta = new DocumentWriter.Meta(Exchange.reqId(ctx), null, ignored.isEmpty() ? null : ignored);
        DocumentWriter writer = resources.writer();
        if (bulk) {
            Exchange.respond(ctx, status, writer.collection(rows, included, query.fields(), null, meta));
        } else if (rows.isEmpty()) {
            // The one patient was skipped as a duplicate (meta.ignored says so).
            Exchange.respond(ctx, status, writer.document(meta, json -> json.writeNull(), List.of(), null, null));
        } else {
            Exchange.respond(ctx, status, writer.resource(rows.get(0), included, query.fields(), meta));
        }
    }

    /** GET /pub/patient/{id}/groups. */
    public void groups(Context ctx) {
        String id = requireVisiblePatient(ctx);
        resources.collectionWithoutRequiredFilters(ctx, GroupResource.TYPE, GroupResource.TYPE.id().in(
                DSL.select(PatientResource.MEMBER_GROUP).from(PatientResource.MEMBER)
                        .where(PatientResource.MEMBER_PATIENT.eq(id))));
    }

    /** GET /pub/patient/{id}/coaches. */
    public void coaches(Context ctx) {
        String id = requireVisiblePatient(ctx);
        resources.collectionWithoutRequiredFilters(ctx, CoachResource.TYPE, CoachResource.TYPE.id().in(
                DSL.select(PatientResource.COACH_COACH).from(PatientResource.PATIENT_COACH)
                        .where(PatientResource.COACH_PATIENT.eq(id))));
    }

    private String requireVisiblePatient(Context ctx) {
        String id = ctx.pathParam("id");
        Principal principal = Exchange.principal(ctx);
        boolean visible = Ids.isWellFormed(id) && database.dsl().fetchExists(PatientResource.TYPE.table(),
                PatientResource.ID.eq(id).and(PatientResource.TYPE.scope(principal)));
        if (!visible) {
            throw ApiException.notFound("patient", id);
        }
        return id;
    }
}
