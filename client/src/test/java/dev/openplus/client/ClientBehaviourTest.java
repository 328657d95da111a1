package dev.openplus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.Application;
import dev.openplus.client.model.Group;
import dev.openplus.client.model.Id;
import dev.openplus.client.model.Patient;
import dev.openplus.client.model.PatientHealthMetric;

/**
 * Writes, includes, every error family, retries and tokens, through a {@link FaultProxy} in front of the test
 * server.
 */
class ClientBehaviourTest {
    private static FaultProxy proxy;
    private static OpenPlusClient client;
    private static String groupId;

    @BeforeAll
    static void start() throws Exception {
        proxy = new FaultProxy(TestSupport.SERVER.baseUrl);
        client = TestSupport.builder(proxy.url()).maxBulkItems(2)
                .retryPolicy(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(5)))
                .build();
        groupId = client.groups().create(Group.builder().name("Client tests").build()).id();
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    private static Patient patient(String last) {
        return Patient.builder().firstName("Ada").lastName(last).gender(Patient.Gender.FEMALE)
                .groups(List.of(Group.ref(groupId))).build();
    }

    @Test
    void createAllIsChunkedToTheBulkLimitAndAnswersInOrder() {
        long before = proxy.count("POST /pub/patient");
        List<Patient> drafts = IntStream.range(0, 5).mapToObj(i -> patient("Bulk" + i)).toList();

        List<Patient> created = client.patients().createAll(drafts);

        assertThat(created).extracting(Patient::lastName).containsExactly("Bulk0", "Bulk1", "Bulk2", "Bulk3", "Bulk4");
        assertThat(created).allSatisfy(p -> assertThat(p.id()).matches("[0-9a-f]{24}"));
        assertThat(proxy.count("POST /pub/patient") - before).as("5 items at most 2 per request").isEqualTo(3);
    }

    @Test
    void updateSendsOnlyTheChangedAttributes() {
        Patient created = client.patients().create(patient("Lovelace"));

        Patient updated = client.patients().update(created, created.toBuilder().firstName("Augusta").build());

        String body = proxy.bodies.get(proxy.bodies.size() - 1);
        assertThat(proxy.seen.get(proxy.seen.size() - 1)).isEqualTo("PATCH /pub/patient/" + created.id());
        assertThat(body).isEqualTo("{\"data\":{\"type\":\"patient\",\"id\":\"" + created.id()
                + "\",\"attributes\":{\"first_name\":\"Augusta\"}}}");
        assertThat(updated.firstName()).isEqualTo("Augusta");
        assertThat(updated.lastName()).isEqualTo("Lovelace");
        assertThat(updated.gender()).isEqualTo(Patient.Gender.FEMALE);
        assertThat(client.patients().get(created.id())).isEqualTo(updated);
    }

    @Test
    void includedResourcesResolveFromEachItem() {
        client.patients().create(patient("Included"));
        Results<Patient> results = client.patients().list(Query.groups(groupId).include("groups").pageSize(2));
        int seen = 0;
        for (Patient patient : results) {
            List<Group> groups = results.included(patient.groups());
            assertThat(groups).extracting(Group::id).contains(groupId);
            assertThat(groups).extracting(Group::name).contains("Client tests");
            seen++;
        }
        assertThat((long) seen).isEqualTo(results.count()).isPositive();
    }

    @Test
    void metricsIngestByIdentifierQueryAndUpsert() {
        Patient upserted = client.upsertPatient("ClientEHR", "MRN-1", List.of(groupId),
                Patient.builder().firstName("Grace").lastName("Hopper").build());
        Patient again = client.upsertPatient("ClientEHR", "MRN-1", List.of(groupId),
                Patient.builder().lastName("Hopper-Murray").build());
        assertThat(again.id()).isEqualTo(upserted.id());
        assertThat(again.lastName()).isEqualTo("Hopper-Murray");

        PatientHealthMetric metric = PatientHealthMetric.builder().type(PatientHealthMetric.Type.WEIGHT)
                .value(new java.math.BigDecimal("70.5")).unit("kg").occurredAt(java.time.Instant.now())
                .patient(Id.matching("patient", Map.of("identifier", Map.of("system", "ClientEHR", "value", "MRN-1"),
                        "organization", TestSupport.ORGANIZATION)))
                .build();
        List<PatientHealthMetric> created = client.patientHealthMetrics().createAll(List.of(metric, metric));
        assertThat(created).hasSize(2).allSatisfy(m -> {
            assertThat(m.patient().id()).isEqualTo(upserted.id());
            assertThat(m.value()).isEqualByComparingTo("70.5");
        });
    }

