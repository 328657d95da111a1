package dev.openplus.patient;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.Application;
import dev.openplus.config.IdentifierUniqueness;
import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * Unique identifiers: within the organization by default, across the installation where the operator chose it
 * (a second server on the same database, OPENPLUS_IDENTIFIER_UNIQUENESS=installation), and upserts of one new
 * identifier that race each other all succeed on one patient.
 */
class IdentifierUniquenessTest {
    static Api api;
    static Fixtures fixtures;
    static Fixtures.Tenant alpha;
    static Fixtures.Tenant beta;
    static String alphaGroup;
    static String betaGroup;
    static Application installationWide;
    static Api installationApi;

    @BeforeAll
    static void setUp() throws Exception {
        TestServer server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        alpha = fixtures.tenant("Uniqueness Alpha");
        beta = fixtures.tenant("Uniqueness Beta");
        alphaGroup = fixtures.apiGroup(alpha, "Alpha Patients");
        betaGroup = fixtures.apiGroup(beta, "Beta Patients");
        installationWide = Application.start(server.config.withPort(0)
                .withIdentifierUniqueness(IdentifierUniqueness.INSTALLATION), server.database);
        installationApi = new Api("http://127.0.0.1:" + installationWide.port());
    }

    @AfterAll
    static void tearDown() {
        if (installationWide != null) {
            installationWide.close();
        }
    }

    private static String patient(String group, String system, String value) {
        return Api.json(Map.of("data", Map.of("type", "patient", "attributes", Map.of("first_name", "Uniq",
                "identifiers", List.of(Map.of("system", system, "value", value))),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group)))))));
    }

    private static String upsert(String group, String system, String value, String firstName) {
        return Api.json(Map.of("meta", Map.of("query", Map.of("identifier", Map.of("system", system, "value", value),
                "groups", List.of(group))),
                "data", Map.of("type", "patient", "attributes", Map.of("first_name", firstName))));
    }

    private static long patientsHolding(Fixtures.Tenant tenant, String system, String value) {
        Api.Response list = api.get("/pub/patient?filter[organization]=" + tenant.organizationId()
                + "&filter[identifier][system]=" + system + "&filter[identifier][value]=" + value, tenant.token());
        assertThat(list.status()).as(list.body()).isEqualTo(200);
        return list.at("/meta/count").asLong();
    }

    @Test
    void withinAnOrganizationAnIdentifierIsUniqueAndElsewhereItIsFree() {
        String value = "MRN-" + System.nanoTime();
        Api.Response first = api.post("/pub/patient", alpha.token(), patient(alphaGroup, "EHR", value));
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        Api.Response again = api.post("/pub/patient", alpha.token(), patient(alphaGroup, "EHR", value));
        assertThat(again.status()).as(again.body()).isEqualTo(409);
        assertThat(again.at("/errors/0/code").asText()).isEqualTo("InvalidBodyParameter");
        assertThat(again.at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/identifiers/0");
        Api.Response elsewhere = api.post("/pub/patient", beta.token(), patient(betaGroup, "EHR", value));
        assertThat(elsewhere.status()).as(elsewhere.body()).isEqualTo(201);
        assertThat(patientsHolding(alpha, "EHR", value)).isEqualTo(1);
        assertThat(patientsHolding(beta, "EHR", value)).isEqualTo(1);
    }

    @Test
    void installationWideUniquenessRefusesAnotherOrganizationsIdentifierWithoutNamingIt() {
        String value = "MRN-" + System.nanoTime();
        Api.Response held = installationApi.post("/pub/patient", alpha.token(), patient(alphaGroup, "EHR", value));
        assertThat(held.status()).as(held.body()).isEqualTo(201);
        String heldId = held.at("/data/id").asText();
        for (Api.Response clash : List.of(
                installationApi.post("/pub/patient", beta.token(), patient(betaGroup, "EHR", value)),
                installationApi.send("PUT", "/pub/patient", beta.token(), Api.JSON_API,
                        upsert(betaGroup, "EHR", value, "Beta"), List.of()))) {
            assertThat(clash.status()).as(clash.body()).isEqualTo(409);
            assertThat(clash.at("/errors/0/code").asText()).isEqualTo("InvalidBodyParameter");
            assertThat(clash.at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/identifiers/0");
            assertThat(clash.body()).doesNotContain(heldId).doesNotContain(alpha.organizationId())
                    .doesNotContain("Uniqueness Alpha");
        }
        assertThat(patientsHolding(beta, "EHR", value)).isZero();
        // A non-unique identifier is anyone's.
        Api.Response shared = installationApi.post("/pub/patient", beta.token(), Api.json(Map.of("data", Map.of(
                "type", "patient", "attributes", Map.of("identifiers", List.of(Map.of("system", "EHR", "value", value,
                        "unique", false))),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", betaGroup))))))));
        assertThat(shared.status()).as(shared.body()).isEqualTo(201);
    }

    @Test
    void installationWideUniquenessHoldsUnderConcurrentCreatesOfTwoOrganizations() throws Exception {
        String value = "MRN-" + System.nanoTime();
        List<Integer> statuses = concurrently(10, i -> installationApi.post("/pub/patient",
                (i % 2 == 0 ? alpha : beta).token(), patient(i % 2 == 0 ? alphaGroup : betaGroup, "EHR", value)));
        assertThat(statuses).containsOnly(201, 409);
        assertThat(statuses.stream().filter(status -> status == 201).count()).isEqualTo(1);
        assertThat(patientsHolding(alpha, "EHR", value) + patientsHolding(beta, "EHR", value)).isEqualTo(1);
    }

    @Test
    void concurrentUpsertsOfOneNewIdentifierAllSucceedOnOnePatient() throws Exception {
        String value = "MRN-" + System.nanoTime();
        List<Integer> statuses = concurrently(20, i -> api.send("PUT", "/pub/patient", alpha.token(), Api.JSON_API,
                upsert(alphaGroup, "EHR", value, "Racer" + i), List.of()));
        assertThat(statuses).containsOnly(200);
        assertThat(patientsHolding(alpha, "EHR", value)).isEqualTo(1);
    }

    private interface Request {
        Api.Response send(int i);
    }

    /** The statuses of {@code count} requests started together. */
    private static List<Integer> concurrently(int count, Request request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Api.Response>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int number = i;
                Callable<Api.Response> call = () -> {
                    start.await();
                    return request.send(number);
                };
                answers.add(pool.submit(call));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Api.Response> answer : answers) {
                Api.Response response = answer.get();
                statuses.add(response.status());
                assertThat(response.status()).as(response.body()).isIn(200, 201, 409);
            }
            return statuses;
        } finally {
            pool.shutdownNow();
        }
    }
}
