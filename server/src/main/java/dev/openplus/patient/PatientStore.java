package dev.openplus.patient;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.UpdateSetMoreStep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.auth.Principal;
import dev.openplus.coach.CoachResource;
import dev.openplus.db.UnnestInsert;
import dev.openplus.group.GroupResource;
import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.DocumentWriter;
import dev.openplus.jsonapi.ErrorCode;

/**
 * Patient writes: resolving groups and coaches within the caller's scope, identifier uniqueness, batched
 * inserts (a constant number of statements per request, whatever the batch size), updates with the archive
 * history's append-only rule.
 */
final class PatientStore {
    private PatientStore() {
    }

    /** A patient ready to insert. */
    record NewPatient(String id, PatientDraft draft, List<String> groupIds, List<PatientDraft.Identifier> identifiers,
            ArrayNode archiveHistory) {
    }

    // ---- groups and coaches -------------------------------------------------------------------------------

    /**
     * Group ids for each draft that names groups. Groups given by id must lie in the caller's scope (403);
     * a {@code meta.query} matching no group creates it (once per request), one group uses it, several → 409.
     */
    static Map<PatientDraft, List<String>> resolveGroups(DSLContext dsl, Principal principal, List<PatientDraft> drafts) {
        ApiException.Collector problems = new ApiException.Collector();
        Set<String> byId = new LinkedHashSet<>();
        for (PatientDraft draft : drafts) {
            if (draft.groups() != null) {
                draft.groups().stream().filter(g -> !g.byQuery()).forEach(g -> byId.add(g.id()));
            }
        }
        Set<String> inScope = new HashSet<>();
        for (String id : GroupResource.idsInOrganization(dsl, principal.organizationId(), byId)) {
            if (principal.allowsGroup(id)) {
                inScope.add(id);
            }
        }
        Map<String, String> queried = new HashMap<>();
        Map<PatientDraft, List<String>> resolved = new LinkedHashMap<>();
        for (PatientDraft draft : drafts) {
            if (draft.groups() == null) {
                continue;
            }
            LinkedHashSet<String> ids = new LinkedHashSet<>();
            for (PatientDraft.GroupRef group : draft.groups()) {
                if (!group.byQuery()) {
                    if (inScope.contains(group.id())) {
                        ids.add(group.id());
                    } else {
                        problems.add(forbidden(group.pointer() + "/id", "the group is outside this client's scope"));
                    }
                    continue;
                }
                if (!group.queryOrganization().equals(principal.organizationId())) {
                    problems.add(forbidden(group.pointer() + "/meta/query/organization",
                            "the organization is outside this client's scope"));
                    continue;
                }
                String id = queried.get(group.queryName());
                if (id == null) {
                    List<String> matches = dsl.select(GroupResource.TYPE.id()).from(GroupResource.TYPE.table())
                            .where(GroupResource.ORGANIZATION_ID.eq(principal.organizationId()))
                            .and(GroupResource.NAME.eq(group.queryName())).limit(2).fetch(GroupResource.TYPE.id());
                    if (matches.size() > 1) {
                        problems.add(ApiError.pointer(group.pointer() + "/meta/query",
                                "more than one group of the organization has this name; give the group's id"));
                        continue;
                    }
                    if (matches.isEmpty()) {
                        if (principal.groupScoped()) {
                            problems.add(forbidden(group.pointer() + "/meta/query",
                                    "no such group, and a group-scoped client cannot create groups"));
                            continue;
                        }
                        id = GroupResource.create(dsl, principal.organizationId(), group.queryName(), null,
                                principal.clientId());
                    } else {
                        id = matches.get(0);
                        if (!principal.allowsGroup(id)) {
                            problems.add(forbidden(group.pointer() + "/meta/query", "the group is outside this client's scope"));
                            continue;
                        }
                    }
                    queried.put(group.queryName(), id);
                }
                ids.add(id);
            }
            resolved.put(draft, List.copyOf(ids));
        }
        problems.throwIfAny();
        return resolved;
    }

