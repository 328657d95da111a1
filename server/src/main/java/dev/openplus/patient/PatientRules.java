package dev.openplus.patient;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jooq.DSLContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.config.IdentifierUniqueness;
import dev.openplus.db.Ids;
import dev.openplus.db.UnnestInsert;
import dev.openplus.group.GroupResource;
import dev.openplus.healthprofile.HealthProfiles;
import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.DocumentWriter;
import dev.openplus.jsonapi.ErrorCode;
import dev.openplus.jsonapi.WriteBatch;
import dev.openplus.jsonapi.WriteItem;
import dev.openplus.jsonapi.WriteRules;
import dev.openplus.plan.PlanSummaryResource;

/**
 * What only patients have, over the generic write path: groups given by id or found (or created) by
 * {@code meta.query}, coaches with {@code meta.primary}, identifiers unique within the organization (a partial
 * unique index, with {@code ON CONFLICT} catching concurrent writers) or, where the installation chose it
 * ({@link IdentifierUniqueness}), across the installation (advisory locks on the identifiers serialize the
 * writers of one identifier across organizations), and the append-only archive history. A constant number of
 * statements per request, whatever the batch size.
 */
final class PatientRules implements WriteRules {

    /** An identifier as stored, with the pointer a duplicate is reported at. */
    record Identifier(String label, String system, String value, boolean unique, String pointer) {
        String key() {
            return system + '\u0000' + value;
        }
    }

    @Override
    public void beforeWrite(WriteBatch batch) {
        Map<String, String> createdByQuery = new HashMap<>();
        for (WriteItem item : batch.items()) {
            JsonNode groups = item.input().customLinks().get(PatientResource.GROUPS);
            if (groups != null) {
                item.link(PatientResource.GROUPS, groups(batch, item, groups, createdByQuery));
            }
            JsonNode coaches = item.input().customLinks().get(PatientResource.COACHES);
            if (coaches != null) {
                item.link(PatientResource.COACHES, coaches(item, coaches));
            }
            archiveHistory(item);
        }
        batch.throwIfProblems();
        identifiers(batch);
    }

    @Override
    public void afterWrite(WriteBatch batch) {
        storeIdentifiers(batch);
        if (batch.mode() == WriteBatch.Mode.CREATE) {
            // Every patient has exactly one plan summary and one health profile, created with it (after the
            // items that lost an identifier race were removed).
            List<String> created = batch.written().stream().map(WriteItem::id).toList();
            PlanSummaryResource.createFor(batch.dsl(), batch.caller(), created);
            HealthProfiles.createFor(batch.dsl(), batch.caller(), created);
        }
    }

    private static void storeIdentifiers(WriteBatch batch) {
        List<WriteItem> touched = batch.written().stream().filter(i -> i.isCreate() || i.has("identifiers")).toList();
        if (touched.isEmpty()) {
            return;
        }
        DSLContext dsl = batch.dsl();
        if (batch.mode() == WriteBatch.Mode.UPDATE) {
            dsl.deleteFrom(PatientResource.IDENTIFIER)
                    .where(PatientResource.IDENTIFIER_PATIENT.in(touched.stream().map(WriteItem::id).toList())).execute();
        }
        Set<String> lost = insertIdentifiers(dsl, batch.caller(), touched);
        if (lost.isEmpty()) {
            return;
        }
        // A concurrent request committed one of these identifiers after the check in beforeWrite.
        List<String> removed = new ArrayList<>();
        for (WriteItem item : touched) {
            if (!lost.contains(item.id())) {
                continue;
            }
            if (batch.ignoreDuplicates()) {
                item.skip();
                removed.add(item.id());
            } else {
                duplicate(item, identifiersOf(item).stream().filter(Identifier::unique).findFirst().orElseThrow());
            }
        }
        if (!removed.isEmpty()) {
            dsl.deleteFrom(PatientResource.TYPE.table()).where(PatientResource.ID.in(removed)).execute();
        }
    }

    // ---- groups and coaches -----------------------------------------------------------------------------------

