package dev.openplus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.config.Config;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * {@code admin webhook create/list/disable/enable}: outputs, errors, and the URL checks at creation (scheme,
 * credentials, private addresses without OPENPLUS_WEBHOOK_ALLOW_PRIVATE, the allow-list). The shared test server
 * delivers nothing (no webhook threads), and every subscription here ends disabled.
 */
class WebhookCommandTest {
    static TestServer server;
    static Fixtures privateAllowed;
    static Fixtures defaults;

    @BeforeAll
    static void setUp() {
        server = TestServer.get();
        privateAllowed = fixtures(true, List.of());
        defaults = fixtures(false, List.of());
    }

    static Fixtures fixtures(boolean allowPrivate, List<String> hosts) {
        Config.Webhooks webhooks = new Config.Webhooks(0, Duration.ofSeconds(1), Duration.ofSeconds(5),
                Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofHours(1), Duration.ofHours(24), allowPrivate,
                hosts);
        return new Fixtures(server.config.withWebhooks(webhooks), server.api());
    }

    @Test
    void createPrintsTheIdAndSecretOnceAndListShowsTheSubscriptions() {
        String org = privateAllowed.organization("Webhook CLI Org");
        String group = privateAllowed.group(org, "Hooked");
        Fixtures.CliResult text = privateAllowed.cli("admin", "webhook", "create", "--org", org, "--url",
                "http://127.0.0.1:9/text");
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).matches("id:     [0-9a-f]{24}\\R"
                + "secret: whsec_[A-Za-z0-9_-]{43}\\R"
                + "\\(keep the secret to verify the OpenPlus-Signature header; it cannot be shown again\\)");
        String textId = text.out().substring(8, 32);
        String secret = text.out().split("\\R")[1].substring(8);

        Fixtures.CliResult json = privateAllowed.cli("admin", "webhook", "create", "--org", org, "--groups", group,
                "--url", "https://127.0.0.1:9/json", "--types", "patient,calendar_event", "--json");
        assertThat(json.exitCode()).isZero();
        assertThat(json.json().size()).isEqualTo(2);
        String jsonId = json.json().get("id").asText();
        assertThat(json.json().get("secret").asText()).startsWith("whsec_").isNotEqualTo(secret);

