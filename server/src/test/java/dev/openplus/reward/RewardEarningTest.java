package dev.openplus.reward;

import static dev.openplus.reward.RewardTestSupport.assertProblem;
import static dev.openplus.reward.RewardTestSupport.days;
import static dev.openplus.reward.RewardTestSupport.earningData;
import static dev.openplus.reward.RewardTestSupport.fulfillmentData;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/** Earnings (one per reward, bulk) and fulfillments (one per ready earning), with their copies and totals. */
class RewardEarningTest {
    static Api api;
    static Fixtures fixtures;
    static Fixtures.Tenant tenant;
    static RewardTestSupport rewards;
    static String groupA;
    static String groupB;
    static String asEarned;
    static String atDeactivation;

    @BeforeAll
    static void setUp() {
        TestServer server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Reward Earning Org");
        rewards = new RewardTestSupport(api, tenant.token());
        groupA = fixtures.group(tenant.organizationId(), "Earnings A");
        groupB = fixtures.group(tenant.organizationId(), "Earnings B");
        asEarned = rewards.program(groupA, Map.of("fulfill_as_earned", true, "budget_unit", "point"));
        atDeactivation = rewards.program(groupA);
    }

    /** A new patient of the group with an activation of the program. */
    private static String activation(String program, String group) {
        return rewards.activation(program, rewards.patient(group, "P"));
    }

    @Test
    void aBulkCreateEarnsEachRewardAndUpdatesTheCopiesAndTotals() {
        String activation = activation(asEarned, groupA);
        String first = rewards.reward(activation, Map.of("allocated_value", 10));
        String second = rewards.reward(activation, Map.of("allocated_value", 20));
        Api.Response created = rewards.post("reward_earning", List.of(
                earningData(first, Map.of("earned_value", 10, "ready_for_fulfillment", false)),
                earningData(second, Map.of("earned_value", 12.5, "earned_at", days(-9)))));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.at("/data").size()).isEqualTo(2);
        assertThat(created.at("/data/0/relationships/reward/data/id").asText()).isEqualTo(first);
        assertThat(created.at("/data/1/relationships/reward/data/id").asText()).isEqualTo(second);
        assertThat(created.at("/meta/ignored/0").asText()).isEqualTo("/data/0/attributes/ready_for_fulfillment");
        assertThat(created.at("/data/0/attributes/earned_unit").asText()).isEqualTo("point");
        assertThat(created.at("/data/0/attributes/ready_for_fulfillment").asBoolean()).isTrue();
        assertThat(created.at("/data/0/attributes/fulfilled_value").isNull()).isTrue();
        assertThat(created.at("/data/1/attributes/earned_value").decimalValue()).isEqualByComparingTo("12.5");
        assertThat(created.at("/data/1/relationships/reward_program_activation/data/id").asText()).isEqualTo(activation);
        assertThat(created.at("/data/1/relationships/group/data/id").asText()).isEqualTo(groupA);
        String patient = api.get("/pub/reward_program_activation/" + activation, tenant.token())
                .at("/data/relationships/patient/data/id").asText();
        assertThat(created.at("/data/1/relationships/patient/data/id").asText()).isEqualTo(patient);

        Api.Response reward = api.get("/pub/reward/" + second, tenant.token());
        assertThat(reward.at("/data/attributes/earned_value").decimalValue()).isEqualByComparingTo("12.5");
        assertThat(reward.at("/data/attributes/earned_at").asText()).isEqualTo(days(-9).replace("Z", ".000Z"));
        Api.Response totals = api.get("/pub/reward_program_activation/" + activation, tenant.token());
        assertThat(totals.at("/data/attributes/earned_count").asInt()).isEqualTo(2);
        assertThat(totals.at("/data/attributes/total_earned_value").decimalValue()).isEqualByComparingTo("22.5");