    /**
     * Groups given by id become links (the engine checks that each is in the caller's scope); a {@code meta.query}
     * {organization, name} uses the one group of that name, creates it when none exists (once per request),
     * and answers 409 when several do.
     */
    private static List<WriteItem.Link> groups(WriteBatch batch, WriteItem item, JsonNode member,
            Map<String, String> createdByQuery) {
        String pointer = item.pointer() + "/relationships/groups/data";
        List<WriteItem.Link> links = new ArrayList<>();
        Map<Integer, JsonNode> entries = entries(item, member, pointer, "group");
        if (entries == null) {
            return links;
        }
        if (member.get("data").isEmpty()) {
            item.problem(ApiError.pointer(pointer, "a patient belongs to at least one group"));
        }
        Caller caller = batch.caller();
        Set<String> seen = new LinkedHashSet<>();
        for (Map.Entry<Integer, JsonNode> numbered : entries.entrySet()) {
            JsonNode entry = numbered.getValue();
            String entryPointer = pointer + "/" + numbered.getKey();
            String id = entry.path("id").isTextual() ? entry.get("id").asText() : null;
            JsonNode query = entry.path("meta").path("query");
            if (id != null && !id.isEmpty()) {
                if (!Ids.isWellFormed(id)) {
                    item.problem(ApiError.pointer(entryPointer + "/id", "must be a group id (24 lowercase hex characters)"));
                } else if (seen.add(id)) {
                    links.add(new WriteItem.Link(id, entryPointer + "/id"));
                }
                continue;
            }
            if (!query.isObject()) {
                item.problem(ApiError.pointer(entryPointer, "give the group's id, or meta.query {organization, name}"));
                continue;
            }
            String organization = query.path("organization").isTextual() ? query.get("organization").asText() : null;
            String name = query.path("name").isTextual() ? query.get("name").asText() : null;
            if (organization == null || !Ids.isWellFormed(organization)) {
                item.problem(ApiError.pointer(entryPointer + "/meta/query/organization", "an organization id is required"));
            } else if (name == null || name.isBlank() || name.length() > 255) {
                item.problem(ApiError.pointer(entryPointer + "/meta/query/name", "a group name (at most 255 characters) is required"));
            } else if (!organization.equals(caller.organizationId())) {
                item.problem(forbidden(entryPointer + "/meta/query/organization", "the organization is outside this client's scope"));
            } else {
                String found = groupByName(batch, item, name, entryPointer + "/meta/query", createdByQuery);
                if (found != null && seen.add(found)) {
                    links.add(new WriteItem.Link(found, entryPointer + "/meta/query"));
                }
            }
        }
        return links;
    }

    private static String groupByName(WriteBatch batch, WriteItem item, String name, String pointer,
            Map<String, String> createdByQuery) {
        String known = createdByQuery.get(name);
        if (known != null) {
            return known;
        }
        Caller caller = batch.caller();
        List<String> matches = batch.dsl().select(GroupResource.TYPE.id()).from(GroupResource.TYPE.table())
                .where(GroupResource.ORGANIZATION_ID.eq(caller.organizationId()))
                .and(GroupResource.NAME.eq(name)).limit(2).fetch(GroupResource.TYPE.id());
        if (matches.size() > 1) {
            item.problem(ApiError.pointer(pointer, "more than one group of the organization has this name; give the group's id"));
            return null;
        }
        if (matches.isEmpty()) {
            if (caller.groupScoped()) {
                item.problem(forbidden(pointer, "no such group, and a group-scoped client cannot create groups"));
                return null;
            }
            String id = GroupResource.create(batch.dsl(), caller.organizationId(), name, null, caller.actorId());
            createdByQuery.put(name, id);
            return id;
        }
        if (!caller.allowsGroup(matches.get(0))) {
            item.problem(forbidden(pointer, "the group is outside this client's scope"));
            return null;
        }
        createdByQuery.put(name, matches.get(0));
        return matches.get(0);
    }

