package dev.openplus.examples.synctocsv;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.openplus.client.ChangeCursorExpiredException;
import dev.openplus.client.ChangePage;
import dev.openplus.client.OpenPlusClient;
import dev.openplus.client.Query;
import dev.openplus.client.model.CalendarEvent;
import dev.openplus.client.model.Change;
import dev.openplus.client.model.Id;
import dev.openplus.client.model.Patient;
import dev.openplus.client.model.PatientHealthMetric;
import dev.openplus.client.model.Resource;
import dev.openplus.client.model.ResourceKind;
import dev.openplus.client.model.Result;

/**
 * Keeps a local copy of every patient, health metric, result and calendar event of a scope current in CSV files
 * ({@code patient.csv}, ...; each row: id, the version applied, then the columns below), following docs/api.md's
 * sync recipe with the Java client:
 *
 * <ol>
 * <li>The first run (no {@code cursor.txt}) copies the lists (version 0), then follows the change feed from its
 * beginning: every change kept re-applies the resource's current state, so what changed during the copy is not
 * missed.</li>
 * <li>Every run follows the feed from the stored cursor with {@code include=resource}: {@code created} /
 * {@code updated} replace a row when the change's version is higher than the row's; {@code deleted} /
 * {@code removed} (left the scope) remove it.</li>
 * <li>The files, then the cursor, are written when the feed has no newer change. A run stopped before that leaves
 * the old cursor: the next run reads those changes again, and the versions make applying them twice harmless.</li>
 * <li>A cursor older than the server's retention (410, {@link ChangeCursorExpiredException}): start again at 1.</li>
 * </ol>
 *
 * <pre>
 * java ... SyncToCsv --base-url http://127.0.0.1:8080 --client-id ID --client-secret SECRET \
 *     (--organization ORG | --groups G1,G2) --dir ./copy
 * </pre>
 */
public final class SyncToCsv {
    /** The types copied, each to {@code <type>.csv}. */
    static final List<Table<?>> TABLES = List.of(
            new Table<>(Patient.KIND, List.of(
                    column("first_name", Patient::firstName),
                    column("last_name", Patient::lastName),
                    column("birth_date", Patient::birthDate),
                    column("gender", p -> p.gender() == null ? null : p.gender().wire()),
                    column("archived", Patient::archived),
                    column("groups", Patient::groups),
                    column("updated_at", Patient::updatedAt))),
            new Table<>(PatientHealthMetric.KIND, List.of(
                    column("patient", PatientHealthMetric::patient),
                    column("type", m -> m.type() == null ? null : m.type().wire()),
                    column("value", PatientHealthMetric::value),
                    column("unit", PatientHealthMetric::unit),
                    column("occurred_at", PatientHealthMetric::occurredAt),
                    column("updated_at", PatientHealthMetric::updatedAt))),
            new Table<>(Result.KIND, List.of(
                    column("patient", Result::patient),
                    column("action", Result::action),
                    column("metric", Result::metric),
                    column("type", Result::type),
                    column("occurred_at", Result::occurredAt),
                    column("updated_at", Result::updatedAt))),
            new Table<>(CalendarEvent.KIND, List.of(
                    column("owner", CalendarEvent::owner),
                    column("type", e -> e.type() == null ? null : e.type().wire()),
                    column("title", CalendarEvent::title),
                    column("start_at", CalendarEvent::startAt),
                    column("end_at", CalendarEvent::endAt),
                    column("updated_at", CalendarEvent::updatedAt))));

    private static final String CURSOR_FILE = "cursor.txt";
    /** How many patient ids one result list request names ({@code filter[patient]} is the result list's filter). */
    private static final int PATIENTS_PER_REQUEST = 50;

    private final OpenPlusClient client;
    private final Query scope;
    private final Path dir;
    private final Map<String, Map<String, Row>> rows = new LinkedHashMap<>();

