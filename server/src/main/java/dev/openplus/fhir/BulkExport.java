package dev.openplus.fhir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.hl7.fhir.r4.model.OperationOutcome;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.db.Ids;
import dev.openplus.group.GroupResource;
import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.jsonapi.ApiExchange;
import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.ErrorCode;
import dev.openplus.jsonapi.ResourceEndpoints;

/**
 * FHIR Bulk Data export (Bulk Data Access IG v2, docs/fhir.md "Bulk Data export"): the kick-offs
 * {@code Patient/$export} and {@code Group/{id}/$export}, the status URL (poll, cancel) and the files. A kick-off
 * stores a job ({@link ExportJobs}); {@link ExportWorkers} of any instance writes it. Status, cancel and files answer
 * only the client that started the job: to any other it does not exist (404).
 */
public final class BulkExport {
    static final String STATUS = FhirEndpoints.BASE + "/$export-status";
    static final String FILES = FhirEndpoints.BASE + "/$export-file";
    /** The types a kick-off without {@code _type} exports: the patient compartment's. */
    static final List<String> PATIENT_TYPES = List.of("Patient", "Observation", "CarePlan", "Appointment",
            "QuestionnaireResponse");
    /** The Bulk Data IG's operation definitions of the kick-offs served, by the type they run on. */
    static final Map<String, String> OPERATIONS = Map.of(
            "Patient", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export",
            "Group", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export");
    static final Set<String> OUTPUT_FORMATS = Set.of(ExportWorkers.MEDIA_TYPE, "application/ndjson", "ndjson");
    private static final DateTimeFormatter INSTANT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX");
    private static final Set<String> PARAMETERS = Set.of("_outputFormat", "_type", "_since");

    private final ResourceEndpoints resources;
    private final ExportWorkers workers;

    public BulkExport(ResourceEndpoints resources, ExportWorkers workers) {
        this.resources = resources;
        this.workers = workers;
    }

    /** Registered before the read and search routes, whose {type}/{id} would match the kick-off's path too. */
    List<FhirEndpoints.Route> routes() {
        return List.of(
                new FhirEndpoints.Route("GET", FhirEndpoints.BASE + "/Patient/$export", exchange -> kickOff(exchange, null)),
                new FhirEndpoints.Route("GET", FhirEndpoints.BASE + "/Group/{id}/$export",
                        exchange -> kickOff(exchange, exchange.pathParam("id"))),
                new FhirEndpoints.Route("GET", STATUS + "/{job}", this::status),
                new FhirEndpoints.Route("DELETE", STATUS + "/{job}", this::cancel),
                new FhirEndpoints.Route("GET", FILES + "/{job}/{file}", this::file));
    }

    private void kickOff(ApiExchange exchange, String groupId) {
        String prefer = exchange.header("Prefer");
        if (prefer == null || !List.of(prefer.toLowerCase(Locale.ROOT).split("[,;]")).stream().map(String::trim)
                .toList().contains("respond-async")) {
            throw SearchQuery.invalid("Prefer", "a Bulk Data export runs asynchronously: send the header"
                    + " Prefer: respond-async");
        }
        Map<String, List<String>> parameters = exchange.queryParams();
        for (Map.Entry<String, List<String>> parameter : parameters.entrySet()) {
            if (!PARAMETERS.contains(parameter.getKey())) {
                throw SearchQuery.invalid(parameter.getKey(), "the export takes no parameter " + parameter.getKey()
                        + "; it takes _type, _since and _outputFormat");
            }
            if (parameter.getValue().size() > 1) {
                throw SearchQuery.invalid(parameter.getKey(), "give " + parameter.getKey() + " once");
            }
        }
        String format = single(parameters, "_outputFormat");
        if (format != null && !OUTPUT_FORMATS.contains(format.toLowerCase(Locale.ROOT))) {
            throw SearchQuery.invalid("_outputFormat", "_outputFormat=" + format + " is not served; the files are"
                    + " application/fhir+ndjson (also accepted as application/ndjson and ndjson)");
        }
        List<String> types = types(single(parameters, "_type"));
        OffsetDateTime since = since(single(parameters, "_since"));
        Caller caller = exchange.caller();
        String id = Ids.newId();
        String request = exchange.baseUrl() + exchange.path() + query(parameters);
        resources.database().transaction(dsl -> {
            List<String> scopeGroups = caller.groupScoped() ? List.copyOf(caller.groupIds()) : null;
            if (groupId != null) {
                if (!GroupResource.TYPE.isWellFormedId(groupId)
                        || resources.repository().fetch(dsl, GroupResource.TYPE, caller, groupId).isEmpty()) {
                    throw ApiException.notFound("Group", groupId);
                }
                scopeGroups = List.of(groupId);
            }
            ExportJobs.insert(dsl, new ExportJobs.Job(id, caller.organizationId(), caller.actorId(), scopeGroups,
                    types, since, request, ExportJobs.transactionTime(dsl), ExportJobs.STATUS_QUEUED, 0, null, 1, 0, 0,
                    null, null), workers.settings().ttl());
            exchange.responseHeader("Content-Location", exchange.baseUrl() + STATUS + "/" + id);
            exchange.respond(202, FhirJson.CONTENT_TYPE, information("the export is queued; poll the URL of the"
                    + " Content-Location header"));
            return null;
        });
        workers.wake();
    }

    private void status(ApiExchange exchange) {
        ExportJobs.Job job = job(exchange);
        switch (job.status()) {
            case ExportJobs.STATUS_QUEUED, ExportJobs.STATUS_RUNNING -> {
                exchange.responseHeader("X-Progress", progress(job));
                exchange.responseHeader("Retry-After", "2");
                exchange.respond(202, FhirJson.CONTENT_TYPE, information(progress(job)));
            }
            case ExportJobs.STATUS_FAILED -> throw new ApiException(new ApiError(500, ErrorCode.InternalError,
                    job.error(), null, null));
            default -> {
                List<ExportJobs.ExportFile> files = resources.database().transaction(dsl -> ExportJobs.files(dsl, job.id()));
                exchange.responseHeader("Expires", DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        job.expiresAt().atZoneSameInstant(ZoneOffset.UTC)));
                exchange.respond(200, "application/json;charset=utf-8", manifest(exchange, job, files));
            }
        }
    }

