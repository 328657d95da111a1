package dev.openplus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.openplus.Application;
import dev.openplus.config.Config;
import dev.openplus.db.Database;
import dev.openplus.support.Api;
import dev.openplus.support.LogCapture;
import dev.openplus.support.TestServer;

/**
 * {@code serve --demo} started again and again on one database: the demo client's id is shown again (its secret
 * cannot be), {@code --rotate-demo-client} replaces it, and one demo client is active whatever happens. Then the
 * stop's log lines, with a request in progress that the stop waits for.
 */
class DemoClientTest {
    private static final Pattern CLIENT_ID = Pattern.compile("(?m)^  client_id: +(\\S+)$");
    private static final Pattern CLIENT_SECRET = Pattern.compile("(?m)^  client_secret: +(\\S+)$");

    @Test
    void restartsShowTheDemoClientAgainAndRotationReplacesIt() throws Exception {
        TestServer server = TestServer.get();
        String url;
        try (Connection shared = server.database.dedicatedConnection(); Statement statement = shared.createStatement()) {
            statement.execute("drop database if exists demo_restarts");
            statement.execute("create database demo_restarts");
        }
        url = server.jdbcUrl("demo_restarts");
        Path unusedDataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "demo-restarts-");
        Config config = Config.fromMap(Map.of("OPENPLUS_DATABASE_URL", url, "OPENPLUS_DATABASE_USER", "postgres",
                "OPENPLUS_DATA_DIR", unusedDataDir.toString(), "OPENPLUS_PORT", "0"));
        Database database = Database.open(config, true);
        Application application = Application.start(config, database);
        ServeCommand.Running running = new ServeCommand.Running(application, database);
        boolean stopped = false;
        try {
            Api api = new Api("http://127.0.0.1:" + application.port());

            String first = seed(running, false);
            assertThat(first).contains("Demo organization \"OpenPlus Demo Health\" is ready. A client for it:");
            String clientId = group(CLIENT_ID, first);
            String secret = group(CLIENT_SECRET, first);
            assertThat(tokenStatus(api, clientId, secret)).isEqualTo(201);

            for (int restart = 0; restart < 2; restart++) {
                String again = seed(running, false);
                assertThat(again).isEqualTo("\nDemo organization \"OpenPlus Demo Health\" is already set up. Its demo "
                        + "client:\n  client_id:     " + clientId + "\nIts secret was printed when it was issued and "
                        + "cannot be shown again (only a hash is stored).\nFor a new secret, start with ./openplus serve --demo "
                        + "--rotate-demo-client: that revokes this client and prints a new one.\n");
            }
            assertThat(activeDemoClients(database)).containsExactly(clientId);
            assertThat(clientCount(database)).isEqualTo(1);

            String rotated = seed(running, true);
            assertThat(rotated).contains("Demo client " + clientId + " is revoked. The new demo client of "
                    + "\"OpenPlus Demo Health\":");
            String newId = group(CLIENT_ID, rotated);
            String newSecret = group(CLIENT_SECRET, rotated);
            assertThat(newId).isNotEqualTo(clientId);
            assertThat(activeDemoClients(database)).containsExactly(newId);
            assertThat(tokenStatus(api, clientId, secret)).isEqualTo(401);
            assertThat(tokenStatus(api, newId, newSecret)).isEqualTo(201);
            assertThat(seed(running, false)).contains("  client_id:     " + newId + "\n")
                    .doesNotContain("client_secret");

            // A demo client revoked by hand (admin client revoke): the next start issues one, still only one.
            database.dsl().execute("update api_client set revoked_at = now() where client_id = ?", newId);
            String reissued = seed(running, false);
            assertThat(reissued).contains("had no active demo client. A new one:");
            assertThat(activeDemoClients(database)).containsExactly(group(CLIENT_ID, reissued));

            // The stop: the request in progress (its body half sent) is waited for, and answered.
            try (LogCapture log = new LogCapture(ServeCommand.class); Socket socket = new Socket("127.0.0.1",
                    application.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /pub/oauth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 2\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                waitFor(() -> application.requestsInProgress() == 1);
                CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> ServeCommand.stop(running));
                waitFor(() -> log.lines().contains("INFO stopping: draining 1 request"));
                assertThat(stop).isNotDone();
                out.write('}');
                out.flush();
                InputStream in = socket.getInputStream();
                String answer = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
                assertThat(answer).isEqualTo("HTTP/1.1 409");
                stop.get(30, TimeUnit.SECONDS);
                assertThat(log.lines()).containsExactly("INFO stopping: draining 1 request", "INFO stopped");
            }
            stopped = true;
        } finally {
            if (!stopped) {
                ServeCommand.stop(running);
            }
        }
    }

    private static String seed(ServeCommand.Running running, boolean rotate) {
        StringWriter out = new StringWriter();
        DemoData.seed(running.database(), running.application().writer(), "http://127.0.0.1", rotate,
                new PrintWriter(out));
        return out.toString().replace(System.lineSeparator(), "\n");
    }

    private static String group(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        assertThat(matcher.find()).as(pattern + " in " + text).isTrue();
        return matcher.group(1);
    }

    private static java.util.List<String> activeDemoClients(Database database) {
        return database.dsl().fetch("select client_id from api_client where demo and revoked_at is null")
                .getValues(0, String.class);
    }

    private static int clientCount(Database database) {
        return database.dsl().fetchOne("select count(*) from api_client").get(0, Integer.class);
    }

    private static int tokenStatus(Api api, String clientId, String secret) {
        return api.send("POST", "/pub/oauth/token", null, "application/json", Api.json(Map.of(
                "grant_type", "client_credentials", "client_id", clientId, "client_secret", secret)),
                java.util.List.of()).status();
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
