package dev.openplus.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.Application;
import dev.openplus.config.Config;
import dev.openplus.support.Api;
import dev.openplus.support.CarePlans;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * Fetches by id that arrive while their scope's statements run share the next statement. To make them arrive
 * together, the test holds the {@code patient} table locked while it sends them: the first fetches of each scope
 * wait on the lock inside their statements, the rest queue behind them. Each must still get exactly the answer it
 * gets alone, whoever's statement read it: tenants and group scopes never share a statement.
 */
class BatchedFetchTest {
    static TestServer server;
    /** A server of its own on the test database, with more request threads than statements the test holds. */
    static Application application;
    static Api api;
    static Fixtures.Tenant tenant;
    static Fixtures.Tenant otherTenant;
    static String groupScopedToken;
    static List<String> patients = new ArrayList<>();
    static String patientOutsideTheGroup;
    static String otherTenantsPatient;
    static ExecutorService clients = Executors.newFixedThreadPool(16);

    @BeforeAll
    static void setUp() throws Exception {
        server = TestServer.get();
        Fixtures fixtures = new Fixtures(server);
        CarePlans plans = new CarePlans(server.api());
        tenant = fixtures.tenant("Batched Fetch Org");
        String group = fixtures.apiGroup(tenant, "Batched");
        String otherGroup = fixtures.apiGroup(tenant, "Batched Elsewhere");
        for (int i = 0; i < 6; i++) {
            patients.add(plans.patient(tenant.token(), group));
        }
        patientOutsideTheGroup = plans.patient(tenant.token(), otherGroup);
        groupScopedToken = fixtures.token(fixtures.client(tenant.organizationId(), group));
        otherTenant = fixtures.tenant("Batched Fetch Other Org");
        otherTenantsPatient = plans.patient(otherTenant.token(), fixtures.apiGroup(otherTenant, "Other"));
        // Each scope's statements waiting on the lock hold a request thread each, as any statement does.
        application = Application.start(Config.fromMap(Map.of("OPENPLUS_DATA_DIR", server.config.dataDir().toString(),
                "OPENPLUS_PORT", "0", "OPENPLUS_HTTP_THREADS", "24", "OPENPLUS_WEBHOOK_THREADS", "0",
                "OPENPLUS_CHANGE_PRUNE_INTERVAL", "0")), server.database);
        api = new Api("http://127.0.0.1:" + application.port());
    }

    @AfterAll
    static void tearDown() {
        clients.shutdownNow();
        if (application != null) {
            application.close();
        }
    }

    private record Fetch(String path, String token) {
    }

    /** Several scopes, found and not found, the same id twice, another tenant's and another group's patient. */
    private static List<Fetch> fetches() {
        List<Fetch> fetches = new ArrayList<>();
        for (String patient : patients) {
            fetches.add(new Fetch("/pub/patient/" + patient, tenant.token()));
        }
        fetches.add(new Fetch("/pub/patient/" + patients.get(0), tenant.token()));
        fetches.add(new Fetch("/pub/patient/" + otherTenantsPatient, tenant.token()));
        fetches.add(new Fetch("/pub/patient/" + patientOutsideTheGroup, tenant.token()));
        fetches.add(new Fetch("/pub/patient/" + "0".repeat(24), tenant.token()));
        fetches.add(new Fetch("/pub/patient/" + otherTenantsPatient, otherTenant.token()));
        fetches.add(new Fetch("/pub/patient/" + patients.get(0), otherTenant.token()));
        fetches.add(new Fetch("/pub/patient/" + patients.get(1), groupScopedToken));
        fetches.add(new Fetch("/pub/patient/" + patientOutsideTheGroup, groupScopedToken));
        fetches.add(new Fetch("/pub/patient/" + patients.get(2) + "?fields%5Bpatient%5D=first_name", tenant.token()));
        return fetches;
    }

    @Test
    void fetchesThatArriveTogetherShareStatementsAndEachGetsItsOwnAnswer() throws Exception {
        List<Fetch> fetches = fetches();
        List<Api.Response> alone = alone(fetches);
        Together together = sendTogether(api, fetches);
        assertSameAnswers(fetches, together.responses(), alone);
        assertThat(together.fetches()).isEqualTo(fetches.size());
        // Three scopes: each ran at most its two statements that waited on the lock, then at most two for the
        // fetches queued behind them (the organization's eleven). Alone, the fifteen would take fifteen.
        assertThat(together.statements()).isLessThanOrEqualTo(8);
    }

    @Test
    void aBatchSizeOfOneReadsEveryFetchAlone() throws Exception {
        Application unbatched = Application.start(Config.fromMap(Map.of("OPENPLUS_DATA_DIR",
                server.config.dataDir().toString(), "OPENPLUS_PORT", "0", "OPENPLUS_HTTP_THREADS", "24",
                "OPENPLUS_FETCH_BATCH_SIZE", "1", "OPENPLUS_WEBHOOK_THREADS", "0", "OPENPLUS_CHANGE_PRUNE_INTERVAL", "0")),
                server.database);
        try {
            Api oneByOne = new Api("http://127.0.0.1:" + unbatched.port());
            List<Fetch> fetches = fetches();
            List<Api.Response> alone = alone(fetches);
            Together together = sendTogether(oneByOne, fetches);
            assertSameAnswers(fetches, together.responses(), alone);
            assertThat(together.fetches()).isEqualTo(fetches.size());
            assertThat(together.statements()).isEqualTo(fetches.size());
        } finally {
            unbatched.close();
        }
    }

