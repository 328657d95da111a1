package dev.openplus.change;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.SQLDialect;
import org.jooq.conf.ParamType;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.openplus.Application;
import dev.openplus.config.Config;
import dev.openplus.db.Database;
import dev.openplus.group.GroupResource;
import dev.openplus.jsonapi.ResourceEndpoints;
import dev.openplus.support.TestServer;

/**
 * A page of the feed reads what it returns, not the changes it skips: a reader of one type walks that type's
 * changes only, whatever number of other types' changes lie between its cursor and its next change, and a reader
 * of every type merges one walk per type. Each statement the feed runs is explained (analyzed) on a database of
 * its own where a patient's change is followed by 5 000 changes of groups and then another patient's: the rows
 * the statements read from {@code change} (returned by its scans or removed by their filters) stay within the
 * page's size plus one per type.
 */
class ChangeFeedPlanTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ORGANIZATION = "0000000000000000000000f1";
    private static String name;
    private static Database database;
    private static Connection connection;
    private static ChangeFeed feed;

    @BeforeAll
    static void setUp() throws Exception {
        TestServer shared = TestServer.get();
        name = "change_plan_" + System.nanoTime();
        try (Connection admin = DriverManager.getConnection(shared.jdbcUrl("postgres"), "postgres", "");
                Statement statement = admin.createStatement()) {
            statement.execute("create database " + name);
        }
        String url = shared.jdbcUrl(name);
        Path unusedDataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "change-plan-");
        database = Database.open(Config.fromMap(Map.of("OPENPLUS_DATABASE_URL", url, "OPENPLUS_DATABASE_USER",
                "postgres", "OPENPLUS_DATA_DIR", unusedDataDir.toString())), true);
        connection = DriverManager.getConnection(url, "postgres", "");
        try (Statement statement = connection.createStatement()) {
            statement.execute("insert into organization (id, name) values ('" + ORGANIZATION + "', 'Walked')");
            statement.execute("insert into patient (id, organization_id) values ('0000000000000000000000a1', '"
                    + ORGANIZATION + "')");
            statement.execute("insert into patient_group (id, organization_id, name) select 'c' || lpad(to_hex(n), 23, '0'),"
                    + " '" + ORGANIZATION + "', 'Group ' || n from generate_series(1, 5000) n");
            statement.execute("insert into patient (id, organization_id) values ('0000000000000000000000a2', '"
                    + ORGANIZATION + "')");
            statement.execute("vacuum analyze change");
        }
        feed = new ChangeFeed(new ResourceEndpoints(database, Application.registry(), GroupResource::allInScope,
                "http://127.0.0.1", 1, 1));
    }

    @AfterAll
    static void tearDown() throws Exception {
        connection.close();
        database.close();
        try (Connection admin = DriverManager.getConnection(TestServer.get().jdbcUrl("postgres"), "postgres", "");
                Statement statement = admin.createStatement()) {
            statement.execute("drop database if exists " + name + " with (force)");
        }
    }

    @Test
    void aReaderOfOneTypeWalksOnlyThatTypesChanges() throws Exception {
        ChangeFeed.Scope scope = new ChangeFeed.Scope(ORGANIZATION, null);
        List<String> statements = new ArrayList<>();
        ChangeFeed.FeedPage first = feed.page(capturing(statements), scope, ChangeFeed.Cursor.START, 1,
                List.of("patient"));
        assertThat(first.changes()).extracting(ChangeFeed.Change::resourceId)
                .containsExactly("0000000000000000000000a1");
        statements.clear();
        ChangeFeed.FeedPage second = feed.page(capturing(statements), scope, first.next(), 1, List.of("patient"));
        assertThat(second.changes()).extracting(ChangeFeed.Change::resourceId)
                .containsExactly("0000000000000000000000a2");
        assertRowsRead(statements, 2 + ChangeResource.typeNames(Application.registry()).size());
        // A type named twice is one walk: each change once.
        assertThat(feed.page(capturing(new ArrayList<>()), scope, ChangeFeed.Cursor.START, 10,
                List.of("patient", "patient")).changes()).extracting(ChangeFeed.Change::resourceId)
                .containsExactly("0000000000000000000000a1", "0000000000000000000000a2");
    }

    @Test
    void aReaderOfEveryTypeMergesOneWalkPerType() throws Exception {
        ChangeFeed.Scope scope = new ChangeFeed.Scope(ORGANIZATION, null);
        List<String> statements = new ArrayList<>();
        ChangeFeed.FeedPage page = feed.page(capturing(statements), scope, ChangeFeed.Cursor.START, 3, List.of());
        assertThat(page.changes()).extracting(change -> change.resourceType() + " " + change.action())
                .containsExactly("organization created", "patient created", "group created");
        int types = ChangeResource.typeNames(Application.registry()).size();
        assertRowsRead(statements, 4 + 2 * types);
    }

    /** A DSLContext on the test's database that records each statement it runs, with its values inlined. */
    private static DSLContext capturing(List<String> statements) {
        return DSL.using(new DefaultConfiguration().set(connection).set(SQLDialect.POSTGRES)
                .set(new ExecuteListener() {
                    @Override
                    public void executeStart(ExecuteContext context) {
                        statements.add(context.query() != null ? context.query().getSQL(ParamType.INLINED)
                                : context.sql());
                    }
                }));
    }

    /** Every statement that reads change reads at most {@code bound} of its rows in all, per statement. */
    private static void assertRowsRead(List<String> statements, int bound) throws Exception {
        int explained = 0;
        for (String sql : statements) {
            if (!sql.contains("change")) {
                continue;
            }
            try (Statement statement = connection.createStatement();
                    ResultSet plan = statement.executeQuery("explain (analyze, format json) " + sql)) {
                plan.next();
                JsonNode root = JSON.readTree(plan.getString(1)).get(0).get("Plan");
                long read = rowsRead(root);
                assertThat(read).as("rows of change read by %s%n%s", sql, root.toPrettyString())
                        .isLessThanOrEqualTo(bound);
                explained++;
            }
        }
        assertThat(explained).isGreaterThanOrEqualTo(2);
    }

    private static long rowsRead(JsonNode node) {
        long read = 0;
        if ("change".equals(node.path("Relation Name").asText())
                && Set.of("Index Scan", "Index Only Scan", "Seq Scan", "Bitmap Heap Scan")
                        .contains(node.path("Node Type").asText())) {
            long loops = Math.max(1, node.path("Actual Loops").asLong());
            read += (node.path("Actual Rows").asLong() + node.path("Rows Removed by Filter").asLong()) * loops;
        }
        for (JsonNode child : node.path("Plans")) {
            read += rowsRead(child);
        }
        return read;
    }
}
