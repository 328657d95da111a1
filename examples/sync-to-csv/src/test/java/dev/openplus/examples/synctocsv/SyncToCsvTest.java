package dev.openplus.examples.synctocsv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.openplus.client.OpenPlusClient;
import dev.openplus.client.Query;
import dev.openplus.client.model.Action;
import dev.openplus.client.model.CalendarEvent;
import dev.openplus.client.model.Change;
import dev.openplus.client.model.Group;
import dev.openplus.client.model.Patient;
import dev.openplus.client.model.PatientHealthMetric;
import dev.openplus.client.model.PatientPlanSummary;
import dev.openplus.client.model.Resource;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * The sample against the test server, on an organization of its own, copying one group: after the first run and
 * after more changes (a PATCH, a DELETE, a patient moved out of the group, creates) its CSV files hold exactly what
 * the lists answer, and the second run read only the changes made since the first; after the feed was pruned past
 * its cursor, it copies the lists again.
 */
class SyncToCsvTest {
    private static final TestServer SERVER = TestServer.get();
    private static final Fixtures FIXTURES = new Fixtures(SERVER);

    @TempDir
    Path dir;

    @Test
    void theCsvCopyEqualsTheListsAndEachRunReadsOnlyNewChanges() throws Exception {
        String organization = FIXTURES.organization("Sync to CSV");
        Map<String, String> credentials = FIXTURES.client(organization);
        OpenPlusClient client = OpenPlusClient.builder(SERVER.baseUrl)
                .clientCredentials(credentials.get("client_id"), credentials.get("client_secret")).build();
        String synced = client.groups().create(Group.builder().name("Synced").build()).id();
        String elsewhere = client.groups().create(Group.builder().name("Elsewhere").build()).id();
        Patient ada = patient(client, "Lovelace", synced);
        Patient grace = patient(client, "Hopper", synced);
        Patient outside = patient(client, "Outside", elsewhere);
        // A weight action: the patients' weights are results of it too.
        for (Patient patient : List.of(ada, grace)) {
            String plan = client.patientPlanSummaries().list(Query.patient(patient.id())).toList().get(0).id();
            client.actions().create(Action.builder().type(Action.Type.WEIGHT).title("Weigh in")
                    .effectiveFrom(Instant.parse("2024-01-01T00:00:00Z")).plan(PatientPlanSummary.ref(plan)).build());
        }
        client.patientHealthMetrics().createAll(List.of(weight(ada, "70.5"), weight(ada, "70.1"),
                weight(grace, "60.2"), weight(outside, "80.0")));
        CalendarEvent adaCheckIn = client.calendarEvents().create(event(ada, "Ada's check-in"));
        CalendarEvent graceCheckIn = client.calendarEvents().create(event(grace, "Grace's check-in"));

        SyncToCsv.Summary first = new SyncToCsv(client, Query.groups(synced), dir).run();

        assertThat(first.copiedLists()).isTrue();
        assertThat(first.changes()).isNotEmpty();
        Map<String, Map<String, List<String>>> copied = assertCsvEqualsLists(client, synced);
        assertThat(copied.get("patient")).containsOnlyKeys(ada.id(), grace.id());
        assertThat(copied.get("patient_health_metric")).hasSize(3);
        assertThat(copied.get("result")).hasSize(3);
        assertThat(copied.get("calendar_event")).containsOnlyKeys(adaCheckIn.id(), graceCheckIn.id());
        String cursor = Files.readString(dir.resolve("cursor.txt")).trim();
        assertThat(cursor).isEqualTo(first.cursor()).isNotEmpty();

        Patient graceChanged = client.patients().update(grace, grace.toBuilder().lastName("Hopper-Murray").build());
        client.calendarEvents().delete(graceCheckIn.id());
        client.patients().update(ada, ada.toBuilder().groups(List.of(Group.ref(elsewhere))).build());
        Patient katherine = patient(client, "Johnson", synced);
        PatientHealthMetric graceWeight = client.patientHealthMetrics().create(weight(grace, "61.0"));

        SyncToCsv.Summary second = new SyncToCsv(client, Query.groups(synced), dir).run();

        assertThat(second.copiedLists()).isFalse();
        Map<String, Map<String, List<String>>> current = assertCsvEqualsLists(client, synced);
        assertThat(current.get("patient")).containsOnlyKeys(grace.id(), katherine.id());
        assertThat(current.get("patient").get(grace.id())).contains("Hopper-Murray");
        assertThat(current.get("calendar_event")).isEmpty();
        assertThat(current.get("patient_health_metric")).containsKey(graceWeight.id()).hasSize(2);
        // Only what changed since the first run: no change read twice, and each write above is there.
        assertThat(second.changes()).extracting(Change::id)
                .doesNotContainAnyElementsOf(first.changes().stream().map(Change::id).toList());
        assertThat(second.changes()).extracting(change -> change.resourceId() + " " + change.action().wire())
                .contains(graceChanged.id() + " updated", graceCheckIn.id() + " deleted", ada.id() + " removed",
                        adaCheckIn.id() + " removed", katherine.id() + " created", graceWeight.id() + " created");
        assertThat(second.removed()).as("Ada, her 2 weights, their 2 results, her event; Grace's event")
                .isEqualTo(7);
        // The PATCH applied by version: Grace's row holds the version the feed gave.
        assertThat(rows(dir, "patient").get(grace.id()).get(1)).isEqualTo(second.changes().stream()
                .filter(change -> change.resourceId().equals(grace.id())).reduce((a, b) -> b).orElseThrow()
                .version().toString());

        // The command line, with nothing new: reads nothing, changes nothing.
        Map<String, List<String>> before = rows(dir, "patient");
        String printed = runMain("--base-url", SERVER.baseUrl, "--client-id", credentials.get("client_id"),
                "--client-secret", credentials.get("client_secret"), "--groups", synced, "--dir", dir.toString());
        assertThat(printed).startsWith("0 changes read, 0 rows written, 0 removed; cursor ");
        assertThat(rows(dir, "patient")).isEqualTo(before);
        assertCsvEqualsLists(client, synced);

        // The changes after the stored cursor pruned (older than the retention): the lists are copied again.
        client.patients().update(katherine, katherine.toBuilder().lastName("Goble Johnson").build());
        try (Connection connection = SERVER.database.dedicatedConnection();
                PreparedStatement prune = connection.prepareStatement(
                        "select change_prune(?, now() + interval '1 day', 1000)")) {
            prune.setString(1, organization);
            prune.execute();
        }
        SyncToCsv.Summary resynchronised = new SyncToCsv(client, Query.groups(synced), dir).run();
        assertThat(resynchronised.copiedLists()).isTrue();
        assertThat(assertCsvEqualsLists(client, synced).get("patient").get(katherine.id())).contains("Goble Johnson");
    }

