package dev.openplus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.Application;
import dev.openplus.config.Config;
import dev.openplus.db.Database;
import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * {@code admin backup} / {@code admin restore} through the CLI entry point: a backup taken while clients write
 * through the API restores to exactly one instant of the source, into a new database or a new data directory;
 * every file a user can get wrong is refused in one line, with the target left empty.
 */
class BackupRestoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern MARKER = Pattern.compile("w(\\d+)-(\\d+)-([ab])");
    private static final int WRITERS = 3;
    private static TestServer server;
    private static Fixtures fixtures;
    private static Api api;
    private static Path workDir;

    @BeforeAll
    static void setUp() throws IOException {
        server = TestServer.get();
        fixtures = new Fixtures(server);
        api = server.api();
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "backups-");
    }

    /**
     * Writers that each create two patients (of one group) per request, numbered in order, until stopped:
     * a consistent backup holds, per writer, both patients of requests 0…k-1 and nothing of the rest.
     */
    private static final class Writers implements AutoCloseable {
        final AtomicIntegerArray committed = new AtomicIntegerArray(WRITERS);
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<String> failure = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();

        Writers(Fixtures.Tenant tenant, String groupId) {
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                Thread thread = new Thread(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        List<Object> patients = new ArrayList<>();
                        for (String half : new String[] {"a", "b"}) {
                            patients.add(Map.of("type", "patient",
                                    "attributes", Map.of("first_name", "w" + writer + "-" + i + "-" + half, "last_name", "Writer"),
                                    "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", groupId))))));
                        }
                        Api.Response response = api.post("/pub/patient", tenant.token(), Api.json(Map.of("data", patients)));
                        if (response.status() != 201) {
                            failure.compareAndSet(null, response.status() + " " + response.body());
                            return;
                        }
                        committed.incrementAndGet(writer);
                    }
                }, "backup-writer-" + w);
                thread.start();
                threads.add(thread);
            }
        }

        /** Waits until every writer has committed {@code more} more requests than it had. */
        void awaitMore(int more) throws InterruptedException {
            int[] start = new int[WRITERS];
            for (int w = 0; w < WRITERS; w++) {
                start[w] = committed.get(w);
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            for (int w = 0; w < WRITERS; w++) {
                while (committed.get(w) < start[w] + more) {
                    assertThat(failure.get()).isNull();
                    assertThat(System.nanoTime()).as("writers stalled").isLessThan(deadline);
                    Thread.sleep(5);
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(failure.get()).isNull();
        }
    }

    @Test
    void backupUnderWritesRestoresExactlyTheSnapshotItWasTakenIn() throws Exception {
        Fixtures.Tenant tenant = fixtures.tenant("Backup Snapshot Org");
        String groupId = fixtures.apiGroup(tenant, "Writers");
        Path file = workDir.resolve("snapshot.backup");
        Map<String, List<String>> atSnapshot;
        JsonNode backup;
        try (Writers writers = new Writers(tenant, groupId);
                Connection snapshot = server.database.dedicatedConnection()) {
            writers.awaitMore(2);
            // The test's own transaction exports its snapshot, and the backup reads in it: what the file holds
            // can then be compared with what this transaction sees, table by table, while the writers go on.
            snapshot.setAutoCommit(false);
            String snapshotId;
            try (Statement statement = snapshot.createStatement()) {
                statement.execute("set transaction isolation level repeatable read, read only");
                try (ResultSet r = statement.executeQuery("select pg_export_snapshot()")) {
                    r.next();
                    snapshotId = r.getString(1);
                }
            }
            writers.awaitMore(1);
            Fixtures.CliResult result = fixtures.cli("admin", "backup", "--to", file.toString(), "--snapshot", snapshotId, "--json");
            assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
            backup = result.json();
            writers.awaitMore(2);
            atSnapshot = dump(snapshot, tableNames(backup.get("tables")));
            snapshot.rollback();
        }
        assertThat(backup.get("file").asText()).isEqualTo(file.toString());
        assertThat(backup.get("schema_version").asText()).matches("\\d+");
        assertThat(backup.get("sha256").asText()).matches("[0-9a-f]{64}");
        assertThat(backup.get("bytes").asLong()).isEqualTo(Files.size(file));
        assertThat(tableNames(backup.get("tables"))).contains("organization", "patient", "patient_group_member", "api_client",
                "oauth_token", "kept_count", "health_question_definition").doesNotContain("flyway_schema_history");
        // Every table after the tables it references: the order a restore loads them in.
        List<String> order = tableNames(backup.get("tables"));
        assertThat(order.indexOf("organization")).isLessThan(order.indexOf("patient"));
        assertThat(order.indexOf("patient")).isLessThan(order.indexOf("patient_group_member"));
        assertThat(order.indexOf("api_client")).isLessThan(order.indexOf("oauth_token"));
        // The file is for the operator only: it holds every organization's data.
        assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

        Config target = newDatabase("restore_snapshot");
        Fixtures.CliResult restore = new Fixtures(target, api).cli("admin", "restore", "--from", file.toString(), "--json");
        assertThat(restore.exitCode()).as(restore.out() + restore.err()).isZero();
        assertThat(restore.json().get("backup_schema_version").asText()).isEqualTo(backup.get("schema_version").asText());
        assertThat(restore.json().get("schema_version").asText()).isEqualTo(backup.get("schema_version").asText());
        assertThat(restore.json().get("sha256")).isEqualTo(backup.get("sha256"));
        // The test server's probe tables are not the migrations': checked in the file, but not restored.
        List<String> skipped = tableNames(restore.json().get("skipped"));
        assertThat(skipped).contains("engine_probe").allMatch(table -> table.startsWith("engine_"));
        List<String> restoredTables = tableNames(restore.json().get("tables"));
        assertThat(restoredTables).hasSize(order.size() - skipped.size()).noneMatch(table -> table.startsWith("engine_"));
        restoredTables.forEach(table -> assertThat(restore.json().get("tables").get(table)).isEqualTo(backup.get("tables").get(table)));

        Map<String, List<String>> restored;
        try (Connection connection = java.sql.DriverManager.getConnection(target.databaseUrl(), "postgres", null)) {
            restored = dump(connection, restoredTables);
        }
        for (String table : restoredTables) {
            assertThat(restored.get(table)).as(table).isEqualTo(atSnapshot.get(table));
            assertThat((long) restored.get(table).size()).as(table).isEqualTo(backup.get("tables").get(table).asLong());
        }
        // The snapshot fell among the writes: some of each writer's requests before it, some after.
        int[] before = writerPrefixes(restored.get("patient"), tenant.organizationId());
        int[] now;
        try (Connection source = server.database.dedicatedConnection()) {
            now = writerPrefixes(dump(source, List.of("patient")).get("patient"), tenant.organizationId());
        }
        for (int w = 0; w < WRITERS; w++) {
            assertThat(before[w]).as("writer " + w).isGreaterThanOrEqualTo(2).isLessThan(now[w]);
        }
    }

    @Test
    void backupWhileTheServerRunsRestoresIntoANewDataDirectoryAndServesTheSameData() throws Exception {
        Fixtures.Tenant tenant = fixtures.tenant("Backup Data Directory Org");
        String groupId = fixtures.apiGroup(tenant, "Writers");
        Path file = workDir.resolve("online.backup");
        JsonNode backup;
        try (Writers writers = new Writers(tenant, groupId)) {
            writers.awaitMore(2);
            Fixtures.CliResult result = fixtures.cli("admin", "backup", "--to", file.toString());
            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(result.out()).matches("backed up \\d+ rows of \\d+ tables \\(schema version \\d+\\) to "
                    + Pattern.quote(file.toString()) + ", \\d+ bytes, sha256 [0-9a-f]{64}");
            writers.awaitMore(2);
        }

        Path dataDir = TestServer.shortDataDir("restored-");
        Config config = Config.fromMap(Map.of("OPENPLUS_DATA_DIR", dataDir.toString(), "OPENPLUS_PORT", "0"));
        try {
            Fixtures.CliResult restore = new Fixtures(config, api).cli("admin", "restore", "--from", file.toString());
            assertThat(restore.exitCode()).as(restore.err()).isZero();
            assertThat(restore.out().lines().findFirst().orElseThrow()).startsWith("restored ")
                    .endsWith(" into the data directory " + dataDir);

            try (Database database = Database.open(config, true); Application application = Application.start(config, database)) {
                Api restoredApi = new Api("http://127.0.0.1:" + application.port());
                // The client's secret (kept as a hash) works on the restored server.
                String token = new Fixtures(config, restoredApi).token(tenant.client());
                List<String> names = new ArrayList<>();
                try (Connection connection = database.dedicatedConnection();
                        Statement statement = connection.createStatement();
                        ResultSet r = statement.executeQuery("select first_name from patient where organization_id = '"
                                + tenant.organizationId() + "'")) {
                    while (r.next()) {
                        names.add(r.getString(1));
                    }
                }
                int[] prefixes = writerPrefixes(names.stream().map(name -> tenant.organizationId() + "\t" + name + "\t").toList(),
                        tenant.organizationId());
                assertThat(Arrays.stream(prefixes).sum() * 2).isEqualTo(names.size());
                for (int prefix : prefixes) {
                    assertThat(prefix).isGreaterThanOrEqualTo(2);
                }
                // The kept count (maintained by triggers in the source) matches the restored rows: every table
                // was read at the same instant, and the load did not count the rows again.
                for (String filter : List.of("filter[organization]=" + tenant.organizationId(), "filter[groups]=" + groupId)) {
                    Api.Response page = restoredApi.get("/pub/patient?page[size]=0&" + filter, token);
                    assertThat(page.status()).as(page.body()).isEqualTo(200);
                    assertThat(page.at("/meta/count").asInt()).as(filter).isEqualTo(names.size());
                }
            }
        } finally {
            TestServer.removeLink(dataDir);
        }
    }

    @Test
    void aDamagedFileIsRefusedAndTheTargetStaysEmpty() throws Exception {
        Path good = smallBackup("damaged_source");
        byte[] bytes = Files.readAllBytes(good);

        Path flipped = workDir.resolve("flipped.backup");
        byte[] copy = bytes.clone();
        copy[copy.length / 2] ^= 0x01;
        Files.write(flipped, copy);
        assertRefused(flipped, "damaged_flipped", "^" + Pattern.quote(flipped.toString())
                + " (is damaged \\(.+\\)|fails its SHA-256 checksum.*)$");

        // A change the gzip layer cannot see (the content re-compressed): only the checksum finds it.
        Path tampered = workDir.resolve("tampered.backup");
        byte[] content = gunzip(bytes);
        int row = indexOf(content, "In a usual week".getBytes(StandardCharsets.UTF_8));
        assertThat(row).isPositive();
        content[row] = 'w';
        Files.write(tampered, gzip(content));
        assertRefused(tampered, "damaged_tampered", "^" + Pattern.quote(tampered.toString())
                + " fails its SHA-256 checksum: it was changed or damaged after it was written$");

        Path truncated = workDir.resolve("truncated.backup");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 40));
        assertRefused(truncated, "damaged_truncated", "^" + Pattern.quote(truncated.toString())
                + " is truncated: it ends before its checksum$");

        Path text = workDir.resolve("notes.txt");
        Files.writeString(text, "not a backup\n");
        assertRefused(text, "damaged_text", "^" + Pattern.quote(text.toString()) + " is not an OpenPlus backup \\(not a gzip file\\)$");

        Path missing = workDir.resolve("missing.backup");
        assertRefused(missing, "damaged_missing", "^no such file: " + Pattern.quote(missing.toString()) + "$");

        // Text output: one line on stderr, nothing on stdout, exit code 1.
        Fixtures.CliResult plain = new Fixtures(newDatabase("damaged_plain"), api).cli("admin", "restore", "--from", tampered.toString());
        assertThat(plain.exitCode()).isEqualTo(1);
        assertThat(plain.out()).isEmpty();
        assertThat(plain.err()).isEqualTo("openplus admin: " + tampered + " fails its SHA-256 checksum: it was changed "
                + "or damaged after it was written");
    }

    @Test
    void aBackupOfANewerSchemaIsRefused() throws Exception {
        byte[] content = gunzip(Files.readAllBytes(smallBackup("newer_source")));
        // Rewrite the header's schema version, with a checksum that matches: a genuine file of a later build.
        ByteBuffer buffer = ByteBuffer.wrap(content);
        int headerStart = 16 + 4;
        int headerLength = buffer.getInt(headerStart);
        ObjectNode header = (ObjectNode) JSON.readTree(Arrays.copyOfRange(content, headerStart + 4, headerStart + 4 + headerLength));
        header.put("schema_version", "9999");
        byte[] newHeader = JSON.writeValueAsBytes(header);
        ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
        rewritten.write(content, 0, headerStart);
        rewritten.write(ByteBuffer.allocate(4).putInt(newHeader.length).array());
        rewritten.write(newHeader);
        rewritten.write(content, headerStart + 4 + headerLength, content.length - 32 - (headerStart + 4 + headerLength));
        byte[] body = rewritten.toByteArray();
        rewritten.write(MessageDigest.getInstance("SHA-256").digest(body));
        Path newer = workDir.resolve("newer.backup");
        Files.write(newer, gzip(rewritten.toByteArray()));

        assertRefused(newer, "newer_target", "^" + Pattern.quote(newer.toString()) + " holds schema version 9999, newer "
                + "than this build knows \\(\\d+\\); restore it with the OpenPlus that wrote it, or a later one$");
    }

    @Test
    void aTargetThatIsNotEmptyIsRefused() throws Exception {
        Path good = smallBackup("nonempty_source");
        // The running server's own data directory (embedded, joined) and a database with the schema (external).
        Fixtures.CliResult embedded = fixtures.cli("admin", "restore", "--from", good.toString(), "--json");
        assertThat(embedded.exitCode()).isEqualTo(1);
        assertThat(embedded.json().get("error").asText()).matches("the data directory " + Pattern.quote(
                server.config.dataDir().toString()) + " is not empty \\(\\d+ tables or sequences\\); restore into a new "
                + "OPENPLUS_DATA_DIR or an empty database");
        assertThat(embedded.err()).isEmpty();

        Config external = newDatabase("nonempty_target");
        try (Database migrated = Database.open(external, false)) {
            assertThat(migrated.reachable()).isTrue();
        }
        Fixtures.CliResult refused = new Fixtures(external, api).cli("admin", "restore", "--from", good.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).matches("openplus admin: the database of OPENPLUS_DATABASE_URL is not empty \\(\\d+ "
                + "tables or sequences\\); restore into a new OPENPLUS_DATA_DIR or an empty database");
        // The empty schema the migrations made is still empty: nothing was loaded.
        try (Connection connection = java.sql.DriverManager.getConnection(external.databaseUrl(), "postgres", null);
                Statement statement = connection.createStatement();
                ResultSet r = statement.executeQuery("select count(*) from organization")) {
            r.next();
            assertThat(r.getInt(1)).isZero();
        }
    }

    @Test
    void tablesAndSequencesNoMigrationCreatesAreCheckedButNotRestored() throws Exception {
        Config source = newDatabase("own_source");
        try (Database migrated = Database.open(source, false);
                Connection connection = migrated.dedicatedConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("create sequence operator_note_seq start 40");
            statement.execute("create table operator_note (id bigint primary key default nextval('operator_note_seq'), "
                    + "organization_id char(24) references organization (id), note text)");
            statement.execute("insert into operator_note (note) values ('first'), (E'line\\none\nline two')");
        }
        Path file = workDir.resolve("own.backup");
        Fixtures.CliResult backup = new Fixtures(source, api).cli("admin", "backup", "--to", file.toString(), "--json");
        assertThat(backup.exitCode()).as(backup.out()).isZero();
        List<String> order = tableNames(backup.json().get("tables"));
        assertThat(order.indexOf("organization")).isLessThan(order.indexOf("operator_note"));
        assertThat(backup.json().get("tables").get("operator_note").asLong()).isEqualTo(2);

        Config target = newDatabase("own_target");
        Fixtures.CliResult restore = new Fixtures(target, api).cli("admin", "restore", "--from", file.toString(), "--json");
        assertThat(restore.exitCode()).as(restore.out()).isZero();
        assertThat(restore.json().get("skipped").toString()).isEqualTo("{\"operator_note\":2}");
        assertThat(restore.json().get("skipped_sequences").toString()).isEqualTo("[\"operator_note_seq\"]");
        assertThat(restore.json().get("tables").has("operator_note")).isFalse();
        assertThat(restore.json().get("tables").get("health_question_definition"))
                .isEqualTo(backup.json().get("tables").get("health_question_definition"));
        Fixtures.CliResult text = new Fixtures(newDatabase("own_text"), api).cli("admin", "restore", "--from", file.toString());
        assertThat(text.exitCode()).isZero();
        assertThat(text.out().lines().toList()).hasSize(2);
        assertThat(text.out().lines().toList().get(1)).isEqualTo("skipped what OpenPlus's migrations do not create: "
                + "tables (rows) {operator_note=2}, sequences [operator_note_seq]");
    }

    @Test
    void backupRefusesToOverwriteAFile() throws Exception {
        Path existing = workDir.resolve("existing.backup");
        Files.writeString(existing, "keep me");
        Fixtures.CliResult result = fixtures.cli("admin", "backup", "--to", existing.toString(), "--json");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEqualTo("{\"error\":\"" + existing + " already exists; choose another name "
                + "(a backup never overwrites a file)\"}");
        assertThat(Files.readString(existing)).isEqualTo("keep me");

        Path noDirectory = workDir.resolve("no-such-dir/x.backup");
        Fixtures.CliResult nowhere = fixtures.cli("admin", "backup", "--to", noDirectory.toString());
        assertThat(nowhere.exitCode()).isEqualTo(1);
        assertThat(nowhere.err()).isEqualTo("openplus admin: cannot write " + noDirectory + ": its directory does not exist");
    }

    /** Restoring the file into a new database fails with exit code 1 and one JSON error; the database stays empty. */
    private static void assertRefused(Path file, String targetName, String messagePattern) throws SQLException, IOException {
        Config target = newDatabase(targetName);
        Fixtures.CliResult result = new Fixtures(target, api).cli("admin", "restore", "--from", file.toString(), "--json");
        assertThat(result.exitCode()).as(result.out()).isEqualTo(1);
        assertThat(result.err()).isEmpty();
        assertThat(result.json().size()).isEqualTo(1);
        assertThat(result.json().get("error").asText()).matches(messagePattern);
        try (Connection connection = java.sql.DriverManager.getConnection(target.databaseUrl(), "postgres", null);
                Statement statement = connection.createStatement();
                ResultSet r = statement.executeQuery("select count(*) from pg_class where relnamespace = 'public'::regnamespace")) {
            r.next();
            assertThat(r.getInt(1)).as("relations in the target").isZero();
        }
    }

    /** A backup of a database that holds only what the migrations put in: small and quick. */
    private static Path smallBackup(String databaseName) throws SQLException, IOException {
        Config source = newDatabase(databaseName);
        Path file = workDir.resolve(databaseName + ".backup");
        Fixtures.CliResult result = new Fixtures(source, api).cli("admin", "backup", "--to", file.toString(), "--json");
        assertThat(result.exitCode()).as(result.out()).isZero();
        assertThat(result.json().get("tables").get("health_question_definition").asLong()).isPositive();
        return file;
    }

    /** A new, empty database on the test run's PostgreSQL, reached as an external database. */
    private static Config newDatabase(String name) throws SQLException, IOException {
        try (Connection connection = server.database.dedicatedConnection(); Statement statement = connection.createStatement()) {
            statement.execute("create database " + name);
        }
        Path unusedDataDir = Files.createTempDirectory(workDir, "unused-");
        return Config.fromMap(Map.of("OPENPLUS_DATABASE_URL", server.jdbcUrl(name), "OPENPLUS_DATABASE_USER", "postgres",
                "OPENPLUS_DATA_DIR", unusedDataDir.toString(), "OPENPLUS_PORT", "0"));
    }

    /** The names of an object's fields: the tables of a {"tables": {name: rows}} answer, in the file's order. */
    private static List<String> tableNames(JsonNode tables) {
        List<String> names = new ArrayList<>();
        tables.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Every row of each table as COPY text, sorted: two databases hold the same rows when these are equal. */
    private static Map<String, List<String>> dump(Connection connection, List<String> tables) throws SQLException, IOException {
        Map<String, List<String>> dump = new LinkedHashMap<>();
        for (String table : tables) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            connection.unwrap(PGConnection.class).getCopyAPI().copyOut("copy (select * from \"" + table + "\") to stdout", out);
            List<String> rows = new ArrayList<>(out.toString(StandardCharsets.UTF_8).lines().toList());
            rows.sort(null);
            dump.put(table, rows);
        }
        return dump;
    }

    /**
     * For patient rows (COPY text) of the writers' organization: per writer, how many of its requests are there. Fails unless
     * they are requests 0…k-1, each with both of its patients (no request partly there, none skipped).
     */
    private static int[] writerPrefixes(List<String> patientRows, String organizationId) {
        Map<Integer, Map<Integer, Set<String>>> seen = new HashMap<>();
        for (String row : patientRows) {
            if (!row.contains(organizationId)) {
                continue;
            }
            Matcher matcher = MARKER.matcher(row);
            if (matcher.find() && row.substring(matcher.end()).startsWith("\t")) {
                seen.computeIfAbsent(Integer.parseInt(matcher.group(1)), k -> new HashMap<>())
                        .computeIfAbsent(Integer.parseInt(matcher.group(2)), k -> new HashSet<>()).add(matcher.group(3));
            }
        }
        int[] prefixes = new int[WRITERS];
        for (int w = 0; w < WRITERS; w++) {
            Map<Integer, Set<String>> requests = seen.getOrDefault(w, Map.of());
            for (int i = 0; i < requests.size(); i++) {
                assertThat(requests.get(i)).as("writer " + w + " request " + i + " of " + requests.keySet())
                        .isEqualTo(Set.of("a", "b"));
            }
            prefixes[w] = requests.size();
        }
        return prefixes;
    }

    private static byte[] gunzip(byte[] bytes) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        }
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