    /** Every coach named must be a coach the caller can see (403 otherwise). */
    static void checkCoaches(DSLContext dsl, Principal principal, List<PatientDraft> drafts) {
        Set<String> ids = new LinkedHashSet<>();
        for (PatientDraft draft : drafts) {
            if (draft.coaches() != null) {
                draft.coaches().forEach(c -> ids.add(c.id()));
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        Set<String> visible = new HashSet<>(dsl.select(CoachResource.TYPE.id()).from(CoachResource.TYPE.table())
                .where(CoachResource.TYPE.id().in(ids)).and(CoachResource.TYPE.scope(principal))
                .fetch(CoachResource.TYPE.id()));
        ApiException.Collector problems = new ApiException.Collector();
        for (PatientDraft draft : drafts) {
            if (draft.coaches() != null) {
                for (PatientDraft.CoachRef coach : draft.coaches()) {
                    if (!visible.contains(coach.id())) {
                        problems.add(forbidden(coach.pointer() + "/id", "the coach is outside this client's scope"));
                    }
                }
            }
        }
        problems.throwIfAny();
    }

    static ApiError forbidden(String pointer, String detail) {
        return new ApiError(ErrorCode.Forbidden.status(), ErrorCode.Forbidden, detail, pointer, null);
    }

    // ---- identifiers ----------------------------------------------------------------------------------------

    static String key(String system, String value) {
        return system + '\u0000' + value;
    }

    /** The (system, value) keys among {@code identifiers} that a unique identifier of another patient holds. */
    static Set<String> takenIdentifiers(DSLContext dsl, Collection<PatientDraft.Identifier> identifiers,
            String exceptPatientId) {
        List<String> systems = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (PatientDraft.Identifier identifier : identifiers) {
            if (identifier.unique()) {
                systems.add(identifier.system());
                values.add(identifier.value());
            }
        }
        if (systems.isEmpty()) {
            return Set.of();
        }
        // A join against unnest() probes the unique index once per identifier; a row-value IN list of a
        // thousand pairs is planned far worse.
        String sql = "select i.system, i.value from patient_identifier i"
                + " join unnest(?::text[], ?::text[]) as q(system, value) on i.system = q.system and i.value = q.value"
                + " where i.is_unique and i.patient_id <> coalesce(?, '')";
        return dsl.connectionResult(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setArray(1, connection.createArrayOf("text", systems.toArray()));
                statement.setArray(2, connection.createArrayOf("text", values.toArray()));
                statement.setString(3, exceptPatientId);
                Set<String> taken = new HashSet<>();
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        taken.add(key(rows.getString(1), rows.getString(2)));
                    }
                }
                return taken;
            }
        });
    }

    static ArrayNode identifiersJson(List<PatientDraft.Identifier> identifiers) {
        ArrayNode array = BodyReader.mapper().createArrayNode();
        for (PatientDraft.Identifier identifier : identifiers) {
            ObjectNode node = array.addObject();
            if (identifier.label() != null) {
                node.put("label", identifier.label());
            }
            node.put("system", identifier.system());
            node.put("value", identifier.value());
            node.put("unique", identifier.unique());
        }
        return array;
    }

    /**
     * Inserts identifier rows; a unique one that a concurrent transaction committed meanwhile is skipped by
     * ON CONFLICT rather than failing the statement. Returns the patient ids that lost such a race.
     */
    private static Set<String> insertIdentifiers(DSLContext dsl, String organizationId, List<NewPatient> patients) {
        List<Object[]> rows = new ArrayList<>();
        Map<String, Integer> expected = new HashMap<>();
        for (NewPatient patient : patients) {
            for (int i = 0; i < patient.identifiers().size(); i++) {
                PatientDraft.Identifier identifier = patient.identifiers().get(i);
                rows.add(new Object[] {patient.id(), organizationId, i, identifier.label(), identifier.system(),
                        identifier.value(), identifier.unique()});
                expected.merge(patient.id(), 1, Integer::sum);
            }
        }
        Map<String, Integer> inserted = new HashMap<>();
        for (String patientId : UnnestInsert.insert(dsl, "patient_identifier", IDENTIFIER_COLUMNS, rows,
                "on conflict (system, value) where is_unique do nothing returning patient_id", "patient_id")) {
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

    private static final List<UnnestInsert.Column> IDENTIFIER_COLUMNS = List.of(
            UnnestInsert.Column.of("patient_id", "bpchar"), UnnestInsert.Column.of("organization_id", "bpchar"),
            UnnestInsert.Column.of("position", "int4"), UnnestInsert.Column.of("label", "text"),
            UnnestInsert.Column.of("system", "text"), UnnestInsert.Column.of("value", "text"),
            UnnestInsert.Column.of("is_unique", "bool"));
    private static final List<UnnestInsert.Column> MEMBER_COLUMNS = List.of(
            UnnestInsert.Column.of("patient_id", "bpchar"), UnnestInsert.Column.of("group_id", "bpchar"),
            UnnestInsert.Column.of("organization_id", "bpchar"));
    private static final List<UnnestInsert.Column> COACH_COLUMNS = List.of(
            UnnestInsert.Column.of("patient_id", "bpchar"), UnnestInsert.Column.of("coach_id", "bpchar"),
            UnnestInsert.Column.of("organization_id", "bpchar"), UnnestInsert.Column.of("is_primary", "bool"));

    // ---- archive history --------------------------------------------------------------------------------------

    /** New entries get the server's time as modified_at. */
    static ObjectNode stamped(JsonNode entry, OffsetDateTime now) {
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

    static boolean archivedAfter(ArrayNode history) {
        return !history.isEmpty() && history.get(history.size() - 1).get("archived").asBoolean();
    }

    /**
     * The stored history followed by the entries the request appends. The request must repeat the existing
     * entries unchanged (modified_at may be left out); changing or dropping one is a 409.
     */
    static ArrayNode appendHistory(ArrayNode existing, JsonNode requested, String pointer, OffsetDateTime now) {
        JsonNode sent = requested == null ? BodyReader.mapper().createArrayNode() : requested;
        if (sent.size() < existing.size()) {
            throw ApiException.invalidBody(pointer, "archive_history can only grow: send the existing "
                    + existing.size() + " entries unchanged, then the new ones");
        }
        ApiException.Collector problems = new ApiException.Collector();
        for (int i = 0; i < existing.size(); i++) {
            JsonNode old = existing.get(i);
            JsonNode given = sent.get(i);
            boolean same = old.get("archived").asBoolean() == given.get("archived").asBoolean()
                    && text(old, "reason").equals(text(given, "reason"))
                    && text(old, "notes").equals(text(given, "notes"))
                    && (!given.hasNonNull("modified_at") || sameInstant(old.get("modified_at").asText(),
                            given.get("modified_at").asText()));
            if (!same) {
                problems.add(ApiError.pointer(pointer + "/" + i, "existing archive_history entries cannot be changed"));
            }
        }
        problems.throwIfAny();
        ArrayNode result = existing.deepCopy();
        for (int i = existing.size(); i < sent.size(); i++) {
            result.add(stamped(sent.get(i), now));
        }
        return result;
    }

    private static String text(JsonNode node, String member) {
        return node.hasNonNull(member) ? node.get(member).asText() : "";
    }

    private static boolean sameInstant(String a, String b) {
        return OffsetDateTime.parse(a).toInstant().equals(OffsetDateTime.parse(b).toInstant());
    }

    // ---- inserts and updates ----------------------------------------------------------------------------------

    /** The insertable attribute values of a draft as column values (JSON as jsonb). */
    private static Object columnValue(Object value) {
        if (value instanceof JsonNode json) {
            return JSONB.valueOf(json.toString());
        }
        return value;
    }

    private static final List<String> WRITABLE = List.of("first_name", "last_name", "email_address", "phone_numbers",
            "addresses", "birth_date", "gender", "note");

    /**
     * Inserts the patients with a constant number of multi-row statements. Returns the ids of patients whose
     * unique identifier was taken by a concurrent transaction (their rows are removed again).
     */
    static Set<String> insert(DSLContext dsl, Principal principal, List<NewPatient> patients) {
        List<Object[]> rows = new ArrayList<>();
        List<Object[]> members = new ArrayList<>();
        List<Object[]> coaches = new ArrayList<>();
        for (NewPatient patient : patients) {
            // Arrays.asList: created_by is null for rows the operator seeds.
            List<Object> values = new ArrayList<>(java.util.Arrays.asList(patient.id(), principal.organizationId(),
                    identifiersJson(patient.identifiers()).toString(), archivedAfter(patient.archiveHistory()),
                    patient.archiveHistory().toString(), principal.clientId(), principal.clientId()));
            for (String name : WRITABLE) {
                Object value = patient.draft().input().value(name);
                boolean json = PatientResource.TYPE.attribute(name).orElseThrow().type() == dev.openplus.jsonapi.AttributeType.JSON;
                values.add(json ? (value == null ? "[]" : value.toString()) : value);
            }
            rows.add(values.toArray());
            patient.groupIds().forEach(g -> members.add(new Object[] {patient.id(), g, principal.organizationId()}));
            if (patient.draft().coaches() != null) {
                patient.draft().coaches().forEach(c -> coaches.add(
                        new Object[] {patient.id(), c.id(), principal.organizationId(), c.primary()}));
            }
        }
        UnnestInsert.insert(dsl, "patient", PATIENT_COLUMNS, rows, null, null);
        UnnestInsert.insert(dsl, "patient_group_member", MEMBER_COLUMNS, members, null, null);
        UnnestInsert.insert(dsl, "patient_coach", COACH_COLUMNS, coaches, null, null);
        Set<String> lost = insertIdentifiers(dsl, principal.organizationId(), patients);
        if (!lost.isEmpty()) {
            dsl.deleteFrom(PatientResource.TYPE.table()).where(PatientResource.ID.in(lost)).execute();
        }
        return lost;
    }

    /** In the order insert() builds its rows: fixed columns, then {@link #WRITABLE}. */
    private static final List<UnnestInsert.Column> PATIENT_COLUMNS = List.of(
            UnnestInsert.Column.of("id", "bpchar"), UnnestInsert.Column.of("organization_id", "bpchar"),
            UnnestInsert.Column.jsonb("identifiers"), UnnestInsert.Column.of("archived", "bool"),
            UnnestInsert.Column.jsonb("archive_history"), UnnestInsert.Column.of("created_by", "text"),
            UnnestInsert.Column.of("updated_by", "text"),
            UnnestInsert.Column.of("first_name", "text"), UnnestInsert.Column.of("last_name", "text"),
            UnnestInsert.Column.of("email_address", "text"), UnnestInsert.Column.jsonb("phone_numbers"),
            UnnestInsert.Column.jsonb("addresses"), UnnestInsert.Column.of("birth_date", "date"),
            UnnestInsert.Column.of("gender", "text"), UnnestInsert.Column.of("note", "text"));

    /** The stored archive history of a patient, locking its row for the rest of the transaction. */
    static ArrayNode lockHistory(DSLContext dsl, String patientId) {
        JSONB history = dsl.select(PatientResource.ARCHIVE_HISTORY).from(PatientResource.TYPE.table())
                .where(PatientResource.ID.eq(patientId)).forUpdate().fetchOne(PatientResource.ARCHIVE_HISTORY);
        try {
            return (ArrayNode) BodyReader.mapper().readTree(history.data());
        } catch (Exception e) {
            throw new IllegalStateException("stored archive_history of " + patientId + " is not a JSON array", e);
        }
    }

    /**
     * Applies a PATCH: the attributes present, identifiers replaced, archive history appended, groups and
     * coaches replaced when given. Returns false when the identifiers lost a race to a concurrent transaction.
     */
    static boolean update(DSLContext dsl, Principal principal, String patientId, PatientDraft draft,
            List<String> groupIds, ArrayNode history) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        UpdateSetMoreStep<?> update = dsl.update(PatientResource.TYPE.table())
                .set(PatientResource.UPDATED_AT, now).set(PatientResource.UPDATED_BY, principal.clientId());
        for (String name : WRITABLE) {
            Attribute attribute = PatientResource.TYPE.attribute(name).orElseThrow();
            if (draft.input().has(name)) {
                Object value = draft.input().value(name);
                if (value == null && attribute.type() == dev.openplus.jsonapi.AttributeType.JSON) {
                    value = BodyReader.mapper().createArrayNode();
                }
                @SuppressWarnings("unchecked")
                Field<Object> column = (Field<Object>) attribute.column();
                update = update.set(column, columnValue(value));
            }
        }
        if (history != null) {
            update = update.set(PatientResource.ARCHIVE_HISTORY, JSONB.valueOf(history.toString()))
                    .set(PatientResource.ARCHIVED, archivedAfter(history));
        }
        List<PatientDraft.Identifier> identifiers = draft.identifiers();
        if (identifiers != null) {
            update = update.set(PatientResource.IDENTIFIERS, JSONB.valueOf(identifiersJson(identifiers).toString()));
        }
        update.where(PatientResource.ID.eq(patientId)).execute();
        if (groupIds != null) {
            dsl.deleteFrom(PatientResource.MEMBER).where(PatientResource.MEMBER_PATIENT.eq(patientId)).execute();
            List<Object[]> rows = new ArrayList<>();
            groupIds.forEach(g -> rows.add(new Object[] {patientId, g, principal.organizationId()}));
            UnnestInsert.insert(dsl, "patient_group_member", MEMBER_COLUMNS, rows, null, null);
        }
        if (draft.coaches() != null) {
            dsl.deleteFrom(PatientResource.PATIENT_COACH).where(PatientResource.COACH_PATIENT.eq(patientId)).execute();
            List<Object[]> rows = new ArrayList<>();
            draft.coaches().forEach(c -> rows.add(new Object[] {patientId, c.id(), principal.organizationId(), c.primary()}));
            UnnestInsert.insert(dsl, "patient_coach", COACH_COLUMNS, rows, null, null);
        }
        if (identifiers != null) {
            dsl.deleteFrom(PatientResource.IDENTIFIER).where(PatientResource.IDENTIFIER_PATIENT.eq(patientId)).execute();
            NewPatient replacement = new NewPatient(patientId, draft, List.of(), identifiers, null);
            return insertIdentifiers(dsl, principal.organizationId(), List.of(replacement)).isEmpty();
        }
        return true;
    }

    /** Patients in scope holding the identifier and belonging to one of the groups (for upsert). */
    static List<String> findByIdentifier(DSLContext dsl, Principal principal, String system, String value,
            List<String> groupIds) {
        return dsl.selectDistinct(PatientResource.ID).from(PatientResource.TYPE.table())
                .join(PatientResource.IDENTIFIER).on(PatientResource.IDENTIFIER_PATIENT.eq(PatientResource.ID))
                .where(PatientResource.IDENTIFIER_SYSTEM.eq(system)).and(PatientResource.IDENTIFIER_VALUE.eq(value))
                .and(PatientResource.inGroups(groupIds))
                .and(PatientResource.TYPE.scope(principal))
                .limit(2).fetch(PatientResource.ID);
    }
}