    /**
     * @param client the API client
     * @param scope  {@code Query.organization(org)} or {@code Query.groups(...)}: what to copy
     * @param dir    where the CSV files and the cursor are kept
     */
    public SyncToCsv(OpenPlusClient client, Query scope, Path dir) {
        this.client = client;
        this.scope = scope;
        this.dir = dir;
    }

    /** A CSV row: the version applied and the columns' values. */
    record Row(long version, List<String> values) {
    }

    /** A column: its name and how its value is read from the record. */
    record Column<T>(String name, Function<T, Object> value) {
    }

    /** One CSV file: a type and its columns (after id and version). */
    record Table<T extends Resource>(ResourceKind<T> kind, List<Column<T>> columns) {
        String file() {
            return kind.type() + ".csv";
        }

        List<String> header() {
            List<String> header = new ArrayList<>(List.of("id", "version"));
            columns.forEach(column -> header.add(column.name()));
            return header;
        }

        /** The columns' values of a resource of this table's type. */
        List<String> values(Resource resource) {
            T typed = kind.javaClass().cast(resource);
            return columns.stream().map(column -> text(column.value().apply(typed))).toList();
        }
    }

    private static <T> Column<T> column(String name, Function<T, Object> value) {
        return new Column<>(name, value);
    }

    /** A value as CSV text: ids as their id, lists joined with {@code ;}, null as empty. */
    static String text(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Id<?> id) {
            return Objects.toString(id.id(), "");
        }
        if (value instanceof List<?> list) {
            return list.stream().map(SyncToCsv::text).collect(Collectors.joining(";"));
        }
        if (value instanceof java.math.BigDecimal number) {
            return number.toPlainString();
        }
        return value.toString();
    }

    /** What one run did. */
    public record Summary(List<Change> changes, int applied, int removed, boolean copiedLists, String cursor) {
    }

    /**
     * Brings the files up to date.
     *
     * @return what was read and applied
     * @throws IOException when the files cannot be read or written
     */
    public Summary run() throws IOException {
        Files.createDirectories(dir);
        load();
        Path cursorFile = dir.resolve(CURSOR_FILE);
        String cursor = Files.exists(cursorFile) ? Files.readString(cursorFile, StandardCharsets.UTF_8).trim() : null;
        boolean copied = false;
        if (cursor == null) {
            copyLists();
            copied = true;
        }
        Summary summary;
        try {
            summary = follow(cursor, copied);
        } catch (ChangeCursorExpiredException expired) {
            // The changes after the stored cursor were pruned: what they did is unknown. Start again.
            rows.values().forEach(Map::clear);
            copyLists();
            summary = follow(null, true);
        }
        store(summary.cursor());
        return summary;
    }

    private Summary follow(String cursor, boolean copiedLists) {
        String typeNames = TABLES.stream().map(table -> table.kind().type()).collect(Collectors.joining(","));
        Query feed = scope.filter("resource_type", typeNames).include("resource").pageSize(500);
        List<Change> read = new ArrayList<>();
        int applied = 0;
        int removed = 0;
        String next = cursor;
        for (ChangePage page : client.changes(feed).follow(cursor)) {
            for (Change change : page.changes()) {
                read.add(change);
                Map<String, Row> table = rows.get(change.resourceTypeAttribute().wire());
                if (table == null) {
                    continue; // a type this job does not copy
                }
                switch (change.action()) {
                    case CREATED, UPDATED -> {
                        Row held = table.get(change.resourceId());
                        if (held != null && held.version() >= change.version()) {
                            continue;
                        }
                        // No included state: the resource was deleted or left the scope since; that change follows.
                        Resource current = page.resource(change).orElse(null);
                        if (current != null) {
                            table.put(change.resourceId(), new Row(change.version(), table(current).values(current)));
                            applied++;
                        }
                    }
                    case DELETED, REMOVED -> {
                        if (table.remove(change.resourceId()) != null) {
                            removed++;
                        }
                    }
                    default -> {
                        // UNKNOWN: an action of a newer server; this job does not know what it means.
                    }
                }
            }
            next = page.next();
        }
        return new Summary(read, applied, removed, copiedLists, next);
    }

    private Table<?> table(Resource resource) {
        return TABLES.stream().filter(table -> table.kind().type().equals(resource.resourceType())).findFirst()
                .orElseThrow();
    }

    /** The lists of the scope, as rows of version 0 (every change the feed still holds is newer). */
    private void copyLists() {
        List<String> patientIds = new ArrayList<>();
        for (Patient patient : client.patients().list(scope.pageSize(500))) {
            patientIds.add(patient.id());
            put(patient);
        }
        client.patientHealthMetrics().list(scope.pageSize(500)).forEach(this::put);
        client.calendarEvents().list(scope.pageSize(500)).forEach(this::put);
        for (int start = 0; start < patientIds.size(); start += PATIENTS_PER_REQUEST) {
            List<String> chunk = patientIds.subList(start, Math.min(patientIds.size(), start + PATIENTS_PER_REQUEST));
            client.results().list(Query.patient(chunk.toArray(String[]::new)).pageSize(500)).forEach(this::put);
        }
    }

    private void put(Resource resource) {
        rows.get(resource.resourceType()).put(resource.id(), new Row(0, table(resource).values(resource)));
    }

    private void load() throws IOException {
        rows.clear();
        for (Table<?> table : TABLES) {
            Map<String, Row> loaded = new TreeMap<>();
            Path file = dir.resolve(table.file());
            if (Files.exists(file)) {
                List<List<String>> records = Csv.read(Files.readString(file, StandardCharsets.UTF_8));
                for (List<String> record : records.subList(1, records.size())) {
                    loaded.put(record.get(0), new Row(Long.parseLong(record.get(1)), record.subList(2, record.size())));
                }
            }
            rows.put(table.kind().type(), loaded);
        }
    }

    /** The files first, the cursor last (each replaced whole, never half written). */
    private void store(String cursor) throws IOException {
        for (Table<?> table : TABLES) {
            List<List<String>> records = new ArrayList<>();
            records.add(table.header());
            new TreeMap<>(rows.get(table.kind().type())).forEach((id, row) -> {
                List<String> record = new ArrayList<>(List.of(id, Long.toString(row.version())));
                record.addAll(row.values());
                records.add(record);
            });
            replace(dir.resolve(table.file()), Csv.write(records));
        }
        if (cursor != null) {
            replace(dir.resolve(CURSOR_FILE), cursor + "\n");
        }
    }

    private static void replace(Path file, String text) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, text, StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Runs once: {@code --base-url URL --client-id ID --client-secret SECRET (--organization ORG | --groups G1,G2)
     * --dir DIR}.
     *
     * @param args the arguments
     * @throws IOException when the files cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + Arrays.toString(args));
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        for (String required : List.of("base-url", "client-id", "client-secret", "dir", "organization or groups")) {
            boolean given = required.equals("organization or groups")
                    ? options.containsKey("organization") != options.containsKey("groups")
                    : options.containsKey(required);
            if (!given) {
                System.err.println((required.contains(" or ") ? "give one of --organization and --groups"
                        : "missing --" + required) + "; usage: --base-url URL "
                        + "--client-id ID --client-secret SECRET (--organization ORG | --groups G1,G2) --dir DIR");
                System.exit(2);
            }
        }
        Query scope = options.containsKey("groups") ? Query.groups(options.get("groups").split(","))
                : Query.organization(options.get("organization"));
        OpenPlusClient client = OpenPlusClient.builder(options.get("base-url"))
                .clientCredentials(options.get("client-id"), options.get("client-secret")).build();
        Summary summary = new SyncToCsv(client, scope, Path.of(options.get("dir"))).run();
        System.out.println((summary.copiedLists() ? "copied the lists; " : "") + summary.changes().size()
                + " changes read, " + summary.applied() + " rows written, " + summary.removed() + " removed; cursor "
                + summary.cursor());
    }
}
