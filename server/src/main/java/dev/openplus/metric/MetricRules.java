package dev.openplus.metric;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.db.Ids;
import dev.openplus.group.GroupResource;
import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.ErrorCode;
import dev.openplus.jsonapi.WriteBatch;
import dev.openplus.jsonapi.WriteItem;
import dev.openplus.jsonapi.WriteRules;
import dev.openplus.patient.PatientResource;

/**
 * What metrics add to the generic create: the patient by id or by {@code meta.query} (exactly one patient
 * must match), the value members each type needs, duplicates under {@code meta.ignore_duplicates}, and a result
 * for every metric. A constant number of statements per request, whatever the batch size.
 */
final class MetricRules implements WriteRules {
    private static final String PATIENT = "/relationships/patient";

    /** A patient query of one item: where it was given and what it asks for. */
    private record PatientQuery(WriteItem item, String pointer, String system, String value, List<String> groups) {
    }

    @Override
    public void beforeWrite(WriteBatch batch) {
        List<PatientQuery> queries = new ArrayList<>();
        for (WriteItem item : batch.items()) {
            PatientQuery query = patient(batch, item);
            if (query != null) {
                queries.add(query);
            }
            values(item);
        }
        batch.throwIfProblems();
        resolve(batch, queries);
        batch.throwIfProblems();
        if (batch.ignoreDuplicates()) {
            skipDuplicates(batch);
        }
    }

    @Override
    public void afterWrite(WriteBatch batch) {
        ResultWriter.forMetrics(batch.dsl(), batch.written().stream().map(WriteItem::id).toList());
    }

    // ---- the patient ------------------------------------------------------------------------------------------

    /** Links the patient given by id; returns the query when the patient is given by meta.query instead. */
    private static PatientQuery patient(WriteBatch batch, WriteItem item) {
        JsonNode member = item.input().customLinks().get(MetricResource.PATIENT);
        JsonNode meta = item.input().meta();
        JsonNode itemQuery = meta == null ? null : meta.get("query");
        if (member == null) {
            if (itemQuery != null) {
                return query(batch, item, itemQuery, "/meta/query");
            }
            item.problem(PATIENT, "relationships.patient is required: the patient's id, or meta.query");
            return null;
        }
        JsonNode data = member.isObject() ? member.get("data") : null;
        if (data == null || !data.isObject()) {
            item.problem(PATIENT + "/data", "must be a resource identifier {type, id} or {type, meta: {query}}");
            return null;
        }
        if (!"patient".equals(data.path("type").asText(null))) {
            item.problem(PATIENT + "/data/type", "type must be \"patient\"");
            return null;
        }
        String id = data.path("id").isTextual() ? data.get("id").asText() : null;
        if (id != null && !id.isEmpty()) {
            if (!Ids.isWellFormed(id)) {
                item.problem(PATIENT + "/data/id", "must be a patient id (24 lowercase hex characters)");
            } else {
                item.link(MetricResource.PATIENT, List.of(new WriteItem.Link(id, item.pointer() + PATIENT + "/data/id")));
            }
            return null;
        }
        JsonNode linkQuery = data.path("meta").get("query");
        if (linkQuery != null) {
            return query(batch, item, linkQuery, PATIENT + "/data/meta/query");
        }
        if (itemQuery != null) {
            return query(batch, item, itemQuery, "/meta/query");
        }
        item.problem(PATIENT + "/data/id", "give the patient's id, or meta.query");
        return null;
    }