    /** Coaches by id, at most one with {@code meta.primary: true} (the engine checks each is in scope). */
    private static List<WriteItem.Link> coaches(WriteItem item, JsonNode member) {
        String pointer = item.pointer() + "/relationships/coaches/data";
        List<WriteItem.Link> links = new ArrayList<>();
        Map<Integer, JsonNode> entries = entries(item, member, pointer, "coach");
        if (entries == null) {
            return links;
        }
        int primaries = 0;
        Set<String> seen = new HashSet<>();
        for (Map.Entry<Integer, JsonNode> numbered : entries.entrySet()) {
            JsonNode entry = numbered.getValue();
            String entryPointer = pointer + "/" + numbered.getKey();
            String id = entry.path("id").isTextual() ? entry.get("id").asText() : null;
            if (!Ids.isWellFormed(id)) {
                item.problem(ApiError.pointer(entryPointer + "/id", "must be a coach id (24 lowercase hex characters)"));
                continue;
            }
            JsonNode primary = entry.path("meta").path("primary");
            if (!primary.isMissingNode() && !primary.isNull() && !primary.isBoolean()) {
                item.problem(ApiError.pointer(entryPointer + "/meta/primary", "primary must be true or false"));
                continue;
            }
            if (primary.asBoolean(false)) {
                primaries++;
            }
            if (seen.add(id)) {
                links.add(new WriteItem.Link(id, entryPointer + "/id",
                        Map.of(PatientResource.COACH_PRIMARY, primary.asBoolean(false))));
            }
        }
        if (primaries > 1) {
            item.problem(ApiError.pointer(pointer, "at most one coach can be primary"));
        }
        return links;
    }

    /**
     * The entries of a custom to-many member that are objects of the right type, by index; null when the
     * member is not {@code {"data": [...]}}. Each problem is reported on the item.
     */
    private static Map<Integer, JsonNode> entries(WriteItem item, JsonNode member, String pointer, String type) {
        JsonNode data = member.isObject() ? member.get("data") : null;
        if (data == null || !data.isArray()) {
            item.problem(ApiError.pointer(pointer, "must be an array of resource identifiers"));
            return null;
        }
        Map<Integer, JsonNode> entries = new java.util.LinkedHashMap<>();
        for (int i = 0; i < data.size(); i++) {
            JsonNode entry = data.get(i);
            if (!entry.isObject() || !type.equals(entry.path("type").asText(null))) {
                item.problem(ApiError.pointer(pointer + "/" + i + "/type", "type must be \"" + type + "\""));
            } else {
                entries.put(i, entry);
            }
        }
        return entries;
    }

    private static ApiError forbidden(String pointer, String detail) {
        return new ApiError(ErrorCode.Forbidden.status(), ErrorCode.Forbidden, detail, pointer, null);
    }

    // ---- identifiers ----------------------------------------------------------------------------------------

    static List<Identifier> identifiersOf(WriteItem item) {
        JsonNode array = item.json("identifiers");
        List<Identifier> identifiers = new ArrayList<>();
        if (array == null) {
            return identifiers;
        }
        for (int i = 0; i < array.size(); i++) {
            JsonNode entry = array.get(i);
            JsonNode label = entry.get("label");
            JsonNode unique = entry.get("unique");
            identifiers.add(new Identifier(label == null || label.isNull() ? null : label.asText(),
                    entry.get("system").asText(), entry.get("value").asText(),
                    unique == null || unique.isNull() || unique.asBoolean(),
                    item.pointer() + "/attributes/identifiers/" + i));
        }
        return identifiers;
    }

    /**
     * Stores each touched item's identifiers in their normal form, after checking that no unique one is held
     * by another patient or by an earlier item of the batch: a 409 at the identifier, or with
     * {@code ignore_duplicates} the item is skipped.
     */
    private static void identifiers(WriteBatch batch) {
        List<WriteItem> touched = batch.items().stream().filter(i -> i.isCreate() || i.has("identifiers")).toList();
        List<Identifier> all = new ArrayList<>();
        touched.forEach(item -> all.addAll(identifiersOf(item)));
        String except = batch.mode() == WriteBatch.Mode.UPDATE ? touched.isEmpty() ? null : touched.get(0).id() : null;
        IdentifierUniqueness uniqueness = uniqueness(batch);
        if (uniqueness == IdentifierUniqueness.INSTALLATION) {
            // No index spans organizations: the lock holds each identifier's other writers until this commits.
            lock(batch.dsl(), all.stream().filter(Identifier::unique)
                    .map(i -> lockKey(uniqueness, batch.caller(), i.system(), i.value())).toList());
        }
        Set<String> taken = new HashSet<>(takenIdentifiers(batch.dsl(), all, except,
                uniqueness == IdentifierUniqueness.ORGANIZATION ? batch.caller().organizationId() : null));
        for (WriteItem item : touched) {
            List<Identifier> identifiers = identifiersOf(item);
            List<Identifier> clashes = identifiers.stream().filter(i -> i.unique() && taken.contains(i.key())).toList();
            if (!clashes.isEmpty()) {
                if (batch.ignoreDuplicates()) {
                    item.skip();
                } else {
                    clashes.forEach(clash -> duplicate(item, clash));
                }
                continue;
            }
            identifiers.stream().filter(Identifier::unique).forEach(i -> taken.add(i.key()));
            item.set(PatientResource.IDENTIFIERS, normalForm(identifiers));
        }
        batch.throwIfProblems();
    }

