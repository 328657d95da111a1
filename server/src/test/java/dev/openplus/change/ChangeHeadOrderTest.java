package dev.openplus.change;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.openplus.support.Api;
import dev.openplus.support.CarePlans;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * Writers of one plan lock the change heads they need in one order, parents first (plan, bundle, action,
 * result): results recorded for an action while bundles listing that action are created, concurrently, never
 * deadlock (PostgreSQL's deadlock counter does not move) and every request succeeds. Before the order was
 * canonical, a result took action → plan and a bundle plan → action, and they deadlocked.
 */
class ChangeHeadOrderTest {

    @Test
    void resultsAndBundlesOfOnePlanNeverDeadlock() throws Exception {
        TestServer server = TestServer.get();
        Api api = server.api();
        Fixtures fixtures = new Fixtures(server);
        Fixtures.Tenant tenant = fixtures.tenant("Head Order Org");
        String group = fixtures.apiGroup(tenant, "Head Order");
        String patient = ChangeFeedTest.patientIn(api, tenant, group);
        CarePlans plans = new CarePlans(api);
        String plan = plans.planOf(tenant.token(), patient);
        List<String> actions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            actions.add(plans.createAction(tenant.token(), plan, Map.of("type", "sleep", "title", "Sleep " + i)));
        }
        long deadlocksBefore = deadlocks(server);
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService writers = Executors.newFixedThreadPool(6);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        List<Future<Integer>> done = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            boolean results = w % 2 == 0;
            int writer = w;
            done.add(writers.submit(() -> {
                int sent = 0;
                while (System.nanoTime() < until) {
                    String action = actions.get((writer + sent) % actions.size());
                    Api.Response response = results
                            ? api.post("/pub/result", tenant.token(), Api.json(Map.of("data", Map.of("type", "result",
                                    "attributes", Map.of("occurred_at", "2024-03-01T00:00:00Z", "data", Map.of("value", 1)),
                                    "relationships", Map.of("action", Map.of("data", Map.of("type", "action",
                                            "id", action)))))))
                            : api.post("/pub/bundle", tenant.token(), Api.json(Map.of("data", Map.of("type", "bundle",
                                    "attributes", Map.of("type", "evening", "title", "Evening",
                                            "effective_from", "2024-03-01T00:00:00Z"),
                                    "relationships", Map.of(
                                            "plan", Map.of("data", Map.of("type", "patient_plan_summary", "id", plan)),
                                            "actions", Map.of("data", actions.stream().map(id -> Map.of("type",
                                                    "action", "id", id)).toList()))))));
                    sent++;
                    if (response.status() / 100 != 2) {
                        failures.add(response.status() + " " + response.body());
                    }
                }
                return sent;
            }));
        }
        int sent = 0;
        for (Future<Integer> future : done) {
            sent += future.get(60, TimeUnit.SECONDS);
        }
        writers.shutdown();
        assertThat(sent).isGreaterThan(12);
        assertThat(failures).isEmpty();
        assertThat(deadlocks(server) - deadlocksBefore).as("deadlocks detected by PostgreSQL").isZero();
    }

    private static long deadlocks(TestServer server) {
        // The statistics of this backend's own transaction are a snapshot: read them afresh.
        server.database.dsl().execute("select pg_stat_clear_snapshot()");
        return server.database.dsl().fetchOne("select deadlocks from pg_stat_database where datname ="
                + " current_database()").get(0, Long.class);
    }
}
