package dev.openplus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/** The admin CLI against the running server's embedded PostgreSQL: outputs, exit codes, and its effect on the API. */
class AdminCommandTest {
    static Fixtures fixtures;
    static Api api;

    @BeforeAll
    static void setUp() {
        TestServer server = TestServer.get();
        fixtures = new Fixtures(server);
        api = server.api();
    }

    @Test
    void createCommandsPrintIdsAndTheDataIsServed() {
        Fixtures.CliResult org = fixtures.cli("admin", "org", "create", "--name", "CLI Org", "--json");
        assertThat(org.exitCode()).isZero();
        String organizationId = org.json().get("id").asText();
        assertThat(organizationId).matches("[0-9a-f]{24}");
        assertThat(org.json().size()).isEqualTo(1);

        Fixtures.CliResult group = fixtures.cli("admin", "group", "create", "--org", organizationId, "--name", "G",
                "--bio", "About G", "--json");
        String groupId = group.json().get("id").asText();
        Fixtures.CliResult coach = fixtures.cli("admin", "coach", "create", "--org", organizationId, "--first-name",
                "Clarisa", "--last-name", "Rivera", "--groups", groupId, "--json");
        String coachId = coach.json().get("id").asText();
        Fixtures.CliResult client = fixtures.cli("admin", "client", "create", "--org", organizationId, "--json");
        assertThat(client.exitCode()).isZero();
        JsonNode credentials = client.json();
        assertThat(credentials.get("client_id").asText()).matches("[0-9a-f-]{36}");
        assertThat(credentials.get("client_secret").asText()).hasSizeGreaterThanOrEqualTo(43);
        assertThat(credentials.size()).isEqualTo(2);

        String token = fixtures.token(java.util.Map.of("client_id", credentials.get("client_id").asText(),
                "client_secret", credentials.get("client_secret").asText()));
        Api.Response fetched = api.get("/pub/coach/" + coachId, token);
        assertThat(fetched.at("/data/attributes/first_name").asText()).isEqualTo("Clarisa");
        assertThat(fetched.at("/data/attributes/last_name").asText()).isEqualTo("Rivera");
        assertThat(fetched.at("/data/relationships/groups/data/0/id").asText()).isEqualTo(groupId);
        assertThat(fetched.at("/data/relationships/organization/data/id").asText()).isEqualTo(organizationId);
        assertThat(api.get("/pub/group/" + groupId, token).at("/data/attributes/bio").asText()).isEqualTo("About G");
        assertThat(api.get("/pub/organization/" + organizationId, token).at("/data/attributes/name").asText())
                .isEqualTo("CLI Org");
    }

    @Test
    void textOutput() {
        Fixtures.CliResult org = fixtures.cli("admin", "org", "create", "--name", "Text Org");
        assertThat(org.exitCode()).isZero();
        assertThat(org.out()).matches("created organization [0-9a-f]{24}");
        String organizationId = org.out().substring(org.out().lastIndexOf(' ') + 1);
        Fixtures.CliResult client = fixtures.cli("admin", "client", "create", "--org", organizationId);
        assertThat(client.out()).contains("client_id:").contains("client_secret:");
    }