        Api.Response single = rewards.post("reward_earning", earningData(rewards.reward(activation, Map.of()), Map.of()));
        assertThat(single.status()).isEqualTo(200);
        assertThat(single.at("/data/type").asText()).isEqualTo("reward_earning");
    }

    @Test
    void oneEarningPerRewardAndTheEarningRules() {
        String activation = activation(atDeactivation, groupA);
        String reward = rewards.reward(activation, Map.of("allocated_value", 10));
        String other = rewards.reward(activation, Map.of("allocated_value", 10));
        assertProblem(rewards.post("reward_earning", List.of(earningData(other, Map.of()), earningData(other, Map.of()))),
                "/data/1/relationships/reward/data/id");
        assertProblem(rewards.post("reward_earning", earningData(reward, Map.of("earned_value", 10.5))),
                "/data/attributes/earned_value");
        assertProblem(rewards.post("reward_earning", earningData(reward, Map.of("earned_value", -1))),
                "/data/attributes/earned_value");
        assertProblem(rewards.post("reward_earning", earningData(reward, Map.of("earned_at", days(-20)))),
                "/data/attributes/earned_at");
        assertProblem(rewards.post("reward_earning", earningData(reward, Map.of("earned_at", days(600)))),
                "/data/attributes/earned_at");
        assertThat(api.get("/pub/reward_earning?filter[patient]=" + patientOf(activation), tenant.token())
                .at("/meta/count").asInt()).as("nothing of a refused bulk is kept").isZero();
        Api.Response earned = rewards.post("reward_earning", earningData(reward, Map.of("earned_value", 0,
                "earned_at", days(-19))));
        assertThat(earned.status()).as(earned.body()).isEqualTo(200);
        assertThat(earned.at("/data/attributes/ready_for_fulfillment").asBoolean()).isFalse();
        assertProblem(rewards.post("reward_earning", earningData(reward, Map.of())), "/data/relationships/reward/data/id");
        assertProblem(rewards.post("reward_earning", List.of(earningData(other, Map.of()), earningData(reward, Map.of()))),
                "/data/1/relationships/reward/data/id");

        String deactivated = activation(atDeactivation, groupA);
        String late = rewards.reward(deactivated, Map.of());
        assertThat(rewards.deactivate(deactivated, Map.of("deactivated_at", days(-12))).status()).isEqualTo(200);
        assertProblem(rewards.post("reward_earning", earningData(late, Map.of("earned_at", days(-12)))),
                "/data/attributes/earned_at");
        Api.Response inTime = rewards.post("reward_earning", earningData(late, Map.of("earned_at", days(-13))));
        assertThat(inTime.at("/data/attributes/ready_for_fulfillment").asBoolean()).isTrue();
        // A deactivation may not precede an earning already recorded.
        String earlyDeactivation = activation(atDeactivation, groupA);
        rewards.earning(rewards.reward(earlyDeactivation, Map.of()), Map.of("earned_at", days(-1)));
        assertProblem(rewards.deactivate(earlyDeactivation, Map.of("deactivated_at", days(-5))),
                "/data/attributes/deactivated_at");
    }

    private static String patientOf(String activation) {
        return api.get("/pub/reward_program_activation/" + activation, tenant.token())
                .at("/data/relationships/patient/data/id").asText();
    }

    @Test
    void deactivationMakesEarningsReadyAndTheReadyFilterFollows() {
        String activation = activation(rewards.program(groupB), groupB);
        String patient = patientOf(activation);
        String earning1 = rewards.earning(rewards.reward(activation, Map.of()), Map.of("earned_at", days(-15)));
        String earning2 = rewards.earning(rewards.reward(activation, Map.of()), Map.of("earned_at", days(-10)));
        String byPatient = "/pub/reward_earning?filter[patient]=" + patient;
        assertThat(api.get(byPatient + "&filter[ready_for_fulfillment]=false", tenant.token()).ids())
                .containsExactlyInAnyOrder(earning1, earning2);
        assertThat(api.get(byPatient + "&filter[ready_for_fulfillment]=true", tenant.token()).ids()).isEmpty();
        assertProblem(rewards.post("reward_earning_fulfillment", fulfillmentData(earning1, Map.of())),
                "/data/relationships/reward_earning/data/id");

        assertThat(rewards.deactivate(activation, Map.of("deactivated_at", days(-2))).status()).isEqualTo(200);
        assertThat(api.get(byPatient + "&filter[ready_for_fulfillment]=true", tenant.token()).ids())
                .containsExactlyInAnyOrder(earning1, earning2);
        assertThat(api.get("/pub/reward_earning/" + earning1, tenant.token())
                .at("/data/attributes/ready_for_fulfillment").asBoolean()).isTrue();
        rewards.fulfillment(earning1);
        assertThat(api.get(byPatient + "&filter[ready_for_fulfillment]=true", tenant.token()).ids())
                .containsExactly(earning2);
        assertThat(api.get(byPatient + "&filter[ready_for_fulfillment]=false", tenant.token()).ids()).isEmpty();
        assertThat(api.get(byPatient, tenant.token()).ids()).containsExactlyInAnyOrder(earning1, earning2);
    }

    @Test
    void earningListsFiltersSortsPagingAndIncludes() {
        String groupC = fixtures.group(tenant.organizationId(), "Earnings C");
        String activation = activation(rewards.program(groupC, Map.of("fulfill_as_earned", true)), groupC);
        String patient = patientOf(activation);
        String reward1 = rewards.reward(activation, Map.of());
        String late = rewards.earning(reward1, Map.of("earned_at", days(-3)));
        String early = rewards.earning(rewards.reward(activation, Map.of()), Map.of("earned_at", days(-11)));
        String byGroup = "/pub/reward_earning?filter[groups]=" + groupC;
        assertThat(api.get(byGroup, tenant.token()).ids()).containsExactlyInAnyOrder(late, early);
        assertThat(api.get("/pub/reward_earning?filter[group]=" + groupC, tenant.token()).ids())
                .containsExactlyInAnyOrder(late, early);
        assertThat(api.get(byGroup + "&sort=earned_at", tenant.token()).ids()).containsExactly(early, late);
        assertThat(api.pageThrough(byGroup + "&sort=-earned_at&page[limit]=1", tenant.token())).containsExactly(late, early);
        assertThat(api.get(byGroup + "&sort=earned_at&page[number]=2&page[size]=1", tenant.token()).ids())
                .containsExactly(late);
        assertThat(api.get("/pub/reward_earning?filter[ready_for_fulfillment]=true", tenant.token()).status())
                .isEqualTo(409);
        Api.Response included = api.get("/pub/reward_earning/" + late
                + "?include=group,patient,reward_program_activation,reward", tenant.token());
        assertThat(RewardTestSupport.includedIds(included))
                .containsExactlyInAnyOrder(groupC, patient, activation, reward1);
    }

    @Test
    void fulfillmentRulesCopiesAndLists() {
        String activation = activation(asEarned, groupA);
        String patient = patientOf(activation);
        String reward = rewards.reward(activation, Map.of("allocated_value", 10));
        String earning = rewards.earning(reward, Map.of("earned_value", 8, "earned_at", days(-10)));
        assertProblem(rewards.post("reward_earning_fulfillment", fulfillmentData(earning, Map.of("fulfilled_value", 8.01))),
                "/data/attributes/fulfilled_value");
        assertProblem(rewards.post("reward_earning_fulfillment", fulfillmentData(earning, Map.of("fulfilled_value", -0.5))),
                "/data/attributes/fulfilled_value");
        assertProblem(rewards.post("reward_earning_fulfillment", fulfillmentData(earning, Map.of("fulfilled_value", 8, "fulfilled_at", days(-11)))),
                "/data/attributes/fulfilled_at");
        Api.Response fulfilled = rewards.post("reward_earning_fulfillment", fulfillmentData(earning,
                Map.of("fulfilled_value", 8, "fulfilled_at", days(-10), "fulfilled_unit", "dollar")));
        assertThat(fulfilled.status()).as(fulfilled.body()).isEqualTo(200);
        assertThat(fulfilled.at("/data/attributes/fulfilled_unit").asText()).isEqualTo("point");
        assertThat(fulfilled.at("/meta/ignored/0").asText()).isEqualTo("/data/attributes/fulfilled_unit");
        assertThat(fulfilled.at("/data/relationships/patient/data/id").asText()).isEqualTo(patient);
        assertThat(fulfilled.at("/data/relationships/reward_earning/data/id").asText()).isEqualTo(earning);
        String fulfillment = fulfilled.at("/data/id").asText();
        assertProblem(rewards.post("reward_earning_fulfillment", fulfillmentData(earning, Map.of("fulfilled_value", 0))),
                "/data/relationships/reward_earning/data/id");

        for (String copy : List.of("/pub/reward/" + reward, "/pub/reward_earning/" + earning)) {
            Api.Response copied = api.get(copy, tenant.token());
            assertThat(copied.at("/data/attributes/fulfilled_value").asInt()).as(copy).isEqualTo(8);
            assertThat(copied.at("/data/attributes/fulfilled_at").asText()).as(copy)
                    .isEqualTo(days(-10).replace("Z", ".000Z"));
        }
        String second = rewards.fulfillment(rewards.earning(rewards.reward(activation, Map.of()), Map.of()));
        String byPatient = "/pub/reward_earning_fulfillment?filter[patient]=" + patient;
        assertThat(api.get(byPatient, tenant.token()).ids()).containsExactlyInAnyOrder(fulfillment, second);
        assertThat(api.get(byPatient + "&sort=-fulfilled_at", tenant.token()).ids()).containsExactly(second, fulfillment);
        assertThat(api.pageThrough(byPatient + "&sort=fulfilled_at&page[limit]=1", tenant.token()))
                .containsExactly(fulfillment, second);
        assertThat(api.get(byPatient + "&sort=fulfilled_at&page[number]=2&page[size]=1", tenant.token()).ids())
                .containsExactly(second);
        assertThat(api.get("/pub/reward_earning_fulfillment", tenant.token()).status()).isEqualTo(409);
        Api.Response included = api.get("/pub/reward_earning_fulfillment/" + fulfillment + "?include=patient,reward_earning",
                tenant.token());
        assertThat(RewardTestSupport.includedIds(included)).containsExactlyInAnyOrder(patient, earning);
    }

    @Test
    void aGroupScopedClientSeesAndWritesOnlyItsPatientsEarningsAndFulfillments() {
        String asEarnedB = rewards.program(groupB, Map.of("fulfill_as_earned", true));
        String hiddenActivation = activation(asEarnedB, groupB);
        String hiddenReward = rewards.reward(hiddenActivation, Map.of());
        String hiddenEarning = rewards.earning(rewards.reward(hiddenActivation, Map.of()), Map.of());
        String hiddenFulfillment = rewards.fulfillment(hiddenEarning);
        String scoped = fixtures.token(fixtures.client(tenant.organizationId(), groupA));
        RewardTestSupport scopedRewards = new RewardTestSupport(api, scoped);
        assertThat(api.get("/pub/reward_earning/" + hiddenEarning, scoped).status()).isEqualTo(404);
        assertThat(api.get("/pub/reward_earning_fulfillment/" + hiddenFulfillment, scoped).status()).isEqualTo(404);
        assertThat(api.get("/pub/reward_earning?filter[groups]=" + groupB, scoped).status()).isEqualTo(403);
        assertThat(api.get("/pub/reward_earning?filter[groups]=" + groupA + "&page[size]=50", scoped).ids())
                .doesNotContain(hiddenEarning);
        assertThat(api.get("/pub/reward_earning_fulfillment?filter[patient]=" + patientOf(hiddenActivation), scoped).ids())
                .isEmpty();
        Api.Response earning = scopedRewards.post("reward_earning", earningData(hiddenReward, Map.of()));
        assertThat(earning.status()).isEqualTo(403);
        assertThat(earning.at("/errors/0/source/pointer").asText()).isEqualTo("/data/relationships/reward/data/id");
        String visibleEarning = rewards.earning(rewards.reward(activation(asEarnedB, groupB), Map.of()), Map.of());
        Api.Response fulfillment = scopedRewards.post("reward_earning_fulfillment", fulfillmentData(visibleEarning, Map.of()));
        assertThat(fulfillment.status()).isEqualTo(403);
        assertThat(fulfillment.at("/errors/0/source/pointer").asText())
                .isEqualTo("/data/relationships/reward_earning/data/id");
        String ownEarning = rewards.earning(rewards.reward(activation(asEarned, groupA), Map.of()), Map.of());
        assertThat(scopedRewards.post("reward_earning_fulfillment", fulfillmentData(ownEarning, Map.of())).status())
                .isEqualTo(200);
    }

    @Test
    void derivedChangesMoveUpdatedAtSoThatSyncJobsSeeThem() throws InterruptedException {
        String activation = activation(rewards.program(groupA), groupA);
        String patient = patientOf(activation);
        String reward = rewards.reward(activation, Map.of());
        Api.Response earned = rewards.post("reward_earning", earningData(reward, Map.of()));
        String earning = earned.at("/data/id").asText();
        java.time.Instant before = java.time.Instant.parse(earned.at("/data/attributes/updated_at").asText());
        String since = "&filter[updated_at]=" + before.plusMillis(1) + "..";
        assertThat(api.get("/pub/reward_earning?filter[patient]=" + patient + since, tenant.token()).ids()).isEmpty();
        Thread.sleep(5);
        assertThat(rewards.deactivate(activation, Map.of("deactivated_at", days(-1))).status()).isEqualTo(200);
        assertThat(api.get("/pub/reward_earning?filter[patient]=" + patient + since, tenant.token()).ids())
                .containsExactly(earning);
        assertThat(api.get("/pub/reward_program_activation?filter[patient]=" + patient + since, tenant.token()).ids())
                .containsExactly(activation);
        String fulfilledReward = rewards.reward(activation(rewards.program(groupA, Map.of("fulfill_as_earned", true)),
                groupA), Map.of());
        Api.Response second = rewards.post("reward_earning", earningData(fulfilledReward, Map.of()));
        String secondPatient = second.at("/data/relationships/patient/data/id").asText();
        java.time.Instant earnedAt = java.time.Instant.parse(second.at("/data/attributes/updated_at").asText());
        Thread.sleep(5);
        rewards.fulfillment(second.at("/data/id").asText());
        String afterEarning = "&filter[updated_at]=" + earnedAt.plusMillis(1) + "..";
        assertThat(api.get("/pub/reward?filter[patient]=" + secondPatient + afterEarning, tenant.token()).ids())
                .containsExactly(fulfilledReward);
        assertThat(api.get("/pub/reward_earning?filter[patient]=" + secondPatient + afterEarning, tenant.token()).ids())
                .containsExactly(second.at("/data/id").asText());
        assertThat(api.get("/pub/reward_earning_fulfillment?filter[patient]=" + secondPatient
                + "&filter[created_at]=" + earnedAt.plusMillis(1) + "..&sort=-created_at", tenant.token()).ids()).hasSize(1);
        assertThat(api.get("/pub/reward?filter[patient]=" + secondPatient + "&filter[created_at]=.."
                + earnedAt.plusSeconds(60) + "&sort=-updated_at", tenant.token()).ids()).containsExactly(fulfilledReward);
    }
}
