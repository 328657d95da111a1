package dev.openplus.jsonapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.openplus.Application;
import dev.openplus.cli.DemoData;
import dev.openplus.config.Config;
import dev.openplus.db.Database;
import dev.openplus.support.TestServer;

/**
 * Every statement that reads rows by id reaches them through the primary key (or a unique index that leads with
 * the id), whatever the data's shape and whether PostgreSQL runs it with a generic or a custom plan, and reads a
 * number of rows and pages proportional to the ids asked, not to the organization.
 *
 * <p>The shapes live in a database of their own on the test run's PostgreSQL, so their statistics touch no other
 * test: the demo data, each of its tables copied 200 times over, so that every type's table has rows; one
 * organization of 100 000 patients in one group (no coach, one group: the shape on which the batched
 * statement walked the organization's {@code (organization_id, archived, id)} index), a thousand organizations of
 * 40 patients, and an organization whose 20 000 patients are all archived. The patient statements are explained
 * on each shape with real ids; every type's on its copied demo rows with sequential scans off (a table of a few
 * pages is rightly read whole), which asks which index the planner takes for the condition it is given.
 */
class FetchPlanShapesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DATABASE = "fetch_plan_shapes";
    private static final int[] BATCH_SIZES = {1, 2, 3, 5, 8, 16, 33, 64};

    static Database shapes;
    static Connection connection;
    static DSLContext dsl;
    static final ResourceRepository REPOSITORY = new ResourceRepository(Application.registry());

    /** An organization of the shapes, with its patients' ids and its one group. */
    record Shape(String name, String organization, String group, List<String> patients) {
    }

    static final List<Shape> SHAPES = new ArrayList<>();

    /** A group-scoped caller of the shapes' database. */
    record GroupCaller(String organizationId, Set<String> groupIds) implements Caller {
        @Override
        public boolean groupScoped() {
            return true;
        }

        @Override
        public String actorId() {
            return null;
        }
    }

    @BeforeAll
    static void setUp() throws Exception {
        TestServer server = TestServer.get();
        String url;
        try (Connection shared = server.database.dedicatedConnection(); Statement statement = shared.createStatement()) {
            statement.execute("drop database if exists " + DATABASE);
            statement.execute("create database " + DATABASE);
            url = shared.getMetaData().getURL().replaceFirst("/postgres(\\?|$)", "/" + DATABASE + "$1");
        }
        Path unusedDataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "plan-shapes-");
        shapes = Database.open(Config.fromMap(Map.of("OPENPLUS_DATABASE_URL", url, "OPENPLUS_DATABASE_USER", "postgres",
                "OPENPLUS_DATA_DIR", unusedDataDir.toString())), false);
        // Every type's table holds rows: the demo data, cloned (see cloneRows).
        try (Application demo = Application.start(Config.fromMap(Map.of("OPENPLUS_DATABASE_URL", url,
                "OPENPLUS_DATABASE_USER", "postgres", "OPENPLUS_DATA_DIR", unusedDataDir.toString(),
                "OPENPLUS_PORT", "0")), shapes)) {
            DemoData.seed(shapes, demo.writer(), "http://127.0.0.1", new PrintStream(OutputStream.nullOutputStream()));
        }
        connection = DriverManager.getConnection(url, "postgres", null);
        dsl = DSL.using(connection, SQLDialect.POSTGRES);
        try (Statement statement = connection.createStatement()) {
            cloneRows(statement, 200);
            seed(statement, "big", 'a', 1, 100_000, false);
            seed(statement, "small", 'b', 1000, 40, false);
            seed(statement, "archived", 'c', 1, 20_000, true);
            statement.execute("vacuum analyze");
        }
    }

    /**
     * Each type's table {@code times} times over: every row again with its 24-character ids (its own and those it
     * refers to) changed in the same way for each copy, and a whole-number id moved past the originals, so the
     * copies hold together as the originals do (a unique text, such as an email's external id, gets the copy's
     * number). Foreign keys and triggers are off while copying
     * ({@code session_replication_role}); the rows are there to give each table a size that makes the planner
     * choose between its indexes by cost, not by a tie on an empty table.
     */
    private static void cloneRows(Statement statement, int times) throws Exception {
        statement.execute("set session_replication_role = replica");
        Set<String> tables = new java.util.LinkedHashSet<>();
        for (ResourceType type : Application.registry().types()) {
            tables.add(readTable(type));
        }
        for (String table : tables) {
            Set<String> unique = new HashSet<>();
            try (ResultSet rows = statement.executeQuery("select a.attname from pg_index i join pg_attribute a"
                    + " on a.attrelid = i.indrelid and a.attnum = any(i.indkey) where i.indisunique and i.indrelid = '"
                    + table + "'::regclass")) {
                while (rows.next()) {
                    unique.add('"' + rows.getString(1) + '"');
                }
            }
            List<String> columns = new ArrayList<>();
            List<String> values = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery("select column_name, data_type, character_maximum_length"
                    + " from information_schema.columns where table_schema = 'public' and table_name = '" + table
                    + "' and is_generated = 'NEVER' order by ordinal_position")) {
                while (rows.next()) {
                    String column = '"' + rows.getString(1) + '"';
                    columns.add(column);
                    if ("character".equals(rows.getString(2)) && rows.getInt(3) == 24) {
                        values.add("overlay(" + column + " placing lpad(to_hex(copy), 6, '0') from 13)");
                    } else if ("text".equals(rows.getString(2)) && unique.contains(column) && !"\"id\"".equals(column)) {
                        values.add(column + " || '.' || copy");
                    } else if ("\"id\"".equals(column)) {
                        // The question catalogue's whole-number ids (in text, at most 65 535; the catalogue has fewer than 300).
                        values.add("(" + column + "::bigint + copy * 300)::" + rows.getString(2));
                    } else {
                        values.add(column);
                    }
                }
            }
            statement.execute("insert into " + table + " (" + String.join(", ", columns) + ") select "
                    + String.join(", ", values) + " from " + table + ", generate_series(1, " + times + ") copy");
        }
        statement.execute("reset session_replication_role");
    }

    /**
     * {@code organizations} organizations of {@code patients} patients each, every patient in its organization's
     * one group; ids start with the shape's letter, so the shapes never share one.
     */
    private static void seed(Statement statement, String name, char letter, int organizations, int patients,
            boolean archived) throws Exception {
        String org = "'" + letter + "0' || lpad(to_hex(o), 22, '0')";
        String group = "'" + letter + "1' || lpad(to_hex(o), 22, '0')";
        String patient = "'" + letter + "2' || lpad(to_hex(o * " + patients + " + p), 22, '0')";
        statement.execute("insert into organization (id, name) select " + org + ", 'Shape " + name
                + " ' || o from generate_series(1, " + organizations + ") o");
        statement.execute("insert into patient_group (id, organization_id, name) select " + group + ", " + org
                + ", 'Group' from generate_series(1, " + organizations + ") o");
        statement.execute("insert into patient (id, organization_id, first_name, last_name, archived) select "
                + patient + ", " + org + ", 'First', 'Last ' || p, " + archived + " from generate_series(1, "
                + organizations + ") o, generate_series(1, " + patients + ") p");
        statement.execute("insert into patient_group_member (patient_id, group_id, organization_id) select " + patient
                + ", " + group + ", " + org + " from generate_series(1, " + organizations + ") o, generate_series(1, "
                + patients + ") p");
        // The shape's first organization; its patients spread over the whole range of its ids.
        String first = letter + "0" + String.format("%022x", 1);
        List<String> ids = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery("select id from patient where organization_id = '" + first
                + "' order by id")) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        }
        List<String> spread = new ArrayList<>();
        int count = Math.min(64, ids.size());
        for (int i = 0; i < count; i++) {
            spread.add(ids.get((int) ((long) i * (ids.size() - 1) / Math.max(1, count - 1))));
        }
        SHAPES.add(new Shape(name, first, letter + "1" + String.format("%022x", 1), spread));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (connection != null) {
            connection.close();
        }
        if (shapes != null) {
            shapes.close();
        }
        try (Connection shared = TestServer.get().database.dedicatedConnection();
                Statement statement = shared.createStatement()) {
            statement.execute("drop database if exists " + DATABASE);
        }
    }

    @Test
    void patientsAreReadThroughThePrimaryKeyOnEveryShape() throws Exception {
        for (Shape shape : SHAPES) {
            assertThat(shape.patients()).as(shape.name()).doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(40);
            for (Caller caller : List.of(Caller.operator(shape.organization()),
                    new GroupCaller(shape.organization(), Set.of(shape.group())))) {
                String label = shape.name() + (caller.groupScoped() ? ", group-scoped" : "");
                ResourceType patient = Application.registry().get("patient");
                explainEachPlan(label + ", one id", patient, REPOSITORY.fetchStatement(dsl, patient, caller,
                        shape.patients().get(17)), 1, true);
                for (int size : BATCH_SIZES) {
                    if (size > shape.patients().size()) {
                        continue;
                    }
                    List<String> ids = shape.patients().subList(0, size);
                    explainEachPlan(label + ", " + size + " ids", patient,
                            REPOSITORY.fetchStatement(dsl, patient, caller, ids), size, true);
                }
                // An include or a write's answer reads its rows by id too (a statement of its own, not prepared).
                String sql = dsl.renderInlined(dsl.select(DSL.asterisk()).from(patient.rowsWithIds(shape.patients()))
                        .where(patient.scope(caller)));
                JsonNode plan = explain(sql);
                assertReadThroughId(label + ", fetchAll", patient, plan, shape.patients().size(), true);
            }
        }
    }

    @Test
    void everyTypeReadsByIdThroughAnIndexLeadingWithTheId() throws Exception {
        String organization = SHAPES.get(0).organization();
        Caller[] callers = {Caller.operator(organization), new GroupCaller(organization, Set.of(SHAPES.get(0).group()))};
        try (Statement statement = connection.createStatement()) {
            // The other types' tables are small here, and a small table is rightly read whole; with sequential
            // scans off, the plan says which index PostgreSQL would take for the condition it was given.
            statement.execute("set enable_seqscan = off");
            try {
                int checked = 0;
                for (ResourceType type : Application.registry().types()) {
                    for (Caller caller : callers) {
                        String label = type.name() + (caller.groupScoped() ? ", group-scoped" : "");
                        explainEachPlan(label + ", one id", type,
                                REPOSITORY.fetchStatement(dsl, type, caller, someId(type, 0)), 1, false);
                        if (ResourceRepository.fetchesManyIds(type)) {
                            for (int size : BATCH_SIZES) {
                                List<String> ids = new ArrayList<>();
                                for (int i = 0; i < size; i++) {
                                    ids.add(someId(type, i));
                                }
                                explainEachPlan(label + ", " + size + " ids", type,
                                        REPOSITORY.fetchStatement(dsl, type, caller, ids), size, false);
                            }
                        }
                        checked++;
                    }
                }
                assertThat(Application.registry().types()).hasSizeGreaterThanOrEqualTo(20);
                assertThat(checked).isEqualTo(2 * Application.registry().types().size());
            } finally {
                statement.execute("reset enable_seqscan");
            }
        }
    }

    /**
     * The types read through a view, by view: the table whose primary key a read by id goes through (a profile's
     * question is a profile's row and a catalogue entry; the profile is the part that grows).
     */
    private static final Map<String, String> VIEW_TABLES = Map.of("health_profile_with_stats", "health_profile",
            "health_profile_question", "health_profile");

    /** The table a read of the type by id goes through. */
    private static String readTable(ResourceType type) {
        return VIEW_TABLES.getOrDefault(type.table().getName(), type.table().getName());
    }

    /** The columns of {@link #readTable} that hold the type's id (the profile's id for a view of profiles). */
    private static List<String> readColumns(ResourceType type) {
        return VIEW_TABLES.containsKey(type.table().getName()) ? List.of("id")
                : type.idColumns().stream().map(column -> column.getName()).toList();
    }

    /** A well-formed id of the type that no row has. */
    private static String someId(ResourceType type, int n) {
        String hex = "f" + String.format("%023x", n + 1);
        if (type.derivedId() != null) {
            // An owner's id ends in four zeros, which the derived id's last characters take the place of.
            return type.derivedId().encode(List.of("f" + String.format("%019x", n + 1) + "0000", n + 1));
        }
        return type.idFormat() == IdFormat.STANDARD ? hex : Integer.toString(n + 1);
    }

    /** Explains the statement as PostgreSQL runs it prepared, with a generic and with a custom plan. */
    private static void explainEachPlan(String label, ResourceType type, ResourceRepository.FetchStatement fetch,
            int ids, boolean analyzed) throws Exception {
        try (Statement statement = connection.createStatement()) {
            statement.execute("prepare fetch_by_id as " + numbered(fetch.sql()));
            try {
                for (String mode : List.of("force_generic_plan", "force_custom_plan")) {
                    statement.execute("set plan_cache_mode = " + mode);
                    JsonNode plan = explain("execute fetch_by_id(" + literals(fetch.values()) + ")");
                    assertReadThroughId(label + ", " + mode, type, plan, ids, analyzed);
                }
            } finally {
                statement.execute("deallocate fetch_by_id");
                statement.execute("reset plan_cache_mode");
            }
        }
    }

    private static JsonNode explain(String sql) throws Exception {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("explain (analyze, buffers, format json) " + sql)) {
            assertThat(result.next()).isTrue();
            return JSON.readTree(result.getString(1)).get(0).get("Plan");
        }
    }

    /**
     * Every read of the type's table in the plan goes through a unique index whose leading columns are the id
     * columns, and (where the table holds the shape's rows) finds at most the ids asked, in a few pages each.
     */
    private static void assertReadThroughId(String label, ResourceType type, JsonNode plan, int ids, boolean analyzed)
            throws Exception {
        Set<String> idIndexes = idIndexes(readTable(type), readColumns(type));
        assertThat(idIndexes).as(type.name() + " has a unique index leading with its id").isNotEmpty();
        List<JsonNode> reads = new ArrayList<>();
        collectReads(plan, readTable(type), reads);
        assertThat(reads).as(label + ": the table is read\n" + plan.toPrettyString()).isNotEmpty();
        for (int i = 0; i < reads.size(); i++) {
            JsonNode each = reads.get(i);
            JsonNode indexScan = "Bitmap Heap Scan".equals(each.path("Node Type").asText()) ? each.get("Plans").get(0) : each;
            if (i == 0 || idIndexes.contains(indexScan.path("Index Name").asText())) {
                assertThat(indexScan.path("Index Name").asText()).as(label + ": the index read\n" + plan.toPrettyString())
                        .isIn(idIndexes);
            } else {
                // A view's correlated part may take another index, as long as it looks up the id it was given
                // (e.g. (organization_id, id) with both equal: one entry per id, never the organization's walk).
                String condition = indexScan.path("Index Cond").asText();
                for (String column : readColumns(type)) {
                    assertThat(condition).as(label + ": a correlated read looks up its id\n" + plan.toPrettyString())
                            .contains("(" + column + " = ");
                }
            }
        }
        // The first read is the fenced one; others (a view's correlated parts) look rows up by the id they have.
        JsonNode read = reads.get(0);
        assertThat(read.has("Filter")).as(label + ": nothing but the id is asked of the table's read\n"
                + plan.toPrettyString()).isFalse();
        if (analyzed) {
            long rows = read.get("Actual Rows").asLong() * read.get("Actual Loops").asLong();
            long pages = read.get("Shared Hit Blocks").asLong() + read.get("Shared Read Blocks").asLong();
            assertThat(rows).as(label + ": rows found").isEqualTo(ids);
            // A descent of the primary key and one heap page per id; an organization's index walk reads hundreds.
            assertThat(pages).as(label + ": pages read\n" + plan.toPrettyString()).isLessThanOrEqualTo(5L * ids + 4);
        }
    }

    private static void collectReads(JsonNode node, String table, List<JsonNode> reads) {
        if (table.equals(node.path("Relation Name").asText())) {
            reads.add(node);
        }
        for (JsonNode child : node.path("Plans")) {
            collectReads(child, table, reads);
        }
    }

    /** The unique indexes of the type's table whose leading columns are its id columns. */
    private static Set<String> idIndexes(String table, List<String> idColumns) throws Exception {
        Set<String> indexes = new HashSet<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select i.indexrelid::regclass::text, array(select a.attname"
                        + " from unnest(i.indkey[0:" + (idColumns.size() - 1) + "]) with ordinality k(attnum, n)"
                        + " join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum order by k.n)"
                        + " from pg_index i where i.indisunique and i.indrelid = '" + table + "'::regclass")) {
            while (rows.next()) {
                List<String> leading = List.of((String[]) rows.getArray(2).getArray());
                if (leading.equals(idColumns)) {
                    indexes.add(rows.getString(1));
                }
            }
        }
        return indexes;
    }

    /** JDBC's {@code ?} places as PostgreSQL's {@code $n}, outside quoted text and names. */
    static String numbered(String sql) {
        StringBuilder out = new StringBuilder();
        int place = 0;
        char quote = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
                out.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                out.append(c);
            } else if (c == '?' && i + 1 < sql.length() && sql.charAt(i + 1) == '?') {
                out.append('?');
                i++;
            } else if (c == '?') {
                out.append('$').append(++place);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String literals(List<Object> values) {
        List<String> out = new ArrayList<>();
        for (Object value : values) {
            if (value == null) {
                out.add("null");
            } else if (value instanceof String[] array) {
                out.add("'{" + String.join(",", array) + "}'");
            } else if (value instanceof String text) {
                assertThat(text).doesNotContain("'");
                out.add("'" + text + "'");
            } else {
                out.add(value.toString());
            }
        }
        return String.join(", ", out);
    }
}
