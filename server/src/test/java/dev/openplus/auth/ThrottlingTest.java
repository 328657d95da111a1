package dev.openplus.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.Application;
import dev.openplus.config.Config;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Failed credentials are throttled per client id and per source address, unknown and known clients cost the
 * same hash, and the hashing queue is bounded. A second server on the test database has low limits of its own
 * and takes the caller's address from X-Forwarded-For, so that each test can act from addresses of its own.
 */
class ThrottlingTest {
    /** 3 failures per client id, 6 per address, each regaining one a minute; one hashing thread. */
    static final Config.AuthLimits LOW = new Config.AuthLimits(3, 1, 6, 1, "X-Forwarded-For", 1, 8);

    static TestServer server;
    static Fixtures fixtures;
    static Application throttled;
    static Api api;
    static String organizationId;

    @BeforeAll
    static void setUp() throws Exception {
        server = TestServer.get();
        fixtures = new Fixtures(server);
        organizationId = fixtures.organization("Throttled Org");
        throttled = Application.start(server.config.withPort(0).withAuthLimits(LOW), server.database);
        api = new Api("http://127.0.0.1:" + throttled.port());
    }

    @AfterAll
    static void tearDown() {
        throttled.close();
    }

    private static Api.Response token(String clientId, String secret, String address) {
        return api.send("POST", "/pub/oauth/token", null, Api.JSON_API, Api.json(Map.of("data", Map.of("type", "token",
                "attributes", Map.of("grant_type", "client_credentials", "client_id", clientId,
                        "client_secret", secret)))), List.of("X-Forwarded-For", address));
    }

    private static void assertTooManyRequests(Api.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(429);
        assertThat(response.at("/errors/0/status").asText()).isEqualTo("429");
        assertThat(response.at("/errors/0/code").asText()).isEqualTo("TooManyRequests");
        assertThat(response.at("/meta/req_id").asText()).isNotEmpty();
        assertThat(Long.parseLong(response.header("Retry-After").orElseThrow())).isBetween(1L, 60L);
    }

