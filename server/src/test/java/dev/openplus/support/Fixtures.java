package dev.openplus.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.openplus.Main;
import dev.openplus.config.Config;
import picocli.CommandLine;

/** Test data made the way an operator makes it: through the admin CLI, against the test database. */
public final class Fixtures {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Config config;
    private final Api api;

    public Fixtures(TestServer server) {
        this(server.config, server.api());
    }

    /** Against a server of a test's own, on its own database. */
    public Fixtures(Config config, Api api) {
        this.config = config;
        this.api = api;
    }

    /** What a CLI run printed and returned. */
    public record CliResult(int exitCode, String out, String err) {
        public JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (Exception e) {
                throw new AssertionError("stdout is not JSON: " + out + " / stderr: " + err, e);
            }
        }
    }

    public CliResult cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine(config);
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        int exit = commandLine.execute(args);
        return new CliResult(exit, out.toString().trim(), err.toString().trim());
    }

    private String createdId(String... args) {
        CliResult result = cli(args);
        assertThat(result.exitCode()).as(result.err()).isZero();
        return result.json().get("id").asText();
    }

    public String organization(String name) {
        return createdId("admin", "org", "create", "--name", name, "--json");
    }

    public String group(String organizationId, String name) {
        return createdId("admin", "group", "create", "--org", organizationId, "--name", name, "--json");
    }

    /** A group created through POST /pub/group: much cheaper than the CLI inside loops. */
    public String apiGroup(Tenant tenant, String name) {
        Api.Response response = api.post("/pub/group", tenant.token(),
                Api.json(Map.of("data", Map.of("type", "group", "attributes", Map.of("name", name)))));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.at("/data/id").asText();
    }

    public String coach(String organizationId, String first, String last, String... groupIds) {
        List<String> args = new ArrayList<>(List.of("admin", "coach", "create", "--org", organizationId,
                "--first-name", first, "--last-name", last, "--json"));
        if (groupIds.length > 0) {
            args.add("--groups");
            args.add(String.join(",", groupIds));
        }
        return createdId(args.toArray(String[]::new));
    }

    /** client_id and client_secret of a new client; groupIds make it group-scoped. */
    public Map<String, String> client(String organizationId, String... groupIds) {
        List<String> args = new ArrayList<>(List.of("admin", "client", "create", "--org", organizationId, "--json"));
        if (groupIds.length > 0) {
            args.addAll(List.of("--scope", "group", "--groups", String.join(",", groupIds)));
        }
        CliResult result = cli(args.toArray(String[]::new));
        assertThat(result.exitCode()).as(result.err()).isZero();
        return Map.of("client_id", result.json().get("client_id").asText(),
                "client_secret", result.json().get("client_secret").asText());
    }

    /** A token response (JSON:API form) for the client. */
    public Api.Response tokenResponse(Map<String, String> client) {
        return api.post("/pub/oauth/token", null, Api.json(Map.of("data", Map.of("type", "token",
                "attributes", Map.of("grant_type", "client_credentials", "client_id", client.get("client_id"),
                        "client_secret", client.get("client_secret"))))));
    }

    public String token(Map<String, String> client) {
        Api.Response response = tokenResponse(client);
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.at("/data/attributes/access_token").asText();
    }

    /** An organization with one organization-scoped client, ready to call the API. */
    public Tenant tenant(String name) {
        String organizationId = organization(name);
        Map<String, String> client = client(organizationId);
        return new Tenant(organizationId, client, token(client));
    }

    public record Tenant(String organizationId, Map<String, String> client, String token) {
    }
}