    @Test
    void clientListAndRevoke() {
        String organizationId = fixtures.organization("List Org");
        String group = fixtures.group(organizationId, "Only");
        String orgClient = fixtures.client(organizationId).get("client_id");
        String groupClient = fixtures.client(organizationId, group).get("client_id");

        Fixtures.CliResult revoke = fixtures.cli("admin", "client", "revoke", "--client-id", orgClient, "--json");
        assertThat(revoke.exitCode()).isZero();
        assertThat(revoke.json().get("revoked").asBoolean()).isTrue();

        Fixtures.CliResult list = fixtures.cli("admin", "client", "list", "--org", organizationId, "--json");
        assertThat(list.exitCode()).isZero();
        JsonNode clients = list.json().get("clients");
        assertThat(clients.size()).isEqualTo(2);
        assertThat(clients.get(0).get("client_id").asText()).isEqualTo(orgClient);
        assertThat(clients.get(0).get("scope").asText()).isEqualTo("organization");
        assertThat(clients.get(0).get("revoked_at").isNull()).isFalse();
        assertThat(clients.get(1).get("client_id").asText()).isEqualTo(groupClient);
        assertThat(clients.get(1).get("scope").asText()).isEqualTo("group");
        assertThat(clients.get(1).get("groups").get(0).asText()).isEqualTo(group);
        assertThat(clients.get(1).get("revoked_at").isNull()).isTrue();
        assertThat(list.out()).doesNotContain("secret");

        // The table has the header and CREATED column of the other lists; REVOKED is empty for an active client.
        Fixtures.CliResult table = fixtures.cli("admin", "client", "list", "--org", organizationId);
        java.util.List<String> lines = table.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).matches("CLIENT ID {29}SCOPE {9}GROUPS {20}CREATED {19}REVOKED");
        String time = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";
        assertThat(lines.get(1)).matches(orgClient + "  organization {28}" + time + "  " + time);
        assertThat(lines.get(2)).matches(groupClient + "  group {9}" + group + "  " + time);
        assertThat(fixtures.cli("admin", "client", "list", "--org", fixtures.organization("No Clients Org")).out())
                .isEqualTo("no clients");
    }

    @Test
    void operatorMistakesExitWithOneAndAClearMessage() {
        Fixtures.CliResult unknownOrg = fixtures.cli("admin", "group", "create", "--org", "000000000000000000000000",
                "--name", "x", "--json");
        assertThat(unknownOrg.exitCode()).isEqualTo(1);
        // With --json the error is the one thing on stdout, so that X=$(… --json) scripts can test it.
        assertThat(unknownOrg.out()).isEqualTo("{\"error\":\"no organization with id 000000000000000000000000\"}");
        assertThat(unknownOrg.err()).isEmpty();

        String organizationId = fixtures.organization("Mistakes Org");
        String otherOrg = fixtures.organization("Other Org");
        String foreignGroup = fixtures.group(otherOrg, "Foreign");
        assertThat(fixtures.cli("admin", "client", "create", "--org", organizationId, "--scope", "group").exitCode())
                .isEqualTo(1);
        assertThat(fixtures.cli("admin", "client", "create", "--org", organizationId, "--scope", "group",
                "--groups", foreignGroup).exitCode()).isEqualTo(1);
        assertThat(fixtures.cli("admin", "client", "create", "--org", organizationId, "--scope", "planet").exitCode())
                .isEqualTo(1);
        assertThat(fixtures.cli("admin", "coach", "create", "--org", organizationId, "--first-name", "A",
                "--last-name", "B", "--groups", foreignGroup).exitCode()).isEqualTo(1);
        Fixtures.CliResult revokeUnknown = fixtures.cli("admin", "client", "revoke", "--client-id", "nope");
        assertThat(revokeUnknown.exitCode()).isEqualTo(1);
        assertThat(revokeUnknown.err()).contains("no client");
        assertThat(fixtures.cli("admin", "org", "create").exitCode()).isEqualTo(2);
        assertThat(fixtures.cli("admin", "client", "list", "--org", organizationId, "--json").json().get("clients").size())
                .isZero();
    }

    /** An unreachable database is the same two lines as for serve, without a stack trace, in text and JSON. */
    @Test
    void anUnreachableDatabaseIsTwoLinesAndExitOne() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        dev.openplus.config.Config unreachable = dev.openplus.config.Config.fromMap(java.util.Map.of(
                "OPENPLUS_DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + closedPort + "/openplus",
                "OPENPLUS_DATABASE_USER", "openplus"));
        for (boolean json : new boolean[] {false, true}) {
            java.io.StringWriter out = new java.io.StringWriter();
            java.io.StringWriter err = new java.io.StringWriter();
            picocli.CommandLine commandLine = dev.openplus.Main.commandLine(unreachable);
            commandLine.setOut(new java.io.PrintWriter(out));
            commandLine.setErr(new java.io.PrintWriter(err));
            int exit = json ? commandLine.execute("admin", "org", "list", "--json")
                    : commandLine.execute("admin", "org", "list");
            assertThat(exit).isEqualTo(1);
            String told = json ? out.toString() : err.toString();
            assertThat(told).contains("cannot connect to the external PostgreSQL (OPENPLUS_DATABASE_URL): Connection to 127.0.0.1:"
                    + closedPort + " refused.").doesNotContain("\tat ").doesNotContain("Exception");
            if (json) {
                assertThat(err.toString()).isEmpty();
            } else {
                assertThat(err.toString().trim().lines()).hasSize(2);
                assertThat(out.toString()).isEmpty();
            }
        }
    }

    @Test
    void listCommandsPrintTablesAndJson() {
        String organizationId = fixtures.organization("Listing Org");
        String cardiology = fixtures.group(organizationId, "Cardiology");
        Fixtures.CliResult withBio = fixtures.cli("admin", "group", "create", "--org", organizationId, "--name", "Sleep",
                "--bio", "Pilot cohort", "--json");
        String sleep = withBio.json().get("id").asText();
        String ana = fixtures.coach(organizationId, "Ana", "Silva", cardiology, sleep);
        String ben = fixtures.coach(organizationId, "Ben", "Okafor");

        Fixtures.CliResult orgs = fixtures.cli("admin", "org", "list", "--json");
        assertThat(orgs.exitCode()).isZero();
        JsonNode listed = null;
        for (JsonNode org : orgs.json().get("organizations")) {
            if (org.get("id").asText().equals(organizationId)) {
                listed = org;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.get("name").asText()).isEqualTo("Listing Org");
        assertThat(listed.get("created_at").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
        assertThat(orgs.json().size()).isEqualTo(1);
        Fixtures.CliResult orgTable = fixtures.cli("admin", "org", "list");
        assertThat(orgTable.out().lines().findFirst().orElseThrow()).matches("ID {24}NAME +CREATED");
        assertThat(orgTable.out()).containsPattern("(?m)^" + organizationId + "  Listing Org +\\d{4}-");

        Fixtures.CliResult groups = fixtures.cli("admin", "group", "list", "--org", organizationId, "--json");
        assertThat(groups.exitCode()).isZero();
        JsonNode groupList = groups.json().get("groups");
        assertThat(groupList.size()).isEqualTo(2);
        assertThat(groupList.get(0).get("id").asText()).isEqualTo(cardiology);
        assertThat(groupList.get(0).get("name").asText()).isEqualTo("Cardiology");
        assertThat(groupList.get(0).get("bio").isNull()).isTrue();
        assertThat(groupList.get(1).get("id").asText()).isEqualTo(sleep);
        assertThat(groupList.get(1).get("bio").asText()).isEqualTo("Pilot cohort");
        Fixtures.CliResult groupTable = fixtures.cli("admin", "group", "list", "--org", organizationId);
        assertThat(groupTable.out().lines().toList()).hasSize(3);
        assertThat(groupTable.out().lines().findFirst().orElseThrow()).matches("ID {24}NAME {8}BIO {11}CREATED");
        assertThat(groupTable.out()).containsPattern("(?m)^" + sleep + "  Sleep {7}Pilot cohort  \\d{4}-");

        Fixtures.CliResult coaches = fixtures.cli("admin", "coach", "list", "--org", organizationId, "--json");
        assertThat(coaches.exitCode()).isZero();
        JsonNode coachList = coaches.json().get("coaches");
        assertThat(coachList.size()).isEqualTo(2);
        assertThat(coachList.get(0).get("id").asText()).isEqualTo(ana);
        assertThat(coachList.get(0).get("first_name").asText()).isEqualTo("Ana");
        assertThat(coachList.get(0).get("last_name").asText()).isEqualTo("Silva");
        // A coach's groups are listed in id order; ids are time-ordered only to the second.
        java.util.List<String> anaGroups = java.util.stream.Stream.of(cardiology, sleep).sorted().toList();
        assertThat(coachList.get(0).get("groups").toString())
                .isEqualTo("[\"" + anaGroups.get(0) + "\",\"" + anaGroups.get(1) + "\"]");
        assertThat(coachList.get(1).get("id").asText()).isEqualTo(ben);
        assertThat(coachList.get(1).get("groups").size()).isZero();
        Fixtures.CliResult coachTable = fixtures.cli("admin", "coach", "list", "--org", organizationId);
        assertThat(coachTable.out()).contains(ana + "  Ana         Silva      " + anaGroups.get(0) + "," + anaGroups.get(1));

        String empty = fixtures.organization("Empty Org");
        assertThat(fixtures.cli("admin", "group", "list", "--org", empty).out()).isEqualTo("no groups");
        assertThat(fixtures.cli("admin", "coach", "list", "--org", empty, "--json").out()).isEqualTo("{\"coaches\":[]}");
    }

    @Test
    void listErrorsWithJsonAreOneObjectOnStdout() {
        for (String noun : new String[] {"group", "coach", "client"}) {
            Fixtures.CliResult unknown = fixtures.cli("admin", noun, "list", "--org", "000000000000000000000000", "--json");
            assertThat(unknown.exitCode()).isEqualTo(1);
            assertThat(unknown.out()).isEqualTo("{\"error\":\"no organization with id 000000000000000000000000\"}");
            assertThat(unknown.err()).isEmpty();
            Fixtures.CliResult text = fixtures.cli("admin", noun, "list", "--org", "000000000000000000000000");
            assertThat(text.exitCode()).isEqualTo(1);
            assertThat(text.out()).isEmpty();
            assertThat(text.err()).isEqualTo("openplus admin: no organization with id 000000000000000000000000");
        }
        // A usage error keeps its exit code 2; with --json it too is one object on stdout.
        Fixtures.CliResult usage = fixtures.cli("admin", "group", "list", "--json");
        assertThat(usage.exitCode()).isEqualTo(2);
        assertThat(usage.out()).isEqualTo("{\"error\":\"Missing required option: '--org=<organizationId>'\"}");
        assertThat(usage.err()).isEmpty();
        Fixtures.CliResult usageText = fixtures.cli("admin", "group", "list");
        assertThat(usageText.exitCode()).isEqualTo(2);
        assertThat(usageText.out()).isEmpty();
        assertThat(usageText.err()).startsWith("Missing required option: '--org=<organizationId>'");
    }
}