    private static void duplicate(WriteItem item, Identifier identifier) {
        item.problem(ApiError.pointer(identifier.pointer(), "an identifier with this system and value already exists"));
    }

    private static ArrayNode normalForm(List<Identifier> identifiers) {
        ArrayNode array = BodyReader.mapper().createArrayNode();
        for (Identifier identifier : identifiers) {
            ObjectNode node = array.addObject();
            if (identifier.label() != null) {
                node.put("label", identifier.label());
            }
            node.put("system", identifier.system()).put("value", identifier.value()).put("unique", identifier.unique());
        }
        return array;
    }

    static IdentifierUniqueness uniqueness(WriteBatch batch) {
        return batch.setting(IdentifierUniqueness.class, IdentifierUniqueness.ORGANIZATION);
    }

    /**
     * The advisory lock of one identifier, so that its writers follow one another: every upsert of it, and
     * every write of it where uniqueness spans the installation (no index does there). Its key names the
     * organization unless uniqueness spans the installation.
     */
    static String lockKey(IdentifierUniqueness uniqueness, Caller caller, String system, String value) {
        String organization = uniqueness == IdentifierUniqueness.ORGANIZATION ? caller.organizationId() : "";
        // PostgreSQL text holds no NUL; a separator that a value may also contain only makes two keys share a
        // lock, which costs a wait, never correctness.
        return "patient_identifier\u001f" + organization + '\u001f' + system + '\u001f' + value;
    }

