package dev.openplus.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.Application;
import dev.openplus.config.Config;
import dev.openplus.db.Database;
import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * Two OpenPlus servers on one PostgreSQL (DESIGN §5a): the test server, and a second one that reaches the same
 * database by URL as an external database. A revocation on either, or by the admin CLI, is refused by both
 * within a second; what one writes the other reads, and kept counts are exact from both.
 */
class SeveralInstancesTest {
    /** The bound DESIGN §5a sets for a revocation to reach every instance. */
    private static final long REACH_MILLIS = 1000;

    static TestServer server;
    static Fixtures fixtures;
    static Database otherDatabase;
    static Application other;
    static Api one;
    static Api two;

    @BeforeAll
    static void setUp() throws Exception {
        server = TestServer.get();
        fixtures = new Fixtures(server);
        Config config = server.externalDatabaseConfig();
        assertThat(config.embeddedDatabase()).isFalse();
        otherDatabase = Database.open(config, true);
        other = Application.start(config, otherDatabase);
        one = server.api();
        two = new Api("http://127.0.0.1:" + other.port());
    }

    @AfterAll
    static void tearDown() {
        other.close();
        otherDatabase.close();
    }

    private static Api.Response token(Api api, Map<String, String> attributes) {
        return api.post("/pub/oauth/token", null, Api.json(Map.of("data", Map.of("type", "token",
                "attributes", attributes))));
    }

    /** Milliseconds until {@code api} refuses {@code token}, asking at most until {@link #REACH_MILLIS}. */
    private static long refusedWithin(Api api, String path, String token) throws InterruptedException {
        long start = System.nanoTime();
        while (true) {
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            int status = api.get(path, token).status();
            if (status == 401) {
                return elapsed;
            }
            assertThat(status).isEqualTo(200);
            assertThat(elapsed).as("the revocation reached the instance within " + REACH_MILLIS + " ms")
                    .isLessThan(REACH_MILLIS);
            Thread.sleep(10);
        }
    }

    @Test
    void refreshTokenReuseOnOneInstanceIsRefusedByTheOtherWithinASecond() throws Exception {
        Fixtures.Tenant tenant = fixtures.tenant("Instances Reuse Org");
        String path = "/pub/organization/" + tenant.organizationId();
        Api.Response first = token(one, Map.of("grant_type", "client_credentials",
                "client_id", tenant.client().get("client_id"), "client_secret", tenant.client().get("client_secret")));
        Map<String, String> refresh = Map.of("grant_type", "refresh_token",
                "client_id", tenant.client().get("client_id"), "refresh_token",
                first.at("/data/attributes/refresh_token").asText());
        Api.Response second = token(two, refresh);
        assertThat(second.status()).as(second.body()).isEqualTo(201);
        String access = second.at("/data/attributes/access_token").asText();
        // Both instances have checked, and cached, the new access token.
        assertThat(one.get(path, access).status()).isEqualTo(200);
        assertThat(two.get(path, access).status()).isEqualTo(200);

        // The retired refresh token is presented again on the second instance: the family is revoked.
        assertThat(token(two, refresh).status()).isEqualTo(401);
        assertThat(two.get(path, access).status()).as("the revoking instance refuses at once").isEqualTo(401);
        assertThat(refusedWithin(one, path, access)).isLessThan(REACH_MILLIS);
    }

    @Test
    void aClientRevokedByTheAdminCliIsRefusedByBothInstancesWithinASecond() throws Exception {
        Fixtures.Tenant tenant = fixtures.tenant("Instances Revoke Org");
        String path = "/pub/organization/" + tenant.organizationId();
        assertThat(one.get(path, tenant.token()).status()).isEqualTo(200);
        assertThat(two.get(path, tenant.token()).status()).isEqualTo(200);

        assertThat(fixtures.cli("admin", "client", "revoke", "--client-id", tenant.client().get("client_id"))
                .exitCode()).isZero();
        assertThat(refusedWithin(one, path, tenant.token())).isLessThan(REACH_MILLIS);
        assertThat(refusedWithin(two, path, tenant.token())).isLessThan(REACH_MILLIS);
    }

    @Test
    void writesOnEitherAreReadOnTheOtherAndKeptCountsAreExactFromBoth() {
        Fixtures.Tenant tenant = fixtures.tenant("Instances Write Org");
        String group = fixtures.group(tenant.organizationId(), "Shared");
        String onOne = createPatient(one, tenant.token(), "one", group);
        String onTwo = createPatient(two, tenant.token(), "two", group);
        assertThat(two.get("/pub/patient/" + onOne, tenant.token()).at("/data/attributes/first_name").asText())
                .isEqualTo("one");
        assertThat(one.get("/pub/patient/" + onTwo, tenant.token()).at("/data/attributes/first_name").asText())
                .isEqualTo("two");
        createPatient(two, tenant.token(), "two-again", group);

        for (Api api : List.of(one, two)) {
            String organization = "filter[organization]=" + tenant.organizationId();
            for (String list : List.of("/pub/patient?" + organization + "&page[size]=0",
                    "/pub/patient?filter[groups]=" + group + "&page[size]=0",
                    "/pub/patient?" + organization + "&page[limit]=0")) {
                Api.Response counted = api.get(list, tenant.token());
                assertThat(counted.status()).as(counted.body()).isEqualTo(200);
                assertThat(counted.at("/meta/count").asLong()).as(list).isEqualTo(3);
            }
        }
    }

    private static String createPatient(Api api, String token, String name, String group) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("first_name", name);
        List<Object> groups = new ArrayList<>(List.of(Map.of("type", "group", "id", group)));
        Api.Response created = api.post("/pub/patient", token, Api.json(Map.of("data", Map.of("type", "patient",
                "attributes", attributes, "relationships", Map.of("groups", Map.of("data", groups))))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.at("/data/id").asText();
    }
}