    private void cancel(ApiExchange exchange) {
        String id = exchange.pathParam("job");
        Caller caller = exchange.caller();
        boolean deleted = Ids.isWellFormed(id)
                && resources.database().transaction(dsl -> ExportJobs.delete(dsl, id, caller));
        if (!deleted) {
            throw notFound(id);
        }
        workers.removeDirectory(id);
        exchange.respond(202, FhirJson.CONTENT_TYPE, information("the export is cancelled and its files removed"));
    }

    private void file(ApiExchange exchange) {
        ExportJobs.Job job = job(exchange);
        String name = exchange.pathParam("file");
        boolean listed = job.status().equals(ExportJobs.STATUS_COMPLETED) && resources.database()
                .transaction(dsl -> ExportJobs.files(dsl, job.id())).stream().anyMatch(file -> file.name().equals(name));
        Path path = workers.directory(job.id()).resolve(name);
        if (!listed || !Files.isRegularFile(path)) {
            throw new ApiException(new ApiError(404, ErrorCode.ResourceNotFound, "export " + job.id()
                    + " has no file " + name, null, null));
        }
        exchange.respondFile(200, ExportWorkers.MEDIA_TYPE, path);
    }

    /** The caller's job of the path, or 404. */
    private ExportJobs.Job job(ApiExchange exchange) {
        String id = exchange.pathParam("job");
        Caller caller = exchange.caller();
        if (!Ids.isWellFormed(id)) {
            throw notFound(id);
        }
        return resources.database().transaction(dsl -> ExportJobs.find(dsl, id, caller)).orElseThrow(() -> notFound(id));
    }