    @Test
    void everyErrorFamilyIsTypedWithItsDetails() {
        assertThatThrownBy(() -> client.patients().get("0123456789abcdef01234567"))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.code()).isEqualTo("ResourceNotFound");
                    assertThat(e.requestId()).matches("[0-9a-f-]{36}");
                });
        assertThatThrownBy(() -> client.patients().list(Query.organization(TestSupport.ORGANIZATION)
                .filter("nope", "x")).count())
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.code()).isEqualTo("InvalidParameter");
                    assertThat(e.errors()).extracting(ApiError::parameter).contains("filter[nope]");
                });
        assertThatThrownBy(() -> client.patients().create(Patient.builder().firstName("x".repeat(300))
                .groups(List.of(Group.ref(groupId))).build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.code()).isEqualTo("InvalidBodyParameter");
                    assertThat(e.errors()).extracting(ApiError::pointer).contains("/data/attributes/first_name");
                    assertThat(e.errors()).allSatisfy(error -> assertThat(error.detail()).isNotBlank());
                });
        assertThatThrownBy(() -> client.patients().list(Query.organization("0123456789abcdef01234567")).count())
                .isInstanceOfSatisfying(ForbiddenException.class, e -> assertThat(e.code()).isEqualTo("Forbidden"));
        long tokenRequests = proxy.count("POST /pub/oauth/token");
        long groupRequests = proxy.count("GET /pub/group");
        OpenPlusClient wrong = OpenPlusClient.builder(proxy.url()).clientCredentials("nobody", "wrong").build();
        assertThatThrownBy(() -> wrong.groups().list(Query.organization(TestSupport.ORGANIZATION)).count())
                .isInstanceOfSatisfying(AuthenticationException.class,
                        e -> assertThat(e.code()).isEqualTo("InvalidCredentials"));
        assertThat(proxy.count("POST /pub/oauth/token") - tokenRequests).as("InvalidCredentials is never retried")
                .isEqualTo(1);
        assertThat(proxy.count("GET /pub/group") - groupRequests).as("no API request without a token").isZero();
    }

    @Test
    void a429AndA503AreRetriedForAGet() {
        Patient patient = client.patients().create(patient("Retried"));
        long before = proxy.count("GET /pub/patient/" + patient.id());
        proxy.inject("GET /pub/patient/" + patient.id(), 429, Map.of("Retry-After", "1"), "TooManyRequests");
        proxy.inject("GET /pub/patient/" + patient.id(), 503, Map.of(), "ServiceUnavailable");
        long started = System.nanoTime();

        assertThat(client.patients().get(patient.id())).isEqualTo(patient);

        assertThat(proxy.count("GET /pub/patient/" + patient.id()) - before).isEqualTo(3);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("Retry-After honoured")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aPostIsNeverRetried() {
        long before = proxy.count("POST /pub/group");
        proxy.inject("POST /pub/group", 503, Map.of("Retry-After", "1"), "ServiceUnavailable");

        assertThatThrownBy(() -> client.groups().create(Group.builder().name("Never twice").build()))
                .isInstanceOfSatisfying(ServerException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
                    assertThat(e.requestId()).isEqualTo("injected");
                });
        assertThat(proxy.count("POST /pub/group") - before).isEqualTo(1);
        assertThat(client.groups().list(Query.organization(TestSupport.ORGANIZATION).filter("name", "Never twice"))
                .count()).isZero();
    }

    @Test
    void retriesStopAtThePolicysLimit() {
        Patient patient = client.patients().create(patient("Exhausted"));
        for (int i = 0; i < 4; i++) {
            proxy.inject("GET /pub/patient/" + patient.id(), 502, Map.of(), "BadGateway");
        }
        assertThatThrownBy(() -> client.patients().get(patient.id()))
                .isInstanceOfSatisfying(ServerException.class, e -> assertThat(e.status()).isEqualTo(502));
        assertThat(proxy.count("GET /pub/patient/" + patient.id())).isEqualTo(4);
    }

    @Test
    void aRefusedTokenIsReplacedOnce() {
        Patient patient = client.patients().create(patient("Reauthenticated"));
        long tokens = proxy.count("POST /pub/oauth/token");
        proxy.inject("GET /pub/patient/" + patient.id(), 401, Map.of("WWW-Authenticate",
                "Bearer error=\"invalid_token\""), "Unauthorized");

        assertThat(client.patients().get(patient.id())).isEqualTo(patient);
        assertThat(proxy.count("POST /pub/oauth/token") - tokens).isEqualTo(1);

        proxy.inject("GET /pub/patient/" + patient.id(), 401, Map.of(), "Unauthorized");
        proxy.inject("GET /pub/patient/" + patient.id(), 401, Map.of(), "Unauthorized");
        assertThatThrownBy(() -> client.patients().get(patient.id())).isInstanceOf(AuthenticationException.class);
    }

    @Test
    void tokensExpiringDuringALongIterationAreRenewed() throws Exception {
        // A second server on the test run's database whose tokens live 2 s (no second PostgreSQL).
        try (Application shortTokens = Application.start(TestSupport.SERVER.config
                .withAccessTokenTtl(Duration.ofSeconds(2)), TestSupport.SERVER.database);
                FaultProxy counting = new FaultProxy("http://127.0.0.1:" + shortTokens.port())) {
            OpenPlusClient shortLived = TestSupport.builder(counting.url()).build();
            List<String> ids = new ArrayList<>();
            Results<Patient> results = shortLived.patients().list(Query.organization(TestSupport.ORGANIZATION)
                    .pageSize(10));
            for (Patient patient : results) {
                ids.add(patient.id());
                if (ids.size() % 10 == 0) {
                    Thread.sleep(500);
                }
            }
            assertThat((long) ids.size()).isEqualTo(results.count()).isGreaterThanOrEqualTo(50);
            assertThat(counting.count("POST /pub/oauth/token")).as("renewed while iterating").isGreaterThan(1);
            assertThat(counting.seen).noneMatch(line -> line.contains("401"));
            assertThat(counting.bodies).filteredOn(body -> body.contains("refresh_token\""))
                    .as("renewed with the refresh token").isNotEmpty();
        }
    }

    @Test
    void concurrentCallsShareOneToken() throws Exception {
        FaultProxy counting = new FaultProxy(TestSupport.SERVER.baseUrl);
        try (counting) {
            OpenPlusClient shared = TestSupport.builder(counting.url()).build();
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int i = 0; i < 8; i++) {
                Thread thread = new Thread(() -> {
                    try {
                        shared.groups().list(Query.organization(TestSupport.ORGANIZATION)).count();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(failures).isEmpty();
            assertThat(counting.count("POST /pub/oauth/token")).isEqualTo(1);
        }
    }
}
