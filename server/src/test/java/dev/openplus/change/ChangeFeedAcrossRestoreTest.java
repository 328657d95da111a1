package dev.openplus.change;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.Application;
import dev.openplus.config.Config;
import dev.openplus.db.Database;
import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;
import dev.openplus.webhook.Receiver;

/**
 * The change feed across {@code admin backup} / {@code admin restore} into a new data directory: another PostgreSQL
 * cluster, whose transaction ids are far behind those the source's feed positions were made of. The restored
 * changes are all there from the feed's start, and a reader (or a webhook subscription) that held a cursor before
 * the backup receives the changes written after the restore: none is hidden behind the restored positions.
 */
class ChangeFeedAcrossRestoreTest {
    /** The source's transaction ids are at least this far on: a new cluster is far behind (about a thousand). */
    private static final long SOURCE_TRANSACTION_IDS = 30_000;
    private static final long TIMEOUT_MILLIS = 2000;
    private static final Config.Webhooks WEBHOOKS = new Config.Webhooks(1, Duration.ofMillis(50), Duration.ofSeconds(1),
            Duration.ofMillis(TIMEOUT_MILLIS), Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(10),
            true, List.of());

    @Test
    void theRestoredFeedShowsEveryChangeAndOldCursorsAndWebhooksReceiveTheNewOnes() throws Exception {
        TestServer server = TestServer.get();
        Fixtures fixtures = new Fixtures(server.config.withPort(0).withWebhooks(WEBHOOKS), server.api());
        Fixtures.Tenant tenant = fixtures.tenant("Feed Across Restore Org");
        String group = fixtures.apiGroup(tenant, "Restored");
        String filter = "filter[organization]=" + tenant.organizationId();
        burnTransactionIds(server.database, SOURCE_TRANSACTION_IDS);
        createPatient(server.api(), tenant.token(), group, "Before");
        createPatient(server.api(), tenant.token(), group, "Also before");
        // Transactions that change nothing of this organization's feed (other organizations, tokens, …) use ids
        // too: the visible bound moves on far past the organization's last change.
        burnTransactionIds(server.database, nextTransactionId(server.database) + SOURCE_TRANSACTION_IDS / 2);

        List<String> before = changeIds(follow(server.api(), tenant.token(), filter, null).changes());
        assertThat(before).hasSizeGreaterThanOrEqualTo(3);
        String cursor = follow(server.api(), tenant.token(), filter, null).next();
        try (Receiver receiver = new Receiver(n -> Receiver.Answer.ok())) {
            Fixtures.CliResult hook = fixtures.cli("admin", "webhook", "create", "--org", tenant.organizationId(),
                    "--url", receiver.url(), "--json");
            assertThat(hook.exitCode()).as(hook.out() + hook.err()).isZero();
            long sourceTransactionIds = nextTransactionId(server.database);

            Path file = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "feed-restore-").resolve("feed.backup");
            Fixtures.CliResult backup = fixtures.cli("admin", "backup", "--to", file.toString());
            assertThat(backup.exitCode()).as(backup.err()).isZero();
            // The source's own copy of the subscription stays out of the way of other classes' delivering servers.
            assertThat(fixtures.cli("admin", "webhook", "disable", hook.json().get("id").asText()).exitCode()).isZero();

            Path dataDir = TestServer.shortDataDir("feed-restored-");
            Config config = Config.fromMap(Map.of("OPENPLUS_DATA_DIR", dataDir.toString(), "OPENPLUS_PORT", "0",
                    "OPENPLUS_CHANGE_PRUNE_INTERVAL", "0")).withWebhooks(WEBHOOKS);
            try {
                Fixtures.CliResult restore = new Fixtures(config, server.api()).cli("admin", "restore", "--from",
                        file.toString());
                assertThat(restore.exitCode()).as(restore.err()).isZero();
                try (Database database = Database.open(config, true);
                        Application application = Application.start(config, database)) {
                    assertThat(nextTransactionId(database)).as("the restored cluster is far behind the source")
                            .isLessThan(sourceTransactionIds / 2);
                    Api api = new Api("http://127.0.0.1:" + application.port());
                    String token = new Fixtures(config, api).token(tenant.client());

                    // (1) Every restored change, from the feed's start.
                    assertThat(changeIds(follow(api, token, filter, null).changes())).isEqualTo(before);

                    String after = createPatient(api, token, group, "After");
                    Supplier<List<JsonNode>> sinceCursor = () -> follow(api, token, filter, cursor).changes();
                    waitFor("the new change after the old cursor", () -> !sinceCursor.get().isEmpty());
                    // (2) The reader that held a cursor from before the backup receives the new change, and only
                    // what was written after the restore.
                    List<JsonNode> newChanges = sinceCursor.get();
                    assertThat(newChanges).extracting(change -> change.at("/attributes/resource_type").asText() + " "
                            + change.at("/attributes/resource_id").asText() + " " + change.at("/attributes/action").asText())
                            .contains("patient " + after + " created");
                    List<String> all = new ArrayList<>(before);
                    all.addAll(changeIds(newChanges));
                    assertThat(changeIds(follow(api, token, filter, null).changes())).isEqualTo(all);

                    // (3) The subscription continues from its stored cursor with exactly those changes.
                    Set<Long> expected = new LinkedHashSet<>();
                    changeIds(newChanges).forEach(id -> expected.add(Long.parseLong(id)));
                    waitFor("the webhook delivery", () -> receiver.acknowledged(TIMEOUT_MILLIS).equals(expected));
                    assertThat(receiver.acknowledged(TIMEOUT_MILLIS)).isEqualTo(expected);
                }
            } finally {
                TestServer.removeLink(dataDir);
            }
        }
    }

    /** The changes a scope's feed gives after a cursor (null: from the start), and the links.next of its last page. */
    private record Followed(List<JsonNode> changes, String next) {
    }

    private static Followed follow(Api api, String token, String filter, String after) {
        List<JsonNode> changes = new ArrayList<>();
        String link = "/pub/change?" + filter + "&page[limit]=500" + (after == null ? "" : "&page[after]=" + after);
        while (true) {
            Api.Response page = api.get(link, token);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            link = page.at("/links/next").asText();
            if (page.json().get("data").isEmpty()) {
                return new Followed(changes, link.replaceAll(".*page%5Bafter%5D=|.*page\\[after\\]=", "")
                        .replaceAll("&.*", ""));
            }
            page.json().get("data").forEach(changes::add);
        }
    }

    private static List<String> changeIds(List<JsonNode> changes) {
        return changes.stream().map(change -> change.get("id").asText()).toList();
    }

    private static String createPatient(Api api, String token, String group, String name) {
        Api.Response created = api.post("/pub/patient", token, Api.json(Map.of("data", Map.of("type", "patient",
                "attributes", Map.of("first_name", name, "last_name", "Restored"),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group))))))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.at("/data/id").asText();
    }

    /** The first transaction id the cluster has not completed yet. */
    private static long nextTransactionId(Database database) throws SQLException {
        try (Connection connection = database.dedicatedConnection(); Statement statement = connection.createStatement();
                ResultSet r = statement.executeQuery("select pg_snapshot_xmax(pg_current_snapshot())::text::bigint")) {
            r.next();
            return r.getLong(1);
        }
    }

    /**
     * Uses transaction ids until the cluster's counter reaches {@code until}, as a database in service for a while
     * has: a subtransaction per id, 10000 to a transaction.
     */
    private static void burnTransactionIds(Database database, long until) throws SQLException {
        try (Connection connection = database.dedicatedConnection(); Statement statement = connection.createStatement()) {
            statement.execute("create temporary table burnt_transaction_id (n integer)");
            for (long next = nextTransactionId(database); next < until; next = nextTransactionId(database)) {
                statement.execute("do $$ begin for i in 1.." + Math.min(10_000, until - next) + " loop begin"
                        + " insert into burnt_transaction_id values (i); exception when others then null; end;"
                        + " end loop; end $$");
            }
        }
    }

    private static void waitFor(String what, Supplier<Boolean> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
