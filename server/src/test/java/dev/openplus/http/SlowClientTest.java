package dev.openplus.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.openplus.Application;
import dev.openplus.config.Config;
import dev.openplus.support.Fixtures;
import dev.openplus.support.RawHttp;
import dev.openplus.support.TestServer;

/**
 * DESIGN §5a: slow clients cannot hold request threads. Six connections trickle a body a byte at a time into the
 * token endpoint (no credentials needed) of a server with 8 request threads, while other requests must still be
 * answered at once, and the trickling ones are cut off at their deadline.
 */
class SlowClientTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    @Test
    void tricklingBodiesHoldNoRequestThreadAndAreAnswered408AtTheirDeadline() throws Exception {
        TestServer server = TestServer.get();
        Fixtures.Tenant tenant = new Fixtures(server).tenant("Slow Client Org");
        String group = new Fixtures(server).apiGroup(tenant, "fast");
        // A body may take 2 s, plus a second per 1000 bytes that arrived: a byte every 300 ms falls behind at 2 s.
        Config config = Config.fromMap(Map.of("OPENPLUS_PORT", "0", "OPENPLUS_HTTP_THREADS", "8",
                "OPENPLUS_HTTP_BODY_TIMEOUT", "2", "OPENPLUS_HTTP_MIN_BODY_RATE", "1000",
                "OPENPLUS_DATA_DIR", server.config.dataDir().toString()));
        ExecutorService tricklers = Executors.newFixedThreadPool(6);
        try (Application application = Application.start(config, server.database)) {
            int port = application.port();
            long start = System.nanoTime();
            List<Future<RawHttp.Response>> trickled = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                trickled.add(tricklers.submit(() -> trickle(port, start)));
            }
            Thread.sleep(700); // every trickler connected and sending
            for (int round = 0; round < 3; round++) {
                assertAnsweredWithinOneSecond(port, "/health", null, 200);
                assertAnsweredWithinOneSecond(port, "/pub/group/" + group, tenant.token(), 200);
                Thread.sleep(300);
            }
            for (Future<RawHttp.Response> future : trickled) {
                RawHttp.Response answer = future.get(15, TimeUnit.SECONDS);
                assertThat(answer.status()).as(answer.toString()).isEqualTo(408);
                assertThat(answer.header("Content-Type")).isEqualTo("application/vnd.api+json");
                assertThat(answer.header("Connection")).isEqualTo("close");
                assertThat(answer.at("/errors/0/code").asText()).isEqualTo("RequestTimeout");
                assertThat(answer.at("/errors/0/status").asText()).isEqualTo("408");
                assertThat(answer.at("/meta/req_id").asText()).isEqualTo(answer.header("X-Request-Id"));
            }
            // Answered at the deadline (2 s and a few bytes' worth), well before the trickle would have ended.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(4500));
        } finally {
            tricklers.shutdownNow();
        }
    }

    @Test
    void theDeadlineIsConfigurableWithDefaultsNoRealClientMeets() {
        Config defaults = Config.fromMap(Map.of());
        assertThat(defaults.httpBodyTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.httpMinBodyRate()).isEqualTo(1024);
        Config set = Config.fromMap(Map.of("OPENPLUS_HTTP_BODY_TIMEOUT", "5", "OPENPLUS_HTTP_MIN_BODY_RATE", "100"));
        assertThat(set.httpBodyTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(set.withPort(1).httpMinBodyRate()).isEqualTo(100);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> Config.fromMap(Map.of("OPENPLUS_HTTP_MIN_BODY_RATE", "0")))
                .hasMessage("OPENPLUS_HTTP_MIN_BODY_RATE must be at least 1, got 0");
    }

    /**
     * A token request announcing 200 bytes and sending one every 300 ms, for at most 8 s; then what the server
     * answered (or an empty status when it closed without one).
     */
    private static RawHttp.Response trickle(int port, long start) throws IOException {
        try (Socket socket = RawHttp.connect(port, 15_000)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /pub/oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 200\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            try {
                while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(8)) {
                    out.write('{');
                    out.flush();
                    Thread.sleep(300);
                    if (socket.getInputStream().available() > 0) {
                        break; // answered
                    }
                }
            } catch (IOException | InterruptedException closed) {
                // the server closed the connection: read what it said first
            }
            return RawHttp.read(socket.getInputStream());
        }
    }

    private static void assertAnsweredWithinOneSecond(int port, String path, String token, int status)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(1)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        long sent = System.nanoTime();
        HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(status);
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).as(path).isLessThan(Duration.ofSeconds(1));
    }
}
