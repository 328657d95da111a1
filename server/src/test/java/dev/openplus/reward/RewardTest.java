package dev.openplus.reward;

import static dev.openplus.reward.RewardTestSupport.assertProblem;
import static dev.openplus.reward.RewardTestSupport.days;
import static dev.openplus.reward.RewardTestSupport.rewardData;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/** Rewards: the budget, the allocation window, derived values, every filter, paging, includes, scope. */
class RewardTest {
    static Api api;
    static Fixtures fixtures;
    static Fixtures.Tenant tenant;
    static RewardTestSupport rewards;
    static String groupA;
    static String groupB;
    static String program;
    static String patient;
    static String activation;

    @BeforeAll
    static void setUp() {
        TestServer server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Reward Org");
        rewards = new RewardTestSupport(api, tenant.token());
        groupA = fixtures.group(tenant.organizationId(), "Rewards A");
        groupB = fixtures.group(tenant.organizationId(), "Rewards B");
        program = rewards.program(groupA, Map.of("budget_value", 50, "budget_unit", "credit"));
        patient = rewards.patient(groupA, "Ann");
        activation = rewards.activation(program, patient);
    }

    @Test
    void createDerivesUnitAndPatientAndKeepsTheActivationsTotals() {
        String own = rewards.activation(program, rewards.patient(groupA, "Bo"));
        Api.Response created = rewards.post("reward", rewardData(own, Map.of("_thread", "thread-1",
                "target_at", days(-12), "earned_value", 3, "allocated_unit", "dollar")));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.at("/data/attributes/_thread").asText()).isEqualTo("thread-1");
        assertThat(created.at("/data/attributes/description").asText()).isEqualTo("Walk");
        assertThat(created.at("/data/attributes/allocated_value").asInt()).isEqualTo(10);
        assertThat(created.at("/data/attributes/allocated_unit").asText()).isEqualTo("credit");
        assertThat(created.at("/data/attributes/target_at").asText()).isEqualTo(days(-12).replace("Z", ".000Z"));
        for (String readOnly : List.of("earned_value", "earned_at", "fulfilled_value", "fulfilled_at")) {
            assertThat(created.at("/data/attributes/" + readOnly).isNull()).as(readOnly).isTrue();
        }
        assertThat(created.at("/meta/ignored").size()).isEqualTo(2);
        assertThat(created.at("/data/relationships/reward_program_activation/data/id").asText()).isEqualTo(own);
        String patientId = api.get("/pub/reward_program_activation/" + own, tenant.token())
                .at("/data/relationships/patient/data/id").asText();
        assertThat(created.at("/data/relationships/patient/data/id").asText()).isEqualTo(patientId);