    /**
     * Takes the transaction-scoped advisory locks of the keys (one statement), in the order of their hashes so
     * that two writers of the same keys never wait on each other crosswise.
     */
    static void lock(DSLContext dsl, Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        String sql = "select pg_advisory_xact_lock(k) from (select distinct hashtextextended(t, 0) as k"
                + " from unnest(?::text[]) as t order by 1 offset 0) as ordered";
        dsl.connectionResult(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setArray(1, connection.createArrayOf("text", keys.toArray()));
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        // each row is one lock taken
                    }
                }
                return null;
            }
        });
    }

    /**
     * The (system, value) keys among {@code identifiers} that a unique identifier of another patient holds: in
     * the organization, or anywhere when {@code organizationId} is null (installation-wide uniqueness).
     */
    private static Set<String> takenIdentifiers(DSLContext dsl, List<Identifier> identifiers, String exceptPatientId,
            String organizationId) {
        List<String> systems = new ArrayList<>();
        List<String> values = new ArrayList<>();
        identifiers.stream().filter(Identifier::unique).forEach(i -> {
            systems.add(i.system());
            values.add(i.value());
        });
        if (systems.isEmpty()) {
            return Set.of();
        }
        // A join against unnest() probes the unique index once per identifier; a row-value IN list of a
        // thousand pairs is planned far worse.
        String sql = "select i.system, i.value from patient_identifier i"
                + " join unnest(?::text[], ?::text[]) as q(system, value) on i.system = q.system and i.value = q.value"
                + " where i.is_unique and i.patient_id <> coalesce(?, '')"
                + (organizationId == null ? "" : " and i.organization_id = ?");
        return dsl.connectionResult(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setArray(1, connection.createArrayOf("text", systems.toArray()));
                statement.setArray(2, connection.createArrayOf("text", values.toArray()));
                statement.setString(3, exceptPatientId);
                if (organizationId != null) {
                    statement.setString(4, organizationId);
                }
                Set<String> taken = new HashSet<>();
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        taken.add(rows.getString(1) + '\u0000' + rows.getString(2));
                    }
                }
                return taken;
            }
        });
    }

    private static final List<UnnestInsert.Column> IDENTIFIER_COLUMNS = List.of(
            UnnestInsert.Column.of("patient_id", "bpchar"), UnnestInsert.Column.of("organization_id", "bpchar"),
            UnnestInsert.Column.of("position", "int4"), UnnestInsert.Column.of("label", "text"),
            UnnestInsert.Column.of("system", "text"), UnnestInsert.Column.of("value", "text"),
            UnnestInsert.Column.of("is_unique", "bool"));

    /**
     * Inserts identifier rows; a unique one that a concurrent transaction committed meanwhile is skipped by
     * ON CONFLICT rather than failing the statement. Returns the patient ids that lost such a race.
     */
    private static Set<String> insertIdentifiers(DSLContext dsl, Caller caller, List<WriteItem> items) {
        List<Object[]> rows = new ArrayList<>();
        Map<String, Integer> expected = new HashMap<>();
        for (WriteItem item : items) {
            List<Identifier> identifiers = identifiersOf(item);
            for (int i = 0; i < identifiers.size(); i++) {
                Identifier identifier = identifiers.get(i);
                rows.add(new Object[] {item.id(), caller.organizationId(), i, identifier.label(), identifier.system(),
                        identifier.value(), identifier.unique()});
                expected.merge(item.id(), 1, Integer::sum);
            }
        }
        Map<String, Integer> inserted = new HashMap<>();
        for (String patientId : UnnestInsert.insert(dsl, "patient_identifier", IDENTIFIER_COLUMNS, rows,
                "on conflict (organization_id, system, value) where is_unique do nothing returning patient_id", "patient_id")) {
            inserted.merge(patientId, 1, Integer::sum);
        }
        Set<String> lost = new HashSet<>();
        expected.forEach((id, count) -> {
            if (!count.equals(inserted.getOrDefault(id, 0))) {
                lost.add(id);
            }
        });
        return lost;
    }

    // ---- archive history --------------------------------------------------------------------------------------

    /**
     * On create every entry is new and gets the server's time as {@code modified_at}. On update the stored
     * entries must come first, unchanged ({@code modified_at} may be left out), and the rest are appended.
     * {@code archived} is always the latest entry's value.
     */
    private static void archiveHistory(WriteItem item) {
        if (!item.isCreate() && !item.has("archive_history")) {
            return;
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        JsonNode sent = item.json("archive_history");
        ArrayNode existing = item.isCreate() ? BodyReader.mapper().createArrayNode() : (ArrayNode) item.stored("archive_history");
        JsonNode given = sent == null ? BodyReader.mapper().createArrayNode() : sent;
        String pointer = "/attributes/archive_history";
        if (given.size() < existing.size()) {
            item.problem(pointer, "archive_history can only grow: send the existing " + existing.size()
                    + " entries unchanged, then the new ones");
            return;
        }
        boolean unchanged = true;
        for (int i = 0; i < existing.size(); i++) {
            if (!sameEntry(existing.get(i), given.get(i))) {
                item.problem(pointer + "/" + i, "existing archive_history entries cannot be changed");
                unchanged = false;
            }
        }
        if (!unchanged) {
            return;
        }
        ArrayNode history = existing.deepCopy();
        for (int i = existing.size(); i < given.size(); i++) {
            history.add(stamped(given.get(i), now));
        }
        item.set(PatientResource.ARCHIVE_HISTORY, history);
        item.set(PatientResource.ARCHIVED, !history.isEmpty() && history.get(history.size() - 1).get("archived").asBoolean());
    }

    private static boolean sameEntry(JsonNode old, JsonNode given) {
        return old.get("archived").asBoolean() == given.get("archived").asBoolean()
                && text(old, "reason").equals(text(given, "reason"))
                && text(old, "notes").equals(text(given, "notes"))
                && (!given.hasNonNull("modified_at") || OffsetDateTime.parse(old.get("modified_at").asText()).toInstant()
                        .equals(OffsetDateTime.parse(given.get("modified_at").asText()).toInstant()));
    }

    private static ObjectNode stamped(JsonNode entry, OffsetDateTime now) {
        ObjectNode node = BodyReader.mapper().createObjectNode();
        node.put("archived", entry.get("archived").asBoolean());
        node.put("modified_at", DocumentWriter.timestamp(now));
        for (String member : List.of("reason", "notes")) {
            if (entry.hasNonNull(member)) {
                node.put(member, entry.get(member).asText());
            }
        }
        return node;
    }

    private static String text(JsonNode node, String member) {
        return node.hasNonNull(member) ? node.get(member).asText() : "";
    }
}