    private static PatientQuery query(WriteBatch batch, WriteItem item, JsonNode query, String pointer) {
        if (!query.isObject()) {
            item.problem(pointer, "meta.query must be an object {identifier, organization | groups}");
            return null;
        }
        String system = text(query.path("identifier").path("system"));
        String value = text(query.path("identifier").path("value"));
        if (system == null) {
            item.problem(pointer + "/identifier/system", "meta.query.identifier.system is required");
        }
        if (value == null) {
            item.problem(pointer + "/identifier/value", "meta.query.identifier.value is required");
        }
        JsonNode organization = query.get("organization");
        JsonNode groups = query.get("groups");
        Caller caller = batch.caller();
        if (organization == null && groups == null) {
            item.problem(pointer, "meta.query needs organization or groups");
        }
        if (organization != null && !(organization.isTextual() && Ids.isWellFormed(organization.asText()))) {
            item.problem(pointer + "/organization", "must be an organization id");
        } else if (organization != null && !organization.asText().equals(caller.organizationId())) {
            item.problem(forbidden(item.pointer() + pointer + "/organization",
                    "the organization is outside this client's scope"));
        }
        List<String> groupIds = new ArrayList<>();
        if (groups != null) {
            if (!groups.isArray() || groups.isEmpty()) {
                item.problem(pointer + "/groups", "must list at least one group id");
            } else {
                for (int i = 0; i < groups.size(); i++) {
                    String groupId = text(groups.get(i));
                    if (!Ids.isWellFormed(groupId)) {
                        item.problem(pointer + "/groups/" + i, "must be a group id");
                    } else {
                        groupIds.add(groupId);
                    }
                }
                if (groupIds.size() == groups.size() && !GroupResource.allInScope(batch.dsl(), caller, groupIds)) {
                    item.problem(forbidden(item.pointer() + pointer + "/groups", "a group is outside this client's scope"));
                }
            }
        }
        return system == null || value == null ? null : new PatientQuery(item, pointer, system, value, groupIds);
    }

    /**
     * Finds the patients of every query in one statement (within the caller's scope): each query must match
     * exactly one, else 409 at its item.
     */
    private static void resolve(WriteBatch batch, List<PatientQuery> queries) {
        if (queries.isEmpty()) {
            return;
        }
        String[] systems = queries.stream().map(PatientQuery::system).toArray(String[]::new);
        String[] values = queries.stream().map(PatientQuery::value).toArray(String[]::new);
        Integer[] numbers = new Integer[queries.size()];
        for (int i = 0; i < numbers.length; i++) {
            numbers[i] = i;
        }
        Field<Integer> n = DSL.field(DSL.name("q", "n"), SQLDataType.INTEGER);
        Field<String> system = DSL.field(DSL.name("q", "system"), SQLDataType.VARCHAR);
        Field<String> value = DSL.field(DSL.name("q", "value"), SQLDataType.VARCHAR);
        Field<String> identifierPatient = DSL.field(DSL.name("patient_identifier", "patient_id"), SQLDataType.CHAR(24));
        Field<String> identifierSystem = DSL.field(DSL.name("patient_identifier", "system"), SQLDataType.VARCHAR);
        Field<String> identifierValue = DSL.field(DSL.name("patient_identifier", "value"), SQLDataType.VARCHAR);
        Field<String[]> groups = DSL.field(DSL.select(DSL.arrayAgg(PatientResource.MEMBER_GROUP))
                .from(PatientResource.MEMBER).where(PatientResource.MEMBER_PATIENT.eq(PatientResource.ID)))
                .coerce(SQLDataType.CHAR(24).array());
        var rows = batch.dsl().select(n, PatientResource.ID, groups)
                .from(DSL.table("unnest({0}::text[], {1}::text[], {2}::int4[])",
                        DSL.val(systems, SQLDataType.VARCHAR.array()), DSL.val(values, SQLDataType.VARCHAR.array()),
                        DSL.val(numbers, SQLDataType.INTEGER.array())).as("q", "system", "value", "n"))
                .join(DSL.table(DSL.name("patient_identifier")))
                .on(identifierSystem.eq(system)).and(identifierValue.eq(value))
                .and(DSL.field(DSL.name("patient_identifier", "organization_id"), SQLDataType.CHAR(24))
                        .eq(batch.caller().organizationId()))
                .join(PatientResource.TYPE.table()).on(PatientResource.ID.eq(identifierPatient))
                .where(PatientResource.TYPE.scope(batch.caller()))
                .fetch();
        Map<Integer, Set<String>> matches = new HashMap<>();
        for (var row : rows) {
            PatientQuery query = queries.get(row.value1());
            List<String> patientGroups = row.value3() == null ? List.of() : Arrays.asList(row.value3());
            if (query.groups().isEmpty() || query.groups().stream().anyMatch(patientGroups::contains)) {
                matches.computeIfAbsent(row.value1(), k -> new LinkedHashSet<>()).add(row.value2());
            }
        }
        for (int i = 0; i < queries.size(); i++) {
            PatientQuery query = queries.get(i);
            Set<String> found = matches.getOrDefault(i, Set.of());
            if (found.size() == 1) {
                query.item().link(MetricResource.PATIENT, List.of(new WriteItem.Link(found.iterator().next(),
                        query.item().pointer() + query.pointer())));
            } else {
                query.item().problem(ApiError.pointer(query.item().pointer(), found.isEmpty()
                        ? "meta.query matches no patient" : "meta.query matches more than one patient"));
            }
        }
    }

