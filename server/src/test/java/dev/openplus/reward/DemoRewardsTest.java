package dev.openplus.reward;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/** The demo seed writes a consistent set of reward data through the API's own rules. */
class DemoRewardsTest {
    @Test
    void theDemoProgramHasActivationsRewardsEarningsAndAFulfillment() {
        TestServer server = TestServer.get();
        Api api = server.api();
        Fixtures fixtures = new Fixtures(server);
        Fixtures.Tenant tenant = fixtures.tenant("Demo Rewards Org");
        String group = fixtures.group(tenant.organizationId(), "Demo Cardiology");
        RewardTestSupport rewards = new RewardTestSupport(api, tenant.token());
        for (String name : new String[] {"Fiona", "Jack", "Amara", "Luis"}) {
            rewards.patient(group, name);
        }
        server.database.transaction(dsl -> {
            DemoRewards.seed(server.application.writer(), dsl, tenant.organizationId(), group);
            return null;
        });

        Api.Response programs = api.get("/pub/reward_program?filter[groups]=" + group, tenant.token());
        assertThat(programs.ids()).hasSize(1);
        assertThat(programs.at("/data/0/attributes/name").asText()).isEqualTo("10,000 Steps Challenge");
        Api.Response activations = api.get("/pub/reward_program_activation?filter[groups]=" + group, tenant.token());
        assertThat(activations.at("/meta/count").asInt()).isEqualTo(3);
        activations.at("/data").forEach(activation -> {
            assertThat(activation.at("/attributes/active").asBoolean()).isTrue();
            assertThat(activation.at("/attributes/allocated_count").asInt()).isEqualTo(2);
            assertThat(activation.at("/attributes/total_allocated_value").decimalValue()).isEqualByComparingTo("20");
        });
        String base = "filter[organization]=" + tenant.organizationId();
        assertThat(api.get("/pub/reward?" + base, tenant.token()).at("/meta/count").asInt()).isEqualTo(6);
        Api.Response earnings = api.get("/pub/reward_earning?filter[groups]=" + group, tenant.token());
        assertThat(earnings.at("/meta/count").asInt()).isEqualTo(2);
        assertThat(api.get("/pub/reward_earning?filter[groups]=" + group + "&filter[ready_for_fulfillment]=true",
                tenant.token()).at("/meta/count").asInt()).isEqualTo(1);
        String patient = earnings.at("/data/0/relationships/patient/data/id").asText();
        Api.Response fulfillments = api.get("/pub/reward_earning_fulfillment?filter[patient]=" + patient, tenant.token());
        assertThat(fulfillments.at("/meta/count").asInt()).isEqualTo(1);
        assertThat(fulfillments.at("/data/0/attributes/fulfilled_unit").asText()).isEqualTo("dollar");
    }
}
