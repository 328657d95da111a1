package dev.openplus.reward;

import static dev.openplus.reward.RewardTestSupport.activationData;
import static dev.openplus.reward.RewardTestSupport.earningData;
import static dev.openplus.reward.RewardTestSupport.fulfillmentData;
import static dev.openplus.reward.RewardTestSupport.rewardData;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * Real concurrent HTTP requests against one parent: the budget is never over-allocated, and of competing
 * second activations, earnings and fulfillments exactly one wins while the others get 409 at the right pointer.
 * Totals are checked against sums over the stored rows.
 */
class RewardConcurrencyTest {
    static TestServer server;
    static Api api;
    static Fixtures.Tenant tenant;
    static RewardTestSupport rewards;
    static String group;
    static String program;

    @BeforeAll
    static void setUp() {
        server = TestServer.get();
        api = server.api();
        Fixtures fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Reward Concurrency Org");
        rewards = new RewardTestSupport(api, tenant.token());
        group = fixtures.group(tenant.organizationId(), "Racers");
        program = rewards.program(group, Map.of("budget_value", 100, "fulfill_as_earned", true));
    }

    /** Sends {@code count} requests at once (released together) and returns their answers. */
    private static List<Api.Response> concurrently(int count, IntFunction<Api.Response> request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            CountDownLatch ready = new CountDownLatch(count);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Api.Response>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return request.apply(n);
                }));
            }
            ready.await();
            go.countDown();
            List<Api.Response> responses = new ArrayList<>();
            for (Future<Api.Response> future : futures) {
                responses.add(future.get());
            }
            return responses;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Exactly one success (200); every other answer is 409 InvalidBodyParameter at the pointer. */
    private static Api.Response exactlyOneWins(List<Api.Response> responses, String pointer) {
        List<Api.Response> won = responses.stream().filter(r -> r.status() == 200).toList();
        assertThat(won).as(responses.toString()).hasSize(1);
        for (Api.Response lost : responses) {
            if (lost.status() != 200) {
                assertThat(lost.status()).as(lost.body()).isEqualTo(409);
                assertThat(lost.at("/errors/0/code").asText()).isEqualTo("InvalidBodyParameter");
                assertThat(lost.at("/errors/0/source/pointer").asText()).as(lost.body()).isEqualTo(pointer);
            }
        }
        return won.get(0);
    }

    private static BigDecimal sql(String query, String id) {
        return server.database.dsl().fetchOne(query, DSL.val(id)).get(0, BigDecimal.class);
    }

    @Test
    void fiftyConcurrentRewardsNeverAllocateMoreThanTheBudget() throws Exception {
        String activation = rewards.activation(program, rewards.patient(group, "Budget"));
        List<Api.Response> responses = concurrently(50,
                i -> rewards.post("reward", rewardData(activation, Map.of("allocated_value", 3))));
        long won = responses.stream().filter(r -> r.status() == 200).count();
        assertThat(won).as("100 / 3 rewards fit the budget").isEqualTo(33);
        for (Api.Response response : responses) {
            if (response.status() != 200) {
                assertThat(response.status()).as(response.body()).isEqualTo(409);
                assertThat(response.at("/errors/0/source/pointer").asText()).isEqualTo("/data/attributes/allocated_value");
            }
        }
        Api.Response totals = api.get("/pub/reward_program_activation/" + activation, tenant.token());
        assertThat(totals.at("/data/attributes/allocated_count").asInt()).isEqualTo(33);
        assertThat(totals.at("/data/attributes/total_allocated_value").decimalValue()).isEqualByComparingTo("99");
        assertThat(sql("select sum(allocated_value) from reward where activation_id = {0}", activation))
                .isEqualByComparingTo("99");
        assertThat(sql("select count(*) from reward where activation_id = {0}", activation)).isEqualByComparingTo("33");
    }

    @Test
    void ofConcurrentSecondActivationsExactlyOneWins() throws Exception {
        String patient = rewards.patient(group, "Twice");
        List<Api.Response> responses = concurrently(20,
                i -> rewards.post("reward_program_activation", activationData(program, patient, Map.of())));
        exactlyOneWins(responses, "/data/relationships/reward_program/data/id");
        assertThat(sql("select count(*) from reward_program_activation where patient_id = {0}", patient))
                .isEqualByComparingTo("1");
    }

    @Test
    void ofConcurrentEarningsAndFulfillmentsOfOneParentExactlyOneWins() throws Exception {
        String activation = rewards.activation(program, rewards.patient(group, "Earner"));
        String reward = rewards.reward(activation, Map.of("allocated_value", 10));
        Api.Response earned = exactlyOneWins(concurrently(20, i -> rewards.post("reward_earning",
                earningData(reward, Map.of("earned_value", 1 + i % 9)))), "/data/relationships/reward/data/id");
        String earning = earned.at("/data/id").asText();
        Api.Response totals = api.get("/pub/reward_program_activation/" + activation, tenant.token());
        assertThat(totals.at("/data/attributes/earned_count").asInt()).isEqualTo(1);
        assertThat(totals.at("/data/attributes/total_earned_value").decimalValue())
                .isEqualByComparingTo(earned.at("/data/attributes/earned_value").decimalValue());
        assertThat(sql("select sum(earned_value) from reward_earning where activation_id = {0}", activation))
                .isEqualByComparingTo(earned.at("/data/attributes/earned_value").decimalValue());

        Api.Response fulfilled = exactlyOneWins(concurrently(20, i -> rewards.post("reward_earning_fulfillment",
                fulfillmentData(earning, Map.of("fulfilled_value", 1)))), "/data/relationships/reward_earning/data/id");
        assertThat(sql("select count(*) from reward_earning_fulfillment where earning_id = {0}", earning))
                .isEqualByComparingTo("1");
        assertThat(api.get("/pub/reward/" + reward, tenant.token()).at("/data/attributes/fulfilled_at").asText())
                .isEqualTo(fulfilled.at("/data/attributes/fulfilled_at").asText());
    }

    @Test
    void concurrentBulkEarningsInShuffledOrdersNeitherDeadlockNorDoubleEarn() throws Exception {
        List<String> rewardIds = new ArrayList<>();
        List<String> activations = new ArrayList<>();
        for (int a = 0; a < 2; a++) {
            String activation = rewards.activation(program, rewards.patient(group, "Bulk" + a));
            activations.add(activation);
            for (int r = 0; r < 5; r++) {
                rewardIds.add(rewards.reward(activation, Map.of("allocated_value", 2)));
            }
        }
        List<Api.Response> responses = concurrently(10, i -> {
            List<String> order = new ArrayList<>(rewardIds);
            Collections.shuffle(order, new Random(i));
            List<Object> items = new ArrayList<>();
            order.forEach(id -> items.add(earningData(id, Map.of("earned_value", 2))));
            return rewards.post("reward_earning", items);
        });
        List<Api.Response> won = responses.stream().filter(r -> r.status() == 200).toList();
        assertThat(won).as(responses.toString()).hasSize(1);
        assertThat(responses.stream().filter(r -> r.status() != 200).allMatch(r -> r.status() == 409)).isTrue();
        for (String activation : activations) {
            Api.Response totals = api.get("/pub/reward_program_activation/" + activation, tenant.token());
            assertThat(totals.at("/data/attributes/earned_count").asInt()).isEqualTo(5);
            assertThat(totals.at("/data/attributes/total_earned_value").decimalValue()).isEqualByComparingTo("10");
        }
    }
}