    private static Patient patient(OpenPlusClient client, String lastName, String groupId) {
        return client.patients().create(Patient.builder().firstName("Test").lastName(lastName)
                .groups(List.of(Group.ref(groupId))).build());
    }

    private static PatientHealthMetric weight(Patient patient, String kilograms) {
        return PatientHealthMetric.builder().type(PatientHealthMetric.Type.WEIGHT).value(new BigDecimal(kilograms))
                .unit("kg").occurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)).patient(patient.ref()).build();
    }

    private static CalendarEvent event(Patient owner, String title) {
        return CalendarEvent.builder().type(CalendarEvent.Type.REMINDER).title(title)
                .startAt(Instant.parse("2030-01-01T09:00:00Z")).endAt(Instant.parse("2030-01-01T09:30:00Z"))
                .attendees(List.of(new CalendarEvent.Attendee(null, owner.id(), null))).owner(owner.ref()).build();
    }

    /** Each CSV file's rows (id to the columns after the version) equal the list of the group, read now. */
    private Map<String, Map<String, List<String>>> assertCsvEqualsLists(OpenPlusClient client, String groupId)
            throws Exception {
        Query scope = Query.groups(groupId);
        List<String> patientIds = client.patients().list(scope).stream().map(Patient::id).toList();
        Map<String, List<? extends Resource>> lists = Map.of(
                "patient", client.patients().list(scope).toList(),
                "patient_health_metric", client.patientHealthMetrics().list(scope).toList(),
                "calendar_event", client.calendarEvents().list(scope).toList(),
                "result", patientIds.isEmpty() ? List.of()
                        : client.results().list(Query.patient(patientIds.toArray(String[]::new))).toList());
        Map<String, Map<String, List<String>>> all = new TreeMap<>();
        for (SyncToCsv.Table<?> table : SyncToCsv.TABLES) {
            String type = table.kind().type();
            Map<String, List<String>> expected = new TreeMap<>();
            for (Resource resource : lists.get(type)) {
                expected.put(resource.id(), table.values(resource));
            }
            Map<String, List<String>> actual = new TreeMap<>();
            rows(dir, type).forEach((id, row) -> actual.put(id, row.subList(2, row.size())));
            assertThat(actual).as(type + ".csv").isEqualTo(expected);
            assertThat(Csv.read(Files.readString(dir.resolve(type + ".csv"))).get(0)).isEqualTo(table.header());
            all.put(type, actual);
        }
        return all;
    }

    /** A CSV file's rows by id: id, version, columns. */
    private static Map<String, List<String>> rows(Path dir, String type) throws Exception {
        List<List<String>> records = Csv.read(Files.readString(dir.resolve(type + ".csv"), StandardCharsets.UTF_8));
        Map<String, List<String>> rows = new TreeMap<>();
        for (List<String> record : records.subList(1, records.size())) {
            rows.put(record.get(0), new ArrayList<>(record));
        }
        return rows;
    }

    private static String runMain(String... args) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            SyncToCsv.main(args);
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
