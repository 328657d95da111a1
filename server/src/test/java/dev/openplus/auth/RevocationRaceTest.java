package dev.openplus.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.openplus.config.Config;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * A cache miss that read a token before a revocation must not cache it after the revocation's eviction: the
 * interleaving is forced with a latch between the read and the caching, so the test sees it every time.
 */
class RevocationRaceTest {
    private TestServer server;
    private Fixtures fixtures;
    private TokenService tokens;
    private ExecutorService executor;

    @BeforeEach
    void setUp() {
        server = TestServer.get();
        fixtures = new Fixtures(server);
        tokens = new TokenService(server.database, Duration.ofHours(1), Duration.ofDays(1),
                Config.fromMap(Map.of()).authLimits(), new SimpleMeterRegistry());
        executor = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
        tokens.close();
    }

    /** Runs {@code revocation} while a cache miss of {@code accessToken} stands between its read and its caching. */
    private Principal authenticateAcross(String accessToken, Runnable revocation) throws Exception {
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch revoked = new CountDownLatch(1);
        tokens.afterTokenRead(() -> {
            read.countDown();
            try {
                revoked.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Future<Principal> inFlight = executor.submit(() -> tokens.authenticate(accessToken, () -> "192.0.2.1"));
        assertThat(read.await(10, TimeUnit.SECONDS)).as("the cache miss read the token").isTrue();
        revocation.run();
        revoked.countDown();
        Principal principal = inFlight.get(10, TimeUnit.SECONDS);
        tokens.afterTokenRead(() -> {
        });
        return principal;
    }

    @Test
    void aClientRevokedDuringACacheMissIsRefusedAfterwards() throws Exception {
        Map<String, String> client = fixtures.client(fixtures.organization("Race Org Client"));
        String clientId = client.get("client_id");
        String access = tokens.clientCredentials(clientId, client.get("client_secret"), "192.0.2.1").accessToken();

        Principal inFlight = authenticateAcross(access, () -> {
            // What the admin CLI and the revocation listener do: commit the revocation, then evict.
            server.database.transaction(dsl -> new ClientRepository().revoke(dsl, clientId));
            tokens.evictClient(clientId);
        });

        // The request in flight read the token before the revocation committed: it may be served.
        assertThat(inFlight.clientId()).isEqualTo(clientId);
        // Everything after the revocation is refused.
        assertThatThrownBy(() -> tokens.authenticate(access, () -> "192.0.2.1"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(401));
    }

    @Test
    void aFamilyRevokedByRefreshTokenReuseDuringACacheMissIsRefusedAfterwards() throws Exception {
        Map<String, String> client = fixtures.client(fixtures.organization("Race Org Family"));
        String clientId = client.get("client_id");
        TokenService.IssuedToken first = tokens.clientCredentials(clientId, client.get("client_secret"), "192.0.2.1");
        TokenService.IssuedToken second = tokens.refresh(clientId, null, first.refreshToken(), "192.0.2.1");

        authenticateAcross(second.accessToken(), () -> assertThatThrownBy(
                () -> tokens.refresh(clientId, null, first.refreshToken(), "192.0.2.1"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("already used")));

        assertThatThrownBy(() -> tokens.authenticate(second.accessToken(), () -> "192.0.2.1"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(401));
    }
}