        JsonNode list = privateAllowed.cli("admin", "webhook", "list", "--org", org, "--json").json().get("webhooks");
        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("id").asText()).isEqualTo(textId);
        assertThat(list.get(0).get("organization_id").asText()).isEqualTo(org);
        assertThat(list.get(0).get("groups")).as("the organization").isEmpty();
        assertThat(list.get(0).get("types")).as("every type").isEmpty();
        assertThat(list.get(0).get("url").asText()).isEqualTo("http://127.0.0.1:9/text");
        assertThat(list.get(0).get("status").asText()).isEqualTo("active");
        assertThat(list.get(0).get("consecutive_failures").asInt()).isZero();
        assertThat(list.get(0).get("failing_since").isNull()).isTrue();
        assertThat(list.get(0).get("last_error").isNull()).isTrue();
        assertThat(list.get(1).get("id").asText()).isEqualTo(jsonId);
        assertThat(list.get(1).get("groups").get(0).asText()).isEqualTo(group);
        assertThat(list.get(1).get("types").toString()).isEqualTo("[\"patient\",\"calendar_event\"]");
        assertThat(list.toString()).doesNotContain("whsec_");

        Fixtures.CliResult table = privateAllowed.cli("admin", "webhook", "list", "--org", org);
        List<String> lines = table.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).matches("ID +ORGANIZATION +SCOPE +URL +TYPES +STATUS +FAILURES +FAILING SINCE +"
                + "LAST ERROR +CREATED");
        assertThat(lines.get(1)).startsWith(textId).contains(" organization ").contains(" all ").contains(" active ");
        assertThat(lines.get(2)).startsWith(jsonId).contains(" " + group + " ").contains(" patient,calendar_event ");
        assertThat(table.out()).doesNotContain("whsec_");
        assertThat(privateAllowed.cli("admin", "webhook", "list", "--json").json().get("webhooks").size())
                .as("without --org: every organization's").isGreaterThanOrEqualTo(2);

        // Disabled, then enabled with its failures reset.
        Fixtures.CliResult disabled = privateAllowed.cli("admin", "webhook", "disable", textId);
        assertThat(disabled.out()).isEqualTo("disabled webhook " + textId);
        server.database.dsl().execute("update webhook_subscription set consecutive_failures = 7, failing_since = now(),"
                + " last_error = 'the receiver answered 503' where id = ?", textId);
        assertThat(privateAllowed.cli("admin", "webhook", "list", "--org", org, "--json").json()
                .at("/webhooks/0/status").asText()).isEqualTo("disabled");
        Fixtures.CliResult enabled = privateAllowed.cli("admin", "webhook", "enable", textId, "--json");
        assertThat(enabled.out()).isEqualTo("{\"id\":\"" + textId + "\",\"status\":\"active\"}");
        JsonNode reset = privateAllowed.cli("admin", "webhook", "list", "--org", org, "--json").json().at("/webhooks/0");
        assertThat(reset.get("status").asText()).isEqualTo("active");
        assertThat(reset.get("consecutive_failures").asInt()).isZero();
        assertThat(reset.get("failing_since").isNull()).isTrue();
        assertThat(reset.get("last_error").isNull()).isTrue();

        for (String id : List.of(textId, jsonId)) {
            assertThat(privateAllowed.cli("admin", "webhook", "disable", id, "--json").json().get("status").asText())
                    .isEqualTo("disabled");
        }
        assertThat(privateAllowed.cli("admin", "webhook", "list", "--org", privateAllowed.organization("No Hooks Org"))
                .out()).isEqualTo("no webhooks");
    }

    @Test
    void mistakesAreOneLineAndExitOne() {
        String org = privateAllowed.organization("Webhook Mistakes Org");
        String foreignGroup = privateAllowed.group(privateAllowed.organization("Webhook Foreign Org"), "Foreign");
        assertError(privateAllowed, "no organization with id 000000000000000000000000",
                "--org", "000000000000000000000000", "--url", "http://127.0.0.1:9/");
        assertError(privateAllowed, "every group must belong to organization " + org,
                "--org", org, "--groups", foreignGroup, "--url", "http://127.0.0.1:9/");
        Fixtures.CliResult type = create(privateAllowed, "--org", org, "--url", "http://127.0.0.1:9/", "--types",
                "patient,planet", "--json");
        assertThat(type.exitCode()).isEqualTo(1);
        assertThat(type.json().get("error").asText()).startsWith("'planet' is not a resource type of the change feed (");
        assertThat(privateAllowed.cli("admin", "webhook", "create", "--org", org).exitCode()).as("no --url")
                .isEqualTo(2);
        for (String verb : List.of("disable", "enable")) {
            Fixtures.CliResult unknown = privateAllowed.cli("admin", "webhook", verb, "000000000000000000000000");
            assertThat(unknown.exitCode()).isEqualTo(1);
            assertThat(unknown.err()).isEqualTo("openplus admin: no webhook with id 000000000000000000000000");
            assertThat(unknown.out()).isEmpty();
        }
        assertThat(privateAllowed.cli("admin", "webhook", "list", "--org", org, "--json").json().get("webhooks"))
                .as("nothing created by a mistake").isEmpty();
    }

    @Test
    void urlsAreCheckedAtCreation() {
        String org = privateAllowed.organization("Webhook URL Org");
        assertError(privateAllowed, "the URL must start with http:// or https://", "--org", org, "--url",
                "ftp://127.0.0.1/hook");
        assertError(privateAllowed, "the URL must start with http:// or https://", "--org", org, "--url", "/relative");
        assertError(privateAllowed, "the URL must not hold credentials (user:password@); the signature authenticates "
                + "the server to the receiver", "--org", org, "--url", "https://user:pw@127.0.0.1/hook");
        assertError(privateAllowed, "the host nowhere.invalid cannot be resolved", "--org", org, "--url",
                "https://nowhere.invalid/hook");
        for (String address : List.of("127.0.0.1", "[::1]", "10.1.2.3", "192.168.0.1", "172.16.5.4", "169.254.169.254",
                "0.0.0.0", "100.64.0.1", "224.0.0.1", "[fd00::1]", "[::ffff:127.0.0.1]")) {
            Fixtures.CliResult refused = create(defaults, "--org", org, "--url", "http://" + address + "/hook");
            assertThat(refused.exitCode()).as(address).isEqualTo(1);
            assertThat(refused.err()).as(address).startsWith("openplus admin: the host ")
                    .endsWith(", a private, loopback, link-local, multicast or unspecified address (allowed only "
                            + "with OPENPLUS_WEBHOOK_ALLOW_PRIVATE=true)");
        }
        Fixtures.CliResult localhost = create(defaults, "--org", org, "--url", "http://localhost:9/hook", "--json");
        assertThat(localhost.json().get("error").asText()).startsWith("the host localhost resolves to ");

        Fixtures.CliResult allowed = create(fixtures(true, List.of("localhost")), "--org", org, "--url",
                "http://LOCALHOST:9/hook", "--json");
        assertThat(allowed.exitCode()).as(allowed.out()).isZero();
        privateAllowed.cli("admin", "webhook", "disable", allowed.json().get("id").asText());
        assertError(fixtures(true, List.of("localhost", "hooks.example.com")),
                "the host 127.0.0.1 is not in OPENPLUS_WEBHOOK_ALLOWED_HOSTS", "--org", org, "--url",
                "http://127.0.0.1:9/hook");
        assertThat(privateAllowed.cli("admin", "webhook", "list", "--org", org, "--json").json().get("webhooks"))
                .hasSize(1);
    }

    static Fixtures.CliResult create(Fixtures fixtures, String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "admin";
        all[1] = "webhook";
        all[2] = "create";
        System.arraycopy(args, 0, all, 3, args.length);
        return fixtures.cli(all);
    }

    /** The text error is one line on stderr; the --json error is {"error": …} alone on stdout. */
    static void assertError(Fixtures fixtures, String message, String... args) {
        Fixtures.CliResult text = create(fixtures, args);
        assertThat(text.exitCode()).isEqualTo(1);
        assertThat(text.err()).isEqualTo("openplus admin: " + message);
        assertThat(text.out()).isEmpty();
        String[] withJson = java.util.Arrays.copyOf(args, args.length + 1);
        withJson[args.length] = "--json";
        Fixtures.CliResult json = create(fixtures, withJson);
        assertThat(json.exitCode()).isEqualTo(1);
        assertThat(json.out()).isEqualTo(dev.openplus.jsonapi.BodyReader.mapper().createObjectNode()
                .put("error", message).toString());
    }
}
