package dev.openplus.change;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.Application;
import dev.openplus.cli.DemoData;
import dev.openplus.config.Config;
import dev.openplus.db.Database;
import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * Every write path feeds the change feed, table-driven: each write operation of the API document (found there,
 * so a new one without a row fails), sent with its own request example against the demo data on a database of
 * this class's own, puts exactly the expected (type, id, action) changes on the feed, each one version later
 * than the resource's last; so do the admin commands' writes and a migration's UPDATE; and between them the rows
 * write every type the feed carries.
 */
class ChangeFeedWritePathsTest {
    private static final List<String> WRITES = List.of("post", "put", "patch", "delete");
    static String name;
    static Database database;
    static Application application;
    static Api api;
    static Fixtures fixtures;
    static String token;
    static String organization;
    static JsonNode document;

    @BeforeAll
    static void setUp() throws Exception {
        TestServer shared = TestServer.get();
        document = shared.openApiDocument();
        name = "change_paths_" + System.nanoTime();
        try (Connection admin = DriverManager.getConnection(shared.jdbcUrl("postgres"), "postgres", "");
                Statement statement = admin.createStatement()) {
            statement.execute("create database " + name);
        }
        Path unusedDataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "change-paths-");
        Config config = Config.fromMap(Map.of("OPENPLUS_DATABASE_URL", shared.jdbcUrl(name),
                "OPENPLUS_DATABASE_USER", "postgres", "OPENPLUS_DATA_DIR", unusedDataDir.toString(),
                "OPENPLUS_PORT", "0", "OPENPLUS_WEBHOOK_THREADS", "0", "OPENPLUS_CHANGE_PRUNE_INTERVAL", "0"));
        database = Database.open(config, true);
        application = Application.start(config, database);
        api = new Api("http://127.0.0.1:" + application.port());
        fixtures = new Fixtures(config, api);
        organization = database.transaction(dsl -> DemoData.seedOrganization(dsl, application.writer()));
        token = fixtures.token(fixtures.client(organization));
    }

    @AfterAll
    static void tearDown() throws Exception {
        application.close();
        database.close();
        try (Connection admin = DriverManager.getConnection(TestServer.get().jdbcUrl("postgres"), "postgres", "");
                Statement statement = admin.createStatement()) {
            statement.execute("drop database if exists " + name + " with (force)");
        }
    }

    record Entry(String method, String path, JsonNode operation) {
        String id() {
            return operation.path("operationId").asText();
        }
    }

    static List<Entry> writes() {
        List<Entry> entries = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            if (path.getKey().startsWith("/pub/probe")) {
                continue;
            }
            path.getValue().fields().forEachRemaining(method -> {
                if (WRITES.contains(method.getKey())) {
                    entries.add(new Entry(method.getKey(), path.getKey(), method.getValue()));
                }
            });
        }
        return entries;
    }

    /** What one write changes, given the ids it wrote (the response's data, or the path's id). */
    private interface Expected {
        List<Change> of(String id);
    }

    /** An expected change: the action of the written resource is null (created if new to the feed, else updated). */
    private record Change(String type, String id, String action) {
    }

    private static Change written(String type, String id) {
        return new Change(type, id, null);
    }

    private static Change updated(String type, String id) {
        return new Change(type, id, "updated");
    }

    private static Change created(String type, String id) {
        return new Change(type, id, "created");
    }

    /** One value a query answers for the id (the id of a parent, a derived row, …). */
    private static String one(String sql, String id) {
        List<String> values = all(sql, id);
        assertThat(values).as(sql + " for " + id).hasSize(1);
        return values.get(0);
    }

    private static List<String> all(String sql, String id) {
        try (Connection connection = DriverManager.getConnection(TestServer.get().jdbcUrl(name), "postgres", "");
                java.sql.PreparedStatement statement = connection.prepareStatement(sql)) {
            if (sql.contains("?")) {
                statement.setString(1, id);
            }
            List<String> values = new ArrayList<>();
            try (java.sql.ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
            return values;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String planOfPatient(String patient) {
        return one("select id from patient_plan_summary where patient_id = ?", patient);
    }

    private static String planOfAction(String action) {
        return one("select plan_id from action where id = ?", action);
    }

    private static List<Change> patientCreated(String patient) {
        return List.of(written("patient", patient), created("patient_plan_summary", planOfPatient(patient)),
                created("health_profile", one("select id from health_profile where patient_id = ?", patient)));
    }

    /** A result, and (when it counts toward an action) its action's and plan's adherence. */
    private static List<Change> resultCreated(String result) {
        String action = one("select coalesce(action_id, '') from result where id = ?", result);
        if (action.isEmpty()) {
            return List.of(written("result", result));
        }
        return List.of(written("result", result), updated("action", action), updated("patient_plan_summary",
                planOfAction(action)));
    }

    /**
     * Every write operation of the API document, and what it must put on the feed. A write operation added to the
     * document without a row here fails {@link #everyWriteOperationFeedsExactlyItsChanges}.
     */
    private static final Map<String, Expected> ROWS = new LinkedHashMap<>();
    static {
        ROWS.put("createToken", id -> List.of()); // a token is no resource: nothing on the feed
        ROWS.put("createGroup", id -> List.of(written("group", id)));
        ROWS.put("createPatient", ChangeFeedWritePathsTest::patientCreated);
        ROWS.put("upsertPatient", ChangeFeedWritePathsTest::patientCreated);
        ROWS.put("updatePatient", id -> List.of(written("patient", id)));
        ROWS.put("createCalendarEvent", id -> List.of(written("calendar_event", id)));
        ROWS.put("updateCalendarEvent", id -> List.of(written("calendar_event", id)));
        ROWS.put("deleteCalendarEvent", id -> List.of(new Change("calendar_event", id, "deleted")));
        // A response cannot be fetched: the event carries the attendee's status.
        ROWS.put("createCalendarEventResponse", id -> List.of(updated("calendar_event",
                one("select calendar_event_id from calendar_event_response where id = ?", id))));
        ROWS.put("createRewardProgram", id -> List.of(written("reward_program", id)));
        ROWS.put("createRewardProgramActivation", id -> List.of(written("reward_program_activation", id)));
        ROWS.put("updateRewardProgramActivation", id -> List.of(written("reward_program_activation", id)));
        // The activation's totals count its rewards and earnings; a reward shows its earning, an earning its
        // fulfillment.
        ROWS.put("createReward", id -> List.of(written("reward", id), updated("reward_program_activation",
                one("select activation_id from reward where id = ?", id))));
        ROWS.put("createRewardEarning", id -> List.of(written("reward_earning", id),
                updated("reward", one("select reward_id from reward_earning where id = ?", id)),
                updated("reward_program_activation", one("select activation_id from reward_earning where id = ?", id))));
        ROWS.put("createRewardEarningFulfillment", id -> {
            String earning = one("select earning_id from reward_earning_fulfillment where id = ?", id);
            return List.of(written("reward_earning_fulfillment", id), updated("reward_earning", earning),
                    updated("reward", one("select reward_id from reward_earning where id = ?", earning)));
        });
        ROWS.put("updatePatientPlanSummary", id -> List.of(written("patient_plan_summary", id)));
        // The plan summary lists its actions and bundles; an action lists its bundles, a bundle its actions.
        ROWS.put("createAction", id -> List.of(written("action", id), updated("patient_plan_summary", planOfAction(id))));
        ROWS.put("updateAction", id -> List.of(written("action", id), updated("patient_plan_summary", planOfAction(id))));
        ROWS.put("createBundle", id -> {
            List<Change> changes = new ArrayList<>(List.of(written("bundle", id), updated("patient_plan_summary",
                    one("select plan_id from bundle where id = ?", id))));
            all("select action_id from bundle_action where bundle_id = ?", id)
                    .forEach(action -> changes.add(updated("action", action)));
            return changes;
        });
        ROWS.put("updateBundle", id -> List.of(written("bundle", id), updated("patient_plan_summary",
                one("select plan_id from bundle where id = ?", id))));
        // Results from metrics: each result counts toward its action's and its plan's adherence.
        ROWS.put("createPatientHealthMetric", id -> {
            List<Change> changes = new ArrayList<>(List.of(written("patient_health_metric", id)));
            all("select id from result where metric_id = ?", id).forEach(result -> changes.addAll(resultCreated(result)));
            return changes;
        });
        ROWS.put("createResult", ChangeFeedWritePathsTest::resultCreated);
        // An answer moves its profile's answered counts and its question's answer.
        ROWS.put("createHealthProfileAnswer", id -> List.of(written("health_profile_answer", id),
                updated("health_profile", one("select p.id from health_profile p join health_profile_answer a"
                        + " on a.patient_id = p.patient_id where a.id = ?", id)),
                updated("health_profile_question", one("select overlay(p.id placing lpad(to_hex(d.number), 4, '0')"
                        + " from 21) from health_profile_answer a join health_profile p on p.patient_id = a.patient_id"
                        + " join health_question_definition d on d.id = a.question_id where a.id = ?", id))));
        ROWS.put("createEmailHistory", id -> List.of(written("email_history", id)));
        ROWS.put("updateEmailHistory", id -> List.of(written("email_history", id)));
    }

    /** Versions of every resource of the organization the feed has shown so far. */
    private final Map<String, Long> versions = new java.util.HashMap<>();
    private final java.util.Set<String> typesSeen = new java.util.TreeSet<>();

    @Test
    void everyWriteOperationFeedsExactlyItsChanges() {
        Map<String, String> credentials = fixtures.client(organization);
        String cursor = follow("/pub/change?filter[organization]=" + organization + "&page[limit]=500", null);
        List<String> failures = new ArrayList<>();
        List<String> operations = new ArrayList<>();
        List<Entry> entries = new ArrayList<>(writes());
        // Deletes last: they remove a resource the create example of their collection made.
        entries.sort(java.util.Comparator.comparing(entry -> entry.method().equals("delete")));
        Map<String, List<JsonNode>> createExamples = new LinkedHashMap<>();
        for (Entry entry : entries) {
            operations.add(entry.id());
            Expected expected = ROWS.get(entry.id());
            if (expected == null) {
                failures.add(entry.id() + ": no row in the table");
                continue;
            }
            List<JsonNode> examples = examples(entry);
            if (entry.method().equals("post")) {
                createExamples.put(entry.path(), examples);
            }
            if (entry.method().equals("delete")) {
                // The resource the collection's create example makes, then its deletion.
                JsonNode single = createExamples.getOrDefault(entry.path().replace("/{id}", ""), List.of()).stream()
                        .filter(example -> example.path("data").isObject()).findFirst().orElse(null);
                assertThat(single).as(entry.id() + ": a create example of its collection").isNotNull();
                Api.Response made = api.post(entry.path().replace("/{id}", ""), token, single.toString());
                assertThat(made.status()).as(made.body()).isEqualTo(201);
                String id = made.at("/data/id").asText();
                cursor = follow(cursor, null);
                Api.Response response = api.send("DELETE", entry.path().replace("{id}", id), token, Api.JSON_API, null,
                        List.of());
                assertThat(response.status()).as(response.body()).isIn(200, 204);
                cursor = check(entry.id(), cursor, expected.of(id), failures);
                continue;
            }
            assertThat(examples).as(entry.id() + ": a request example").isNotEmpty();
            for (JsonNode example : examples) {
                JsonNode body = example;
                if (entry.id().equals("createToken")) {
                    com.fasterxml.jackson.databind.node.ObjectNode copy = example.deepCopy();
                    ((com.fasterxml.jackson.databind.node.ObjectNode) copy.path("data").path("attributes"))
                            .put("client_id", credentials.get("client_id")).put("client_secret",
                                    credentials.get("client_secret"));
                    body = copy;
                }
                Api.Response response = api.send(entry.method().toUpperCase(Locale.ROOT), path(entry),
                        entry.id().equals("createToken") ? null : token, Api.JSON_API, body.toString(), List.of());
                assertThat(response.status() / 100).as(entry.id() + " " + response.body()).isEqualTo(2);
                List<Change> changes = new ArrayList<>();
                JsonNode data = response.json().path("data");
                if (!entry.id().equals("createToken")) {
                    for (JsonNode resource : data.isArray() ? data : List.of(data)) {
                        changes.addAll(expected.of(resource.path("id").asText()));
                    }
                }
                cursor = check(entry.id(), cursor, changes, failures);
            }
        }
        assertThat(failures).isEmpty();
        assertThat(ROWS.keySet()).as("rows of operations the document no longer has")
                .isSubsetOf(operations);

        // The admin commands' writes.
        String group = fixtures.group(organization, "Written by the CLI");
        cursor = check("admin group create", cursor, List.of(written("group", group)), failures);
        String coach = fixtures.coach(organization, "Cli", "Coach", group);
        cursor = check("admin coach create", cursor, List.of(written("coach", coach)), failures);
        String otherOrganization = fixtures.organization("Written by the CLI");
        String otherToken = fixtures.token(fixtures.client(otherOrganization));
        List<String> otherFeed = new ArrayList<>();
        String link = "/pub/change?filter[organization]=" + otherOrganization;
        while (true) {
            Api.Response page = api.get(link, otherToken);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            page.json().path("data").forEach(c -> otherFeed.add(c.at("/attributes/resource_type").asText() + " "
                    + c.at("/attributes/resource_id").asText() + " " + c.at("/attributes/action").asText() + " "
                    + c.at("/attributes/version").asLong()));
            link = page.at("/links/next").asText();
            if (page.json().path("data").isEmpty()) {
                break;
            }
        }
        assertThat(otherFeed).as("admin org create").containsExactly("organization " + otherOrganization + " created 1");
        typesSeen.add("organization");

        // A migration that rewrites rows behind the API's back: every row's version moves.
        List<Change> rewritten = new ArrayList<>();
        for (String event : all("select id from calendar_event where organization_id = ? order by id", organization)) {
            rewritten.add(updated("calendar_event", event));
        }
        assertThat(rewritten).hasSizeGreaterThan(1);
        try (Connection connection = DriverManager.getConnection(TestServer.get().jdbcUrl(name), "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.execute("update calendar_event set title = title || '' where organization_id = '"
                    + organization + "'");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        check("a migration's UPDATE", cursor, rewritten, failures);
        assertThat(failures).isEmpty();

        assertThat(typesSeen).as("every type the feed carries has a row that writes it")
                .isEqualTo(new java.util.TreeSet<>(ChangeResource.typeNames(Application.registry())));
        // The walks the database merges (pruning, the newest position) are those the server merges.
        assertThat(new java.util.TreeSet<>(all("select resource_type from change_type", null)))
                .as("change_type").isEqualTo(new java.util.TreeSet<>(ChangeResource.typeNames(Application.registry())));
    }

    /** The changes after the cursor must be exactly the expected ones (in any order), each one version later. */
    private String check(String what, String cursor, List<Change> expected, List<String> failures) {
        Map<String, Long> before = new java.util.HashMap<>(versions);
        List<String> actual = new ArrayList<>();
        String next = follow(cursor, actual);
        List<String> wanted = new ArrayList<>();
        for (Change change : expected) {
            String key = change.type() + " " + change.id();
            long version = before.getOrDefault(key, 0L) + 1;
            String action = change.action() != null ? change.action() : version == 1 ? "created" : "updated";
            wanted.add(key + " " + action + " " + version);
        }
        if (!new java.util.TreeSet<>(actual).equals(new java.util.TreeSet<>(wanted)) || actual.size() != wanted.size()) {
            failures.add(what + ": expected " + new java.util.TreeSet<>(wanted) + " but the feed has "
                    + new java.util.TreeSet<>(actual));
        }
        return next;
    }

    /** Follows the feed from the link to its end, recording versions (and the changes, into sink); the next link. */
    private String follow(String link, List<String> sink) {
        while (true) {
            Api.Response page = api.get(link, token);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            for (JsonNode c : page.json().path("data")) {
                String key = c.at("/attributes/resource_type").asText() + " " + c.at("/attributes/resource_id").asText();
                long version = c.at("/attributes/version").asLong();
                versions.put(key, version);
                typesSeen.add(c.at("/attributes/resource_type").asText());
                if (sink != null) {
                    sink.add(key + " " + c.at("/attributes/action").asText() + " " + version);
                }
            }
            link = page.at("/links/next").asText();
            if (page.json().path("data").isEmpty()) {
                return link;
            }
        }
    }

    private static List<JsonNode> examples(Entry entry) {
        JsonNode content = entry.operation().path("requestBody").path("content").path(Api.JSON_API);
        List<JsonNode> examples = new ArrayList<>();
        if (content.has("example")) {
            examples.add(content.get("example"));
        }
        content.path("examples").forEach(example -> examples.add(example.path("value")));
        return examples;
    }

    private static String path(Entry entry) {
        String path = entry.path();
        for (JsonNode parameter : entry.operation().path("parameters")) {
            if (parameter.path("in").asText().equals("path") && parameter.has("example")) {
                path = path.replace("{" + parameter.get("name").asText() + "}", parameter.get("example").asText());
            }
        }
        return path;
    }
}