    private static List<Api.Response> alone(List<Fetch> fetches) {
        List<Api.Response> alone = new ArrayList<>();
        for (Fetch fetch : fetches) {
            alone.add(api.get(fetch.path(), fetch.token()));
        }
        assertThat(alone.stream().map(Api.Response::status).toList())
                .containsExactly(200, 200, 200, 200, 200, 200, 200, 404, 200, 404, 200, 404, 200, 404, 200);
        return alone;
    }

    /** The answers to fetches sent while the table was locked, and the batch counters' increase meanwhile. */
    private record Together(List<Api.Response> responses, double statements, double fetches) {
    }

    private static Together sendTogether(Api server, List<Fetch> fetches) throws Exception {
        double statementsBefore = metric(server, "openplus_fetch_batch_statements_total");
        double fetchesBefore = metric(server, "openplus_fetch_batch_fetches_total");
        double directBefore = metric(server, "openplus_http_direct_reads_total");
        List<Future<Api.Response>> pending = new ArrayList<>();
        try (Connection lock = TestServer.get().database.dedicatedConnection()) {
            lock.setAutoCommit(false);
            try (Statement statement = lock.createStatement()) {
                statement.execute("lock table patient in access exclusive mode");
            }
            for (Fetch fetch : fetches) {
                pending.add(clients.submit(() -> server.get(fetch.path(), fetch.token())));
            }
            // Every request has reached the server (the counter comes just before its id is queued).
            awaitDirectReads(server, directBefore + fetches.size());
            Thread.sleep(300);
            for (Future<Api.Response> response : pending) {
                assertThat(response.isDone()).as("answered while the table was locked").isFalse();
            }
            lock.commit();
        }
        List<Api.Response> responses = new ArrayList<>();
        for (Future<Api.Response> response : pending) {
            responses.add(response.get(20, TimeUnit.SECONDS));
        }
        return new Together(responses, metric(server, "openplus_fetch_batch_statements_total") - statementsBefore,
                metric(server, "openplus_fetch_batch_fetches_total") - fetchesBefore);
    }

    private static void assertSameAnswers(List<Fetch> fetches, List<Api.Response> together, List<Api.Response> alone) {
        for (int i = 0; i < fetches.size(); i++) {
            String what = fetches.get(i).toString();
            assertThat(together.get(i).status()).as(what).isEqualTo(alone.get(i).status());
            assertThat(withoutReqId(together.get(i))).as(what).isEqualTo(withoutReqId(alone.get(i)));
        }
    }

    private static void awaitDirectReads(Api server, double count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (metric(server, "openplus_http_direct_reads_total") < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void aFailedStatementAnswersEachOfItsFetchesWithAnError() throws Exception {
        String path = "/pub/patient/" + patients.get(3);
        List<Future<Api.Response>> together = new ArrayList<>();
        double directBefore = metric(api, "openplus_http_direct_reads_total");
        try (Connection lock = server.database.dedicatedConnection()) {
            lock.setAutoCommit(false);
            try (Statement statement = lock.createStatement()) {
                statement.execute("lock table patient in access exclusive mode");
            }
            for (int i = 0; i < 6; i++) {
                together.add(clients.submit(() -> api.sendOutsideContract("GET", path, tenant.token(), null, null,
                        List.of())));
            }
            awaitDirectReads(api, directBefore + 6);
            Thread.sleep(300);
            // Cancelled, the statements waiting on the lock fail as on a lost connection; those queued run after.
            try (Statement statement = lock.createStatement()) {
                statement.execute("select pg_cancel_backend(pid) from pg_stat_activity where pid <> pg_backend_pid()"
                        + " and wait_event_type = 'Lock' and query like '%from \"patient\"%'");
            }
            lock.rollback();
        }
        int errors = 0;
        for (Future<Api.Response> future : together) {
            Api.Response response = future.get(20, TimeUnit.SECONDS);
            if (response.status() == 500) {
                errors++;
                assertThat(response.at("/errors/0/code").asText()).isEqualTo("InternalError");
                assertThat(response.at("/meta/req_id").asText()).isEqualTo(response.header("X-Request-Id").orElseThrow());
            } else {
                assertThat(response.status()).as(response.body()).isEqualTo(200);
                assertThat(response.at("/data/id").asText()).isEqualTo(patients.get(3));
            }
        }
        // The statements that waited on the lock were cancelled, each failing every fetch it read; the fetches
        // queued behind them were read afterwards.
        assertThat(errors).isBetween(1, 5);
        assertThat(api.get(path, tenant.token()).status()).isEqualTo(200);
    }

    private static String withoutReqId(Api.Response response) {
        String reqId = response.header("X-Request-Id").orElseThrow();
        assertThat(response.body()).contains(reqId);
        return response.body().replace(reqId, "<req_id>");
    }

    private static double metric(Api server, String series) {
        String metrics = server.get("/metrics", null).body();
        Matcher line = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        return line.find() ? Double.parseDouble(line.group(1)) : 0;
    }
}