    // ---- values -----------------------------------------------------------------------------------------------

    /** A blood pressure gives systolic and diastolic; every other type gives value. */
    private static void values(WriteItem item) {
        boolean bloodPressure = "blood_pressure".equals(item.value("type"));
        for (String member : bloodPressure ? List.of("systolic", "diastolic") : List.of("value")) {
            if (item.value(member) == null) {
                item.problem("/attributes/" + member, member + " is required for " + (bloodPressure
                        ? "a blood_pressure metric" : "this metric type"));
            }
        }
        for (String member : bloodPressure ? List.of("value") : List.of("systolic", "diastolic")) {
            if (item.value(member) != null) {
                item.problem("/attributes/" + member, bloodPressure
                        ? "a blood_pressure metric gives systolic and diastolic, not value"
                        : member + " is only for blood_pressure metrics");
            }
        }
    }

    // ---- duplicates -------------------------------------------------------------------------------------------

    /**
     * Skips items with the patient, type and occurred_at of a stored metric or of an earlier item. The patients'
     * advisory locks serialize concurrent writers of the same patients, so two requests cannot both miss each
     * other's metric; two statements per request.
     */
    private static void skipDuplicates(WriteBatch batch) {
        List<WriteItem> items = batch.items().stream().filter(i -> i.linkedId(MetricResource.PATIENT) != null).toList();
        if (items.isEmpty()) {
            return;
        }
        String[] patients = items.stream().map(i -> i.linkedId(MetricResource.PATIENT)).toArray(String[]::new);
        String[] types = items.stream().map(i -> (String) i.value("type")).toArray(String[]::new);
        Timestamp[] times = items.stream().map(i -> Timestamp.from(((OffsetDateTime) i.value("occurred_at")).toInstant()))
                .toArray(Timestamp[]::new);
        DSLContext dsl = batch.dsl();
        Set<String> existing = dsl.connectionResult(connection -> {
            try (PreparedStatement lock = connection.prepareStatement(
                    "select count(pg_advisory_xact_lock(hashtextextended(p, 0))) from"
                            + " (select distinct p from unnest(?::text[]) p order by p) locked")) {
                lock.setArray(1, connection.createArrayOf("text", patients));
                lock.executeQuery().close();
            }
            Set<String> found = new HashSet<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "select m.patient_id, m.type, m.occurred_at from patient_health_metric m"
                            + " join unnest(?::bpchar[], ?::text[], ?::timestamptz[]) as q(p, t, o)"
                            + " on m.patient_id = q.p and m.type = q.t and m.occurred_at = q.o")) {
                select.setArray(1, connection.createArrayOf("bpchar", patients));
                select.setArray(2, connection.createArrayOf("text", types));
                select.setArray(3, connection.createArrayOf("timestamptz", times));
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        found.add(key(rows.getString(1), rows.getString(2), rows.getTimestamp(3).toInstant().toString()));
                    }
                }
            }
            return found;
        });
        Set<String> seen = new HashSet<>(existing);
        for (int i = 0; i < items.size(); i++) {
            if (!seen.add(key(patients[i], types[i], times[i].toInstant().toString()))) {
                items.get(i).skip();
            }
        }
    }

    private static String key(String patient, String type, String instant) {
        return patient + '\u0000' + type + '\u0000' + instant;
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() && !node.asText().isBlank() ? node.asText() : null;
    }

    private static ApiError forbidden(String pointer, String detail) {
        return new ApiError(ErrorCode.Forbidden.status(), ErrorCode.Forbidden, detail, pointer, null);
    }
}