        rewards.reward(own, Map.of("allocated_value", 12.25));
        Api.Response totals = api.get("/pub/reward_program_activation/" + own, tenant.token());
        assertThat(totals.at("/data/attributes/allocated_count").asInt()).isEqualTo(2);
        assertThat(totals.at("/data/attributes/total_allocated_value").decimalValue()).isEqualByComparingTo("22.25");
    }

    @Test
    void theBudgetCannotBeExceeded() {
        String own = rewards.activation(program, rewards.patient(groupA, "Cal"));
        rewards.reward(own, Map.of("allocated_value", 30));
        Api.Response over = rewards.post("reward", rewardData(own, Map.of("allocated_value", 20.01)));
        assertProblem(over, "/data/attributes/allocated_value");
        assertThat(over.at("/errors/0/detail").asText()).contains("20");
        rewards.reward(own, Map.of("allocated_value", 20));
        assertProblem(rewards.post("reward", rewardData(own, Map.of("allocated_value", 0.01))),
                "/data/attributes/allocated_value");
        assertProblem(rewards.post("reward", rewardData(own, Map.of("allocated_value", 0))),
                "/data/attributes/allocated_value");
        assertProblem(rewards.post("reward", rewardData(own, Map.of("allocated_value", -1))),
                "/data/attributes/allocated_value");
        Api.Response totals = api.get("/pub/reward_program_activation/" + own, tenant.token());
        assertThat(totals.at("/data/attributes/total_allocated_value").decimalValue()).isEqualByComparingTo("50");
        assertThat(totals.at("/data/attributes/allocated_count").asInt()).isEqualTo(2);
    }

    @Test
    void theAllocationWindow() {
        assertProblem(rewards.post("reward", rewardData(activation, Map.of("allocated_at", days(-21)))),
                "/data/attributes/allocated_at");
        assertThat(rewards.post("reward", rewardData(activation, Map.of("allocated_at", days(-20)))).status())
                .isEqualTo(200);
        assertProblem(rewards.post("reward", rewardData(activation, Map.of("target_at", days(-20)))),
                "/data/attributes/target_at");
        assertThat(rewards.post("reward", rewardData(activation, Map.of("target_at", days(-19)))).status())
                .isEqualTo(200);
        String shortProgram = rewards.program(groupA, Map.of("duration_active", 5));
        String expiring = rewards.activation(shortProgram, patient);
        assertProblem(rewards.post("reward", rewardData(expiring, Map.of("allocated_at", days(-15)))),
                "/data/attributes/allocated_at");
        assertThat(rewards.post("reward", rewardData(expiring, Map.of("allocated_at", days(-16)))).status())
                .isEqualTo(200);

        String deactivated = rewards.activation(rewards.program(groupA), patient);
        assertThat(rewards.deactivate(deactivated, Map.of("deactivated_at", days(-10))).status()).isEqualTo(200);
        assertProblem(rewards.post("reward", rewardData(deactivated, Map.of("allocated_at", days(-10)))),
                "/data/attributes/allocated_at");
        assertThat(rewards.post("reward", rewardData(deactivated, Map.of("allocated_at", days(-11)))).status())
                .isEqualTo(200);
        // A deactivation may not precede the rewards already allocated.
        String late = rewards.activation(rewards.program(groupA), patient);
        rewards.reward(late, Map.of("allocated_at", days(-2)));
        assertProblem(rewards.deactivate(late, Map.of("deactivated_at", days(-3))), "/data/attributes/deactivated_at");

        Map<String, Object> missing = new LinkedHashMap<>();
        missing.put("description", null);
        assertProblem(rewards.post("reward", rewardData(activation, missing)), "/data/attributes/description");
        Api.Response noActivation = api.post("/pub/reward", tenant.token(), RewardTestSupport.document(Map.of(
                "type", "reward", "attributes", Map.of("description", "x", "allocated_value", 1,
                        "allocated_at", days(-1)))));
        assertProblem(noActivation, "/data/relationships/reward_program_activation");
        Api.Response unknown = rewards.post("reward", rewardData("000000000000000000000000", Map.of()));
        assertThat(unknown.status()).isEqualTo(403);
        assertThat(unknown.at("/errors/0/source/pointer").asText())
                .isEqualTo("/data/relationships/reward_program_activation/data/id");
    }

    @Test
    void everyFilterSortsPagingAndIncludes() {
        String groupC = fixtures.group(tenant.organizationId(), "Rewards C");
        String listPatient = rewards.patient(groupC, "Dot");
        String listActivation = rewards.activation(rewards.program(groupC), listPatient);
        List<String> ids = new ArrayList<>();
        ids.add(rewards.reward(listActivation, Map.of("allocated_at", days(-5), "target_at", days(3), "_thread", "t-a")));
        ids.add(rewards.reward(listActivation, Map.of("allocated_at", days(-15), "_thread", "t-b")));
        ids.add(rewards.reward(listActivation, Map.of("allocated_at", days(-10), "target_at", days(1), "_thread", "t-a")));
        String byPatient = "/pub/reward?filter[patient]=" + listPatient;
        assertThat(api.get(byPatient, tenant.token()).ids()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(api.get("/pub/reward?filter[groups]=" + groupC, tenant.token()).ids())
                .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(api.get("/pub/reward?filter[group]=" + groupC, tenant.token()).ids())
                .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(api.get("/pub/reward?filter[organization]=" + tenant.organizationId() + "&page[size]=50",
                tenant.token()).ids()).containsAll(ids);
        assertThat(api.get("/pub/reward?filter[organization]=" + tenant.organizationId() + "&filter[reward_program_activation]="
                + listActivation, tenant.token()).ids()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(api.get(byPatient + "&filter[thread]=t-a", tenant.token()).ids())
                .containsExactlyInAnyOrder(ids.get(0), ids.get(2));
        Api.Response required = api.get("/pub/reward?filter[thread]=t-a", tenant.token());
        assertThat(required.status()).isEqualTo(409);
        assertThat(required.at("/errors/0/code").asText()).isEqualTo("InvalidParameter");
        assertThat(api.get(byPatient + "&sort=allocated_at", tenant.token()).ids())
                .containsExactly(ids.get(1), ids.get(2), ids.get(0));
        assertThat(api.get(byPatient + "&sort=target_at", tenant.token()).ids())
                .containsExactly(ids.get(2), ids.get(0), ids.get(1));
        assertThat(api.pageThrough(byPatient + "&sort=-target_at&page[limit]=1", tenant.token()))
                .containsExactly(ids.get(1), ids.get(0), ids.get(2));
        assertThat(api.pageThrough(byPatient + "&sort=allocated_at&page[limit]=2", tenant.token()))
                .containsExactly(ids.get(1), ids.get(2), ids.get(0));
        Api.Response skip = api.get(byPatient + "&sort=-allocated_at&page[number]=2&page[size]=2", tenant.token());
        assertThat(skip.ids()).containsExactly(ids.get(1));
        assertThat(skip.at("/meta/count").asInt()).isEqualTo(3);

        Api.Response included = api.get(byPatient + "&include=patient,reward_program_activation", tenant.token());
        assertThat(RewardTestSupport.includedIds(included))
                .containsExactlyInAnyOrder(listPatient, listActivation);
    }

    @Test
    void aGroupScopedClientSeesAndWritesOnlyItsPatientsRewards() {
        String patientB = rewards.patient(groupB, "Eli");
        String activationB = rewards.activation(rewards.program(groupB), patientB);
        String hidden = rewards.reward(activationB, Map.of());
        String visible = rewards.reward(activation, Map.of("allocated_value", 1));
        String scoped = fixtures.token(fixtures.client(tenant.organizationId(), groupA));
        RewardTestSupport scopedRewards = new RewardTestSupport(api, scoped);
        assertThat(api.get("/pub/reward?filter[organization]=" + tenant.organizationId() + "&page[size]=50", scoped).ids())
                .contains(visible).doesNotContain(hidden);
        assertThat(api.get("/pub/reward/" + hidden, scoped).status()).isEqualTo(404);
        Api.Response byPatient = api.get("/pub/reward?filter[patient]=" + patientB, scoped);
        assertThat(byPatient.status()).isEqualTo(403);
        assertThat(byPatient.at("/errors/0/source/parameter").asText()).isEqualTo("filter[patient]");
        assertThat(api.get("/pub/reward?filter[groups]=" + groupB, scoped).status()).isEqualTo(403);
        Api.Response outside = scopedRewards.post("reward", rewardData(activationB, Map.of()));
        assertThat(outside.status()).isEqualTo(403);
        assertThat(outside.at("/errors/0/source/pointer").asText())
                .isEqualTo("/data/relationships/reward_program_activation/data/id");
        assertThat(scopedRewards.post("reward", rewardData(activation, Map.of("allocated_value", 1))).status())
                .isEqualTo(200);
    }
}
