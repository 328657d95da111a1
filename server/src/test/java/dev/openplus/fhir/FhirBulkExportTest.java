package dev.openplus.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import ca.uhn.fhir.parser.IParser;
import dev.openplus.Application;
import dev.openplus.config.Config;
import dev.openplus.support.Api;
import dev.openplus.support.CarePlans;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * FHIR Bulk Data export over HTTP against the real database, driven as a Bulk Data client drives it: kick-off,
 * polling, downloads parsed line by line with HAPI's parser and sampled through its validator, counts compared with
 * /pub's meta.count for the same scope. The shared test server runs no export workers; a second server on the same
 * database (and export directory) does, with short intervals and three resources a file so that files split: a
 * kick-off on one instance is written by the other, as with several instances on one database.
 */
class FhirBulkExportTest {
    static TestServer server;
    static Application exporting;
    static Api api;
    static Api worker;
    static Fixtures fixtures;
    static Fixtures.Tenant tenant;
    static Fixtures.Tenant other;
    static String groupA;
    static String groupB;
    static String otherGroup;
    static List<String> patientsA = new ArrayList<>();
    static String patientB;
    static String groupScopedToken;
    static String secondClientToken;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.get();
        Config.FhirExport shared = server.config.fhirExport();
        exporting = Application.start(server.config.withPort(0).withFhirExport(new Config.FhirExport(
                shared.directory(), Duration.ofHours(24), 2, Duration.ofMillis(50), Duration.ofMillis(200), 3)),
                server.database);
        api = server.api();
        worker = new Api("http://127.0.0.1:" + exporting.port());
        fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Bulk clinic");
        other = fixtures.tenant("Bulk elsewhere");
        groupA = fixtures.group(tenant.organizationId(), "Bulk cohort A");
        groupB = fixtures.group(tenant.organizationId(), "Bulk cohort B");
        otherGroup = fixtures.apiGroup(other, "Bulk elsewhere cohort");
        CarePlans plans = new CarePlans(api);
        for (int i = 0; i < 3; i++) {
            patientsA.add(plans.patient(tenant.token(), groupA));
        }
        patientB = plans.patient(tenant.token(), groupB);
        plans.patient(other.token(), otherGroup);
        List<Map<String, Object>> metrics = new ArrayList<>();
        for (String patient : patientsA) {
            metrics.add(CarePlans.metric(patient, "weight", 150, "2024-03-05T10:00:00Z"));
            metrics.add(CarePlans.metric(patient, "heart_rate", 60, "2024-03-06T10:00:00Z"));
        }
        metrics.add(CarePlans.metric(patientB, "weight", 180, "2024-03-05T10:00:00Z"));
        Api.Response created = api.post("/pub/patient_health_metric", tenant.token(), Api.json(Map.of("data", metrics)));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        plans.createAction(tenant.token(), plans.planOf(tenant.token(), patientsA.get(0)), Map.of());
        Api.Response event = api.post("/pub/calendar_event", tenant.token(), Api.json(Map.of("data", Map.of(
                "type", "calendar_event", "attributes", Map.of("type", "office-visit", "title", "Review",
                        "start_at", "2024-04-02T09:00:00Z", "end_at", "2024-04-02T09:30:00Z",
                        "attendees", List.of(Map.of("user", patientsA.get(1)))),
                "relationships", Map.of("owner", Map.of("data", CarePlans.ref("patient", patientsA.get(1))))))));
        assertThat(event.status()).as(event.body()).isEqualTo(201);
        Api.Response answer = api.post("/pub/health_profile_answer", tenant.token(), Api.json(Map.of("data", Map.of(
                "type", "health_profile_answer", "attributes", Map.of("question_id", "1", "value", "2",
                        "answered_at", "2024-03-01T08:00:00Z"),
                "relationships", Map.of("patient", Map.of("data", CarePlans.ref("patient", patientB)))))));
        assertThat(answer.status()).as(answer.body()).isEqualTo(201);
        groupScopedToken = fixtures.token(fixtures.client(tenant.organizationId(), groupA));
        secondClientToken = fixtures.token(fixtures.client(tenant.organizationId()));
        String questionnaire = get(api, "/fhir/r4/Questionnaire/1", tenant.token(), false).body();
        FhirValidation.know(FhirJson.context().newJsonParser().parseResource(Questionnaire.class, questionnaire));
    }

    @AfterAll
    static void stop() {
        if (exporting != null) {
            exporting.close();
        }
    }

    /** GET with FHIR's Accept and, for a kick-off, Prefer: respond-async. */
    static Api.Response get(Api through, String path, String token, boolean async) {
        List<String> headers = new ArrayList<>(List.of("Accept", "application/fhir+json"));
        if (async) {
            headers.addAll(List.of("Prefer", "respond-async"));
        }
        return through.sendOutsideContract("GET", path, token, null, null, headers);
    }

    /** A kick-off that must be accepted: the status URL's path. */
    static String kickOff(String path, String token) {
        Api.Response response = get(api, path, token, true);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        String location = response.header("Content-Location").orElseThrow();
        assertThat(location).startsWith(server.baseUrl + "/fhir/r4/$export-status/");
        return location.substring(server.baseUrl.length());
    }

    /** Polls the status URL (on the other instance) until it is no longer 202; every 202 says how far it got. */
    static Api.Response await(String status, String token) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (true) {
            Api.Response response = get(worker, status, token, false);
            if (response.status() != 202) {
                return response;
            }
            assertThat(response.header("X-Progress")).isPresent();
            assertThat(Instant.now()).as("the export is still running: " + response.header("X-Progress"))
                    .isBefore(deadline);
            Thread.sleep(50);
        }
    }

    /** The manifest of a finished export. */
    static JsonNode manifest(String status, String token) throws InterruptedException {
        Api.Response done = await(status, token);
        assertThat(done.status()).as(done.body()).isEqualTo(200);
        assertThat(done.header("Content-Type").orElseThrow()).startsWith("application/json");
        assertThat(done.header("Expires")).isPresent();
        return done.json();
    }

    /**
     * Every file of the manifest downloaded and parsed line by line: the resources by type, each line's type that
     * of its entry, each file's count its lines. The first resource of each file goes through the validator.
     */
    static Map<String, List<Resource>> download(JsonNode manifest, String token) {
        IParser parser = FhirJson.context().newJsonParser();
        Map<String, List<Resource>> byType = new LinkedHashMap<>();
        for (JsonNode output : manifest.get("output")) {
            String url = output.get("url").asText();
            // The manifest was fetched from the instance that wrote the export; the files are as well served by the
            // other one, on the same database and export directory.
            assertThat(url).startsWith(worker.baseUrl() + "/fhir/r4/$export-file/");
            Api.Response file = api.sendOutsideContract("GET", url.substring(worker.baseUrl().length()), token, null,
                    null, List.of("Accept", "application/fhir+ndjson"));
            assertThat(file.status()).as(file.body()).isEqualTo(200);
            assertThat(file.header("Content-Type").orElseThrow()).startsWith("application/fhir+ndjson");
            String[] lines = file.body().split("\n");
            assertThat(file.body()).endsWith("\n");
            assertThat(lines).hasSize(output.get("count").asInt());
            for (String line : lines) {
                IBaseResource resource = parser.parseResource(line);
                assertThat(resource.fhirType()).isEqualTo(output.get("type").asText());
                byType.computeIfAbsent(resource.fhirType(), type -> new ArrayList<>()).add((Resource) resource);
            }
            assertThat(FhirValidation.errors(lines[0])).as(lines[0]).isEmpty();
        }
        return byType;
    }

    static List<String> ids(List<Resource> resources) {
        return resources == null ? List.of() : resources.stream().map(r -> r.getIdElement().getIdPart()).toList();
    }

    static long pubCount(String path, String token) {
        Api.Response response = api.get(path + (path.contains("?") ? "&" : "?") + "page[size]=0", token);
        assertThat(response.status()).as(path + " → " + response.body()).isEqualTo(200);
        return response.at("/meta/count").asLong();
    }

    @Test
    void aBulkDataClientExportsEveryPatientAndTheirDataAsPubCountsThem() throws Exception {
        String status = kickOff("/fhir/r4/Patient/$export", tenant.token());
        JsonNode manifest = manifest(status, tenant.token());
        assertThat(manifest.get("requiresAccessToken").asBoolean()).isTrue();
        assertThat(manifest.get("request").asText()).isEqualTo(server.baseUrl + "/fhir/r4/Patient/$export");
        assertThat(manifest.get("transactionTime").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
        assertThat(manifest.get("error")).isEmpty();
        List<String> types = new ArrayList<>();
        manifest.get("output").forEach(output -> types.add(output.get("type").asText()));
        // The patient compartment's types, in order; four patients at three a file: two Patient files.
        assertThat(types.stream().distinct()).containsExactly("Patient", "Observation", "CarePlan", "Appointment",
                "QuestionnaireResponse");
        assertThat(types.stream().filter("Patient"::equals)).hasSize(2);
        assertThat(manifest.at("/output/0/count").asInt()).isEqualTo(3);
        assertThat(manifest.at("/output/1/count").asInt()).isEqualTo(1);

        Map<String, List<Resource>> exported = download(manifest, tenant.token());
        assertThat(ids(exported.get("Patient"))).containsExactlyInAnyOrderElementsOf(
                List.of(patientsA.get(0), patientsA.get(1), patientsA.get(2), patientB)).doesNotHaveDuplicates();
        assertThat((long) exported.get("Patient").size()).isEqualTo(pubCount("/pub/patient?filter[organization]=" + tenant.organizationId(), tenant.token()));
        assertThat((long) exported.get("Observation").size())
                .isEqualTo(pubCount("/pub/patient_health_metric?filter[organization]=" + tenant.organizationId(), tenant.token())).isGreaterThanOrEqualTo(7);
        assertThat((long) exported.get("CarePlan").size())
                .isEqualTo(pubCount("/pub/patient_plan_summary?filter[organization]=" + tenant.organizationId(), tenant.token())).isEqualTo(4);
        assertThat(exported.get("Appointment")).hasSize(1);
        assertThat(exported.get("QuestionnaireResponse")).hasSize(1);
    }

    @Test
    void typeAndSinceChooseWhatIsExportedAndAFollowUpFromTransactionTimeMissesNothing() throws Exception {
        JsonNode patientsOnly = manifest(kickOff("/fhir/r4/Patient/$export?_type=Patient&_outputFormat="
                + "application%2Ffhir%2Bndjson", tenant.token()), tenant.token());
        assertThat(patientsOnly.get("output").findValuesAsText("type")).containsOnly("Patient");

        JsonNode first = manifest(kickOff("/fhir/r4/Patient/$export?_type=Observation,Patient", tenant.token()),
                tenant.token());
        assertThat(first.get("output").findValuesAsText("type").stream().distinct()).containsExactly("Patient",
                "Observation");
        String transactionTime = first.get("transactionTime").asText();
        // Changed after the first export's kick-off: one patient and one new metric.
        Api.Response patched = api.send("PATCH", "/pub/patient/" + patientB, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "id", patientB,
                        "attributes", Map.of("first_name", "Changed")))), List.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        Api.Response metric = api.post("/pub/patient_health_metric", tenant.token(), Api.json(Map.of("data",
                CarePlans.metric(patientsA.get(2), "weight", 151, "2024-03-07T10:00:00Z"))));
        assertThat(metric.status()).as(metric.body()).isEqualTo(200);

        JsonNode since = manifest(kickOff("/fhir/r4/Patient/$export?_type=Patient,Observation&_since="
                + transactionTime, tenant.token()), tenant.token());
        Map<String, List<Resource>> changed = download(since, tenant.token());
        assertThat(ids(changed.get("Patient"))).contains(patientB);
        assertThat(ids(changed.get("Observation"))).contains(metric.at("/data/id").asText());
        // What did not change since is not exported again (the other patients were last written before the first
        // export's kick-off, unless another test of this class changed them meanwhile).
        assertThat(ids(changed.get("Patient"))).doesNotContain(patientsA.get(0));
        JsonNode future = manifest(kickOff("/fhir/r4/Patient/$export?_since=2999-01-01T00:00:00%2B01:00",
                tenant.token()), tenant.token());
        assertThat(future.get("output")).isEmpty();
    }

    /**
     * The rule of transactionTime: a write whose transaction was open at kick-off is not in that export (it had not
     * committed), and its rows' updated_at (here the transaction's start, the earliest a writer can stamp) lies
     * before the kick-off; a follow-up export with _since = the manifest's transactionTime still finds it.
     */
    @Test
    void aWriteOpenAtKickOffIsInTheFollowUpFromTransactionTime() throws Exception {
        String patient = patientsA.get(1);
        try (java.sql.Connection writer = server.database.dedicatedConnection()) {
            writer.setAutoCommit(false);
            try (var statement = writer.prepareStatement(
                    "update patient set first_name = 'Latecommitter', updated_at = now() where id = ?")) {
                statement.setString(1, patient);
                assertThat(statement.executeUpdate()).isEqualTo(1);
            }
            Thread.sleep(20); // the kick-off's own clock is later than the open transaction's start
            JsonNode first = manifest(kickOff("/fhir/r4/Patient/$export?_type=Patient", tenant.token()),
                    tenant.token());
            assertThat(download(first, tenant.token()).get("Patient")).noneMatch(resource -> ((org.hl7.fhir.r4.model.Patient)
                    resource).getNameFirstRep().getGivenAsSingleString().equals("Latecommitter"));
            writer.commit();

            String transactionTime = first.get("transactionTime").asText();
            Map<String, List<Resource>> followUp = download(manifest(kickOff("/fhir/r4/Patient/$export?_type=Patient"
                    + "&_since=" + transactionTime, tenant.token()), tenant.token()), tenant.token());
            assertThat(followUp.get("Patient")).anyMatch(resource -> resource.getIdElement().getIdPart().equals(patient)
                    && ((org.hl7.fhir.r4.model.Patient) resource).getNameFirstRep().getGivenAsSingleString()
                            .equals("Latecommitter"));
        }
    }

    @Test
    void aGroupScopedClientsExportHoldsOnlyItsGroupsPatientsAndTheirData() throws Exception {
        Map<String, List<Resource>> scoped = download(manifest(kickOff("/fhir/r4/Patient/$export", groupScopedToken),
                groupScopedToken), groupScopedToken);
        assertThat(ids(scoped.get("Patient"))).containsExactlyInAnyOrderElementsOf(patientsA);
        assertThat((long) scoped.get("Observation").size())
                .isEqualTo(pubCount("/pub/patient_health_metric?filter[groups]=" + groupA, groupScopedToken));
        assertThat(scoped.get("Observation")).allSatisfy(observation -> assertThat(
                ((org.hl7.fhir.r4.model.Observation) observation).getSubject().getReference()).isNotEqualTo(
                        "Patient/" + patientB));
        assertThat(scoped.get("QuestionnaireResponse")).isNull(); // patient B's answer

        // Group/{id}/$export: that group's patients, for the organization's client as for the group's.
        Map<String, List<Resource>> ofB = download(manifest(kickOff("/fhir/r4/Group/" + groupB + "/$export",
                tenant.token()), tenant.token()), tenant.token());
        assertThat(ids(ofB.get("Patient"))).containsExactly(patientB);
        assertThat(ofB.get("Observation")).hasSize(1);
        assertThat(ofB.get("QuestionnaireResponse")).hasSize(1);
        Map<String, List<Resource>> ofA = download(manifest(kickOff("/fhir/r4/Group/" + groupA
                + "/$export?_type=Patient,Group", groupScopedToken), groupScopedToken), groupScopedToken);
        assertThat(ids(ofA.get("Patient"))).containsExactlyInAnyOrderElementsOf(patientsA);
        assertThat(ids(ofA.get("Group"))).containsExactly(groupA);
        // Another group than the client's, another organization's group: no such group.
        FhirApiTest.outcome(get(api, "/fhir/r4/Group/" + groupB + "/$export", groupScopedToken, true), 404, "not-found");
        FhirApiTest.outcome(get(api, "/fhir/r4/Group/" + otherGroup + "/$export", tenant.token(), true), 404,
                "not-found");
    }

    @Test
    void onlyTheClientThatStartedAnExportSeesItsStatusAndFiles() throws Exception {
        String status = kickOff("/fhir/r4/Patient/$export?_type=Patient", tenant.token());
        JsonNode manifest = manifest(status, tenant.token());
        String file = manifest.at("/output/0/url").asText().substring(worker.baseUrl().length());
        for (String token : List.of(secondClientToken, other.token(), groupScopedToken)) {
            FhirApiTest.outcome(get(api, status, token, false), 404, "not-found");
            FhirApiTest.outcome(api.sendOutsideContract("GET", file, token, null, null, List.of()), 404, "not-found");
            FhirApiTest.outcome(api.sendOutsideContract("DELETE", status, token, null, null, List.of()), 404,
                    "not-found");
        }
        FhirApiTest.outcome(get(api, status, null, false), 401, "login");
        FhirApiTest.outcome(api.sendOutsideContract("GET", file, null, null, null, List.of()), 401, "login");
        // A file name the manifest does not list, a path outside the export: not found.
        FhirApiTest.outcome(api.sendOutsideContract("GET", file.replace("Patient-1", "Patient-9"), tenant.token(), null,
                null, List.of()), 404, "not-found");
        FhirApiTest.outcome(api.sendOutsideContract("GET", file.replace("Patient-1.ndjson", "..%2F..%2Fpg"),
                tenant.token(), null, null, List.of()), 404, "not-found");
        assertThat(get(api, status, tenant.token(), false).status()).isEqualTo(200);
    }

    @Test
    void aCancelledExportIsGoneWithItsFiles() throws Exception {
        String status = kickOff("/fhir/r4/Patient/$export", tenant.token());
        String id = status.substring(status.lastIndexOf('/') + 1);
        Api.Response cancelled = api.sendOutsideContract("DELETE", status, tenant.token(), null, null, List.of());
        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(202);
        FhirApiTest.outcome(get(api, status, tenant.token(), false), 404, "not-found");
        FhirApiTest.outcome(api.sendOutsideContract("DELETE", status, tenant.token(), null, null, List.of()), 404,
                "not-found");
        Path directory = server.config.fhirExport().directory().resolve(id);
        // A worker that was writing it notices at its next page and removes what it wrote.
        Instant deadline = Instant.now().plusSeconds(10);
        while (Files.exists(directory) && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        assertThat(directory).doesNotExist();
        assertThat(server.database.dsl().fetchCount(org.jooq.impl.DSL.table("fhir_export_file"),
                org.jooq.impl.DSL.condition("job_id = {0}", id))).isZero();
    }

    @Test
    void aJobWhoseServerStoppedIsResumedAfterItsLastFinishedFile() throws Exception {
        String status = kickOff("/fhir/r4/Patient/$export?_type=Patient,Observation", tenant.token());
        String id = status.substring(status.lastIndexOf('/') + 1);
        JsonNode before = manifest(status, tenant.token());
        Path directory = server.config.fhirExport().directory().resolve(id);
        Path firstPatients = directory.resolve("Patient-1.ndjson");
        FileTime written = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
        Files.setLastModifiedTime(firstPatients, written);
        // As a server that stopped while writing the Observations leaves it: running, its lease run out, the
        // Patient files finished, an Observation file half written.
        server.database.transaction(dsl -> {
            dsl.execute("delete from fhir_export_file where job_id = {0} and resource_type = 'Observation'", id);
            dsl.execute("""
                    update fhir_export_job set status = 'running', owner = 'a stopped server',
                        lease_until = now() - interval '1 second', type_index = 1, type_after = null, file_number = 1,
                        finished_at = null, attempts = 1
                     where id = {0}""", id);
            return null;
        });
        try (var files = Files.list(directory)) {
            for (Path observations : files.filter(p -> p.getFileName().toString().startsWith("Observation")).toList()) {
                Files.delete(observations);
            }
        }
        Files.writeString(directory.resolve("Observation-1.ndjson.part"), "{\"resourceType\":\"Observ");

        JsonNode after = manifest(status, tenant.token());
        assertThat(after.get("output").toString()).isEqualTo(before.get("output").toString());
        assertThat(Files.getLastModifiedTime(firstPatients)).isEqualTo(written); // not written again
        assertThat(directory.resolve("Observation-1.ndjson.part")).doesNotExist();
        download(after, tenant.token());
        assertThat(server.database.dsl().fetchValue("select attempts from fhir_export_job where id = {0}", id))
                .isEqualTo(2);
    }

    @Test
    void aJobInterruptedTooOftenFailsWithAnOperationOutcome() throws Exception {
        String status = kickOff("/fhir/r4/Patient/$export?_type=Patient", tenant.token());
        String id = status.substring(status.lastIndexOf('/') + 1);
        manifest(status, tenant.token());
        server.database.dsl().execute("""
                update fhir_export_job set status = 'running', owner = 'a stopped server',
                    lease_until = now() - interval '1 second', attempts = {1}
                 where id = {0}""", id, ExportWorkers.MAX_ATTEMPTS);
        Api.Response failed = await(status, tenant.token());
        assertThat(failed.status()).as(failed.body()).isEqualTo(500);
        assertThat(failed.header("Content-Type").orElseThrow()).startsWith("application/fhir+json");
        JsonNode outcome = failed.json();
        assertThat(outcome.at("/resourceType").asText()).isEqualTo("OperationOutcome");
        assertThat(outcome.at("/issue/0/severity").asText()).isEqualTo("fatal");
        assertThat(outcome.at("/issue/0/code").asText()).isEqualTo("exception");
        assertThat(outcome.at("/issue/0/diagnostics").asText()).contains("interrupted 3 times");
    }

    @Test
    void anExpiredExportIsRemovedWithItsFiles() throws Exception {
        String status = kickOff("/fhir/r4/Patient/$export?_type=Patient", tenant.token());
        String id = status.substring(status.lastIndexOf('/') + 1);
        manifest(status, tenant.token());
        Path directory = server.config.fhirExport().directory().resolve(id);
        assertThat(directory.resolve("Patient-1.ndjson")).exists();
        server.database.dsl().execute("update fhir_export_job set expires_at = now() - interval '1 second' where id = {0}",
                id);
        Instant deadline = Instant.now().plusSeconds(10);
        while (Files.exists(directory) && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        assertThat(directory).doesNotExist();
        FhirApiTest.outcome(get(api, status, tenant.token(), false), 404, "not-found");
    }

    @Test
    void badKickOffsAre400OperationOutcomesNamingTheParameter() throws IOException {
        JsonNode noPrefer = FhirApiTest.outcome(get(api, "/fhir/r4/Patient/$export", tenant.token(), false), 400,
                "invalid");
        assertThat(noPrefer.at("/issue/0/expression/0").asText()).isEqualTo("Prefer");
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("_type=Patient,Medication", "_type");
        bad.put("_type=", "_type");
        bad.put("_outputFormat=application%2Ffhir%2Bjson", "_outputFormat");
        bad.put("_since=yesterday", "_since");
        bad.put("_since=2024-03-01", "_since");
        bad.put("_since=2024-03-01T00:00:00", "_since");
        bad.put("_typeFilter=Observation%3Fcode%3D1", "_typeFilter");
        bad.put("_type=Patient&_type=Observation", "_type");
        for (Map.Entry<String, String> request : bad.entrySet()) {
            JsonNode outcome = FhirApiTest.outcome(get(api, "/fhir/r4/Patient/$export?" + request.getKey(),
                    tenant.token(), true), 400, "invalid");
            assertThat(outcome.at("/issue/0/expression/0").asText()).as(request.getKey()).isEqualTo(request.getValue());
        }
        FhirApiTest.outcome(get(api, "/fhir/r4/Group/not-a-group/$export", tenant.token(), true), 404, "not-found");
        FhirApiTest.outcome(get(api, "/fhir/r4/$export-status/not-a-job", tenant.token(), false), 404, "not-found");
        // Nothing was queued by any of them.
        assertThat(server.database.dsl().fetchCount(org.jooq.impl.DSL.table("fhir_export_job"),
                org.jooq.impl.DSL.condition("organization_id = {0} and request like '%Medication%'",
                        tenant.organizationId()))).isZero();
    }
}
