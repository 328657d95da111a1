package dev.openplus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.openplus.Application;
import dev.openplus.Main;
import dev.openplus.config.Config;
import dev.openplus.config.StartupFailure;
import dev.openplus.support.TestServer;
import picocli.CommandLine;

/**
 * {@code serve} when it cannot start: two lines on stderr saying what is wrong and what to do, exit code 1, no
 * stack trace unless {@code --verbose}, and nothing started (no embedded PostgreSQL: its data directory is not even
 * created) when the address or a port is wrong.
 */
class ServeStartupTest {
    private static final String ADDRESS_REMEDY = "Set OPENPLUS_BIND_ADDRESS to 127.0.0.1 (this host only), 0.0.0.0 "
            + "(every interface) or the address of one of this machine's interfaces.";

    private record Run(int exitCode, String out, String err) {
    }

    private static Run serve(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine(Config.fromMap(env));
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 1];
        all[0] = "serve";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = commandLine.execute(all);
        return new Run(exit, out.toString(), err.toString());
    }

    /** An environment with a data directory that does not exist yet: a PostgreSQL started there would create it. */
    private static Map<String, String> environment(Path dataDir, String... pairs) {
        Map<String, String> env = new HashMap<>(Map.of("OPENPLUS_DATA_DIR", dataDir.toString()));
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static Path unusedDataDir() throws Exception {
        return Files.createTempDirectory(Path.of("target").toAbsolutePath(), "serve-startup-").resolve("data");
    }

    @Test
    void aBindAddressOfAnotherMachineIsNamedAsSuch() throws Exception {
        for (String address : new String[] {"127.0.0.x", "192.0.2.1"}) {
            Path dataDir = unusedDataDir();
            Run run = serve(environment(dataDir, "OPENPLUS_BIND_ADDRESS", address, "OPENPLUS_PORT", "0"));
            assertThat(run.exitCode()).as(address).isEqualTo(1);
            assertThat(run.err()).as(address).isEqualTo("openplus serve: OPENPLUS_BIND_ADDRESS=" + address
                    + " is not an address of this machine.\n" + ADDRESS_REMEDY + "\n");
            assertThat(run.out()).isEmpty();
            assertThat(dataDir).as("no PostgreSQL was started").doesNotExist();
        }
    }

    @Test
    void theManagementPortMustDifferFromTheApiPort() throws Exception {
        Path dataDir = unusedDataDir();
        Run run = serve(environment(dataDir, "OPENPLUS_PORT", "18099", "OPENPLUS_MANAGEMENT_PORT", "18099"));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("openplus serve: OPENPLUS_MANAGEMENT_PORT is 18099, the API port too.\n"
                + "Choose another management port, or unset OPENPLUS_MANAGEMENT_PORT to serve /health, /ready and "
                + "/metrics on the API port.\n");
        assertThat(dataDir).as("no PostgreSQL was started").doesNotExist();
        // --port overrides OPENPLUS_PORT and is checked the same way.
        assertThat(serve(environment(dataDir, "OPENPLUS_PORT", "18098", "OPENPLUS_MANAGEMENT_PORT", "18099"),
                "--port", "18099").err()).startsWith("openplus serve: OPENPLUS_MANAGEMENT_PORT is 18099, the API port too.");
    }

    @Test
    void aBusyPortIsFoundBeforeAnyPostgresStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            Path dataDir = unusedDataDir();
            Run run = serve(environment(dataDir), "--port", Integer.toString(port));
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).isEqualTo("openplus serve: the API port " + port + " on 127.0.0.1 is already in use "
                    + "(by another OpenPlus server or another program).\n"
                    + "Stop that program, or choose another port with --port or OPENPLUS_PORT.\n");
            assertThat(dataDir).as("no PostgreSQL was started").doesNotExist();

            Run management = serve(environment(dataDir, "OPENPLUS_PORT", "0", "OPENPLUS_MANAGEMENT_PORT",
                    Integer.toString(port)));
            assertThat(management.exitCode()).isEqualTo(1);
            assertThat(management.err()).isEqualTo("openplus serve: the management port " + port + " on 127.0.0.1 is "
                    + "already in use (by another OpenPlus server or another program).\n"
                    + "Stop that program, or choose another port in OPENPLUS_MANAGEMENT_PORT.\n");
            assertThat(dataDir).as("no PostgreSQL was started").doesNotExist();
        }
    }

    /**
     * A failure to bind that only the web server meets (here: no check ran before it) is explained by the same
     * check, not reported as Javalin's "Port already in use" whatever it was.
     */
    @Test
    void aFailureToBindInTheWebServerIsExplainedTheSameWay() throws Exception {
        TestServer server = TestServer.get();
        assertThatThrownBy(() -> Application.start(server.config.withPort(0).withBindAddress("192.0.2.1"),
                server.database)).isInstanceOf(StartupFailure.class)
                .hasMessage("OPENPLUS_BIND_ADDRESS=192.0.2.1 is not an address of this machine.\n" + ADDRESS_REMEDY);
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> Application.start(server.config.withPort(port), server.database))
                    .isInstanceOf(StartupFailure.class)
                    .hasMessage("the API port " + port + " on 127.0.0.1 is already in use (by another OpenPlus "
                            + "server or another program).\nStop that program, or choose another port with --port or "
                            + "OPENPLUS_PORT.");
        }
    }

    @Test
    void verboseAddsTheStackTrace() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            Run quiet = serve(environment(unusedDataDir()), "--port", Integer.toString(port));
            assertThat(quiet.err()).doesNotContain("\tat ").doesNotContain("Exception");
            Run verbose = serve(environment(unusedDataDir()), "--port", Integer.toString(port), "--verbose");
            assertThat(verbose.exitCode()).isEqualTo(1);
            assertThat(verbose.err()).startsWith(quiet.err())
                    .contains("dev.openplus.config.StartupFailure: the API port " + port)
                    .contains("\tat dev.openplus.http.ListenCheck.check(")
                    .contains("Caused by: java.net.BindException");
        }
    }

    @Test
    void anUnreachableExternalDatabaseIsTwoLines() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            closed = socket.getLocalPort();
        }
        Run run = serve(environment(unusedDataDir(), "OPENPLUS_PORT", "0",
                "OPENPLUS_DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + closed + "/openplus",
                "OPENPLUS_DATABASE_USER", "openplus"));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("openplus serve: cannot connect to the external PostgreSQL "
                + "(OPENPLUS_DATABASE_URL): Connection to 127.0.0.1:" + closed + " refused.\n"
                + "Check that it is running and reachable from this host, and OPENPLUS_DATABASE_URL, "
                + "OPENPLUS_DATABASE_USER and OPENPLUS_DATABASE_PASSWORD.\n");
    }

    @Test
    void aDatabaseThatDoesNotExistIsNamed() throws Exception {
        TestServer server = TestServer.get();
        Run run = serve(environment(unusedDataDir(), "OPENPLUS_PORT", "0",
                "OPENPLUS_DATABASE_URL", server.jdbcUrl("no_such_database"), "OPENPLUS_DATABASE_USER", "postgres"));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("openplus serve: the external PostgreSQL has no such database: "
                + "FATAL: database \"no_such_database\" does not exist.\n"
                + "Create it (docs/operations.md, External PostgreSQL) or correct OPENPLUS_DATABASE_URL.\n");
    }

    @Test
    void rotatingTheDemoClientNeedsDemo() throws Exception {
        Path dataDir = unusedDataDir();
        Run run = serve(environment(dataDir, "OPENPLUS_PORT", "0"), "--rotate-demo-client");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("--rotate-demo-client needs --demo\n");
        assertThat(dataDir).doesNotExist();
    }
}