    private static ApiException notFound(String id) {
        return new ApiException(new ApiError(404, ErrorCode.ResourceNotFound, "no export " + id + " of this client"
                + " (it never existed, was cancelled, expired, or another client started it)", null, null));
    }

    private static String progress(ExportJobs.Job job) {
        if (job.status().equals(ExportJobs.STATUS_QUEUED)) {
            return "queued";
        }
        String type = job.typeIndex() < job.types().size() ? job.types().get(job.typeIndex()) : "the last file";
        return job.written() + " resources written; writing " + type + " (type " + Math.min(job.typeIndex() + 1,
                job.types().size()) + " of " + job.types().size() + ")";
    }

    /** The complete-status manifest (Bulk Data IG v2): the files in the order written, each with its count. */
    private static byte[] manifest(ApiExchange exchange, ExportJobs.Job job, List<ExportJobs.ExportFile> files) {
        ObjectNode manifest = BodyReader.mapper().createObjectNode();
        // Milliseconds, as every time on the wire; cut down, never rounded up, so that a _since of it misses nothing.
        manifest.put("transactionTime", INSTANT.format(job.transactionTime().withOffsetSameInstant(ZoneOffset.UTC)));
        manifest.put("request", job.request());
        manifest.put("requiresAccessToken", true);
        ArrayNode output = manifest.putArray("output");
        for (ExportJobs.ExportFile file : files) {
            output.addObject().put("type", file.resourceType())
                    .put("url", exchange.baseUrl() + FILES + "/" + job.id() + "/" + file.name())
                    .put("count", file.count());
        }
        manifest.putArray("error");
        try {
            return BodyReader.mapper().writeValueAsBytes(manifest);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code _type}: served types, comma-separated; the patient compartment's when absent. Written in served order. */
    private static List<String> types(String value) {
        if (value == null) {
            return PATIENT_TYPES;
        }
        Set<String> asked = new LinkedHashSet<>();
        for (String name : value.split(",", -1)) {
            String trimmed = name.trim();
            if (FhirTypes.find(trimmed).isEmpty()) {
                throw SearchQuery.invalid("_type", "_type names " + (trimmed.isEmpty() ? "an empty type" : trimmed)
                        + ", which this server does not serve; GET " + FhirEndpoints.METADATA + " lists the types");
            }
            asked.add(trimmed);
        }
        List<String> ordered = new ArrayList<>();
        FhirTypes.all().stream().map(FhirType::name).filter(asked::contains).forEach(ordered::add);
        return ordered;
    }

    /** {@code _since}: a FHIR instant (a time with seconds and a zone). */
    private static OffsetDateTime since(String value) {
        if (value == null) {
            return null;
        }
        String instant = value.replace(' ', '+'); // an unencoded '+' of an offset arrives as a space
        try {
            if (instant.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})")) {
                return OffsetDateTime.parse(instant).withOffsetSameInstant(ZoneOffset.UTC);
            }
        } catch (DateTimeParseException e) {
            // answered below
        }
        throw SearchQuery.invalid("_since", "'" + value + "' is not a FHIR instant (e.g. 2024-03-01T00:00:00Z)");
    }

    private static String single(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String query(Map<String, List<String>> parameters) {
        StringBuilder query = new StringBuilder();
        parameters.forEach((name, values) -> values.forEach(value -> query.append(query.isEmpty() ? '?' : '&')
                .append(name).append('=').append(java.net.URLEncoder.encode(value, StandardCharsets.UTF_8)
                        .replace("%2C", ",").replace("%3A", ":").replace("%2F", "/"))));
        return query.toString();
    }

    private static byte[] information(String text) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
                .setCode(OperationOutcome.IssueType.INFORMATIONAL).setDiagnostics(text);
        return FhirJson.encode(outcome);
    }
}