    private static double hashes() {
        String scrape = api.get("/metrics", null).body();
        return scrape.lines().filter(line -> line.startsWith("openplus_secret_hashes_total "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.indexOf(' ') + 1))).findFirst()
                .orElseThrow();
    }

    @Test
    void aBurstOfWrongSecretsIsThrottledWhileTheRightClientStillGetsTokens() {
        Map<String, String> client = fixtures.client(organizationId);
        String clientId = client.get("client_id");
        assertThat(token(clientId, client.get("client_secret"), "198.51.100.1").status()).isEqualTo(201);

        for (int i = 0; i < 3; i++) {
            Api.Response wrong = token(clientId, "guess-" + i, "198.51.100.2");
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.at("/errors/0/code").asText()).isEqualTo("InvalidCredentials");
        }
        double before = hashes();
        // The client id's bucket is empty: refused before any hash, from this address and from any other.
        assertTooManyRequests(token(clientId, "guess-3", "198.51.100.2"));
        assertTooManyRequests(token(clientId, "guess-4", "198.51.100.3"));
        // A form request is refused the same way (RFC 6749 has no error for it).
        Api.Response form = api.sendOutsideContract("POST", "/pub/oauth/token", null,
                "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=" + clientId
                        + "&client_secret=guess-5", List.of("X-Forwarded-For", "198.51.100.3"));
        assertTooManyRequests(form);
        assertThat(hashes()).isEqualTo(before);

        // The real client proves its secret without a hash, so the attacker does not lock it out.
        Api.Response real = token(clientId, client.get("client_secret"), "198.51.100.1");
        assertThat(real.status()).as(real.body()).isEqualTo(201);
        assertThat(api.get("/pub/organization/" + organizationId, real.at("/data/attributes/access_token").asText())
                .status()).isEqualTo(200);
    }

    @Test
    void failuresFromOneAddressAreThrottledWhateverClientIdTheyName() {
        String address = "198.51.100.20";
        for (int i = 0; i < 6; i++) {
            assertThat(token("no-such-client-" + i, "guess", address).status()).isEqualTo(401);
        }
        assertTooManyRequests(token("no-such-client-6", "guess", address));
        // Another address is not affected.
        Map<String, String> client = fixtures.client(organizationId);
        assertThat(token(client.get("client_id"), client.get("client_secret"), "198.51.100.21").status()).isEqualTo(201);
    }

    @Test
    void unknownRevokedAndKnownClientsWithAWrongSecretCostOneHashEach() {
        Map<String, String> known = fixtures.client(organizationId);
        Map<String, String> revoked = fixtures.client(organizationId);
        assertThat(fixtures.cli("admin", "client", "revoke", "--client-id", revoked.get("client_id")).exitCode()).isZero();

        double start = hashes();
        Api.Response wrongSecret = token(known.get("client_id"), "wrong", "198.51.100.30");
        assertThat(hashes()).isEqualTo(start + 1);
        Api.Response unknown = token("00000000-0000-0000-0000-000000000000", "wrong", "198.51.100.31");
        assertThat(hashes()).isEqualTo(start + 2);
        Api.Response revokedClient = token(revoked.get("client_id"), revoked.get("client_secret"), "198.51.100.32");
        assertThat(hashes()).isEqualTo(start + 3);
        // And the answers are the same.
        for (Api.Response response : List.of(wrongSecret, unknown, revokedClient)) {
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.at("/errors").toString()).isEqualTo(wrongSecret.at("/errors").toString());
        }
    }

    @Test
    void failedBearerTokensAreThrottledPerAddress() {
        Map<String, String> client = fixtures.client(organizationId);
        String valid = token(client.get("client_id"), client.get("client_secret"), "198.51.100.40")
                .at("/data/attributes/access_token").asText();
        String address = "198.51.100.41";
        String path = "/pub/organization/" + organizationId;
        assertThat(get(path, valid, address).status()).isEqualTo(200); // now cached
        for (int i = 0; i < 6; i++) {
            assertThat(get(path, "not-a-token-" + i, address).status()).isEqualTo(401);
        }
        Api.Response refused = get(path, "not-a-token-6", address);
        assertTooManyRequests(refused);
        assertThat(refused.header("WWW-Authenticate")).isEmpty();
        // A token already checked costs nothing and is still served; other addresses are not affected.
        assertThat(get(path, valid, address).status()).isEqualTo(200);
        assertThat(get(path, "not-a-token-7", "198.51.100.42").status()).isEqualTo(401);
    }

    private static Api.Response get(String path, String token, String address) {
        return api.send("GET", path, token, null, null, List.of("X-Forwarded-For", "203.0.113.9, " + address));
    }

    @Test
    void aFullHashingQueueIsRefusedAtOnce() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // A stored hash of 2 million iterations keeps the one hashing thread busy for a second or more.
        String slow = "pbkdf2-sha256$2000000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        try (SecretHasher hasher = new SecretHasher(1, 1, registry)) {
            CompletableFuture<Boolean> running = CompletableFuture.supplyAsync(() -> hasher.verify("x", slow));
            waitFor(() -> registry.get("openplus_secret_hashes").counter().count() == 1);
            CompletableFuture<Boolean> queued = CompletableFuture.supplyAsync(() -> hasher.verify("x", slow));
            waitFor(() -> registry.get("openplus_secret_hash_queue").gauge().value() == 1);

            long start = System.nanoTime();
            assertThatThrownBy(() -> hasher.verify("x", slow)).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.status()).isEqualTo(429);
                assertThat(e.retryAfterSeconds()).isEqualTo(1);
            });
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(500);
            assertThat(registry.get("openplus_secret_hash_rejected").counter().count()).isEqualTo(1);
            assertThat(running.get(30, TimeUnit.SECONDS)).isFalse();
            assertThat(queued.get(30, TimeUnit.SECONDS)).isFalse();
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition reached in time").isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
