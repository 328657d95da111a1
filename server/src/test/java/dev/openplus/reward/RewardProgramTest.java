package dev.openplus.reward;

import static dev.openplus.reward.RewardTestSupport.assertProblem;
import static dev.openplus.reward.RewardTestSupport.days;
import static dev.openplus.reward.RewardTestSupport.programData;
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

/** Reward programs: create with defaults and rules, list with filters, sorts, both paging modes, include, group. */
class RewardProgramTest {
    static Api api;
    static Fixtures fixtures;
    static Fixtures.Tenant tenant;
    static RewardTestSupport rewards;
    static String groupA;
    static String groupB;
    static List<String> inA = new ArrayList<>();
    static String inB;

    @BeforeAll
    static void setUp() {
        TestServer server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Reward Program Org");
        rewards = new RewardTestSupport(api, tenant.token());
        groupA = fixtures.group(tenant.organizationId(), "Programs A");
        groupB = fixtures.group(tenant.organizationId(), "Programs B");
        for (String name : List.of("Charlie", "Alpha", "Bravo")) {
            inA.add(rewards.program(groupA, Map.of("name", name)));
        }
        inB = rewards.program(groupB, Map.of("name", "Delta", "start_at", days(-60)));
    }

    @Test
    void createAnswers200WithDefaultsAndTheGroup() {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("tagline", "One line");
        attributes.put("description", "Long text");
        attributes.put("budget_value", 250.5);
        Api.Response created = rewards.post("reward_program", programData(groupA, attributes));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.at("/data/type").asText()).isEqualTo("reward_program");
        assertThat(created.at("/data/attributes/name").asText()).isEqualTo("Steps");
        assertThat(created.at("/data/attributes/tagline").asText()).isEqualTo("One line");
        assertThat(created.at("/data/attributes/budget_value").decimalValue()).isEqualByComparingTo("250.5");
        assertThat(created.at("/data/attributes/budget_unit").asText()).isEqualTo("dollar");
        assertThat(created.at("/data/attributes/duration_active").asInt()).isEqualTo(540);
        assertThat(created.at("/data/attributes/fulfill_as_earned").asBoolean()).isFalse();
        assertThat(created.at("/data/attributes/frozen").asBoolean()).isFalse();
        assertThat(created.at("/data/attributes/start_at").asText()).isEqualTo(days(-30).replace("Z", ".000Z"));
        assertThat(created.at("/data/relationships/group/data/id").asText()).isEqualTo(groupA);
        String id = created.at("/data/id").asText();
        Api.Response fetched = api.get("/pub/reward_program/" + id, tenant.token());
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.at("/data/attributes")).isEqualTo(created.at("/data/attributes"));

        Api.Response explicit = rewards.post("reward_program", programData(groupA, Map.of("budget_unit", "point",
                "duration_active", 30, "fulfill_as_earned", true, "frozen", true)));
        assertThat(explicit.status()).as(explicit.body()).isEqualTo(200);
        assertThat(explicit.at("/data/attributes/budget_unit").asText()).isEqualTo("point");
        assertThat(explicit.at("/data/attributes/duration_active").asInt()).isEqualTo(30);
        assertThat(explicit.at("/data/attributes/fulfill_as_earned").asBoolean()).isTrue();
        assertThat(explicit.at("/data/attributes/frozen").asBoolean()).isTrue();
    }

    @Test
    void everyRuleIsReportedAtItsPointer() {
        assertProblem(rewards.post("reward_program", programData(groupA, Map.of("end_at", days(-30)))),
                "/data/attributes/end_at");
        assertProblem(rewards.post("reward_program", programData(groupA, Map.of("end_at", days(-31)))),
                "/data/attributes/end_at");
        assertProblem(rewards.post("reward_program", programData(groupA, Map.of("budget_value", 0))),
                "/data/attributes/budget_value");
        assertProblem(rewards.post("reward_program", programData(groupA, Map.of("duration_active", 0))),
                "/data/attributes/duration_active");
        assertProblem(rewards.post("reward_program", programData(groupA, Map.of("budget_unit", "euro"))),
                "/data/attributes/budget_unit");
        Map<String, Object> noName = new LinkedHashMap<>();
        noName.put("name", null);
        assertProblem(rewards.post("reward_program", programData(groupA, noName)), "/data/attributes/name");
        Api.Response noGroup = api.post("/pub/reward_program", tenant.token(), RewardTestSupport.document(Map.of(
                "type", "reward_program", "attributes", Map.of("name", "X", "start_at", days(0), "end_at", days(1),
                        "budget_value", 1))));
        assertProblem(noGroup, "/data/relationships/group");

        Fixtures.Tenant other = fixtures.tenant("Reward Program Other Org");
        String foreignGroup = fixtures.group(other.organizationId(), "Foreign");
        Api.Response foreign = rewards.post("reward_program", programData(foreignGroup, Map.of()));
        assertThat(foreign.status()).as(foreign.body()).isEqualTo(403);
        assertThat(foreign.at("/errors/0/code").asText()).isEqualTo("Forbidden");
        assertThat(foreign.at("/errors/0/source/pointer").asText()).isEqualTo("/data/relationships/group/data/id");
    }

    @Test
    void filtersSortsAndBothPagingModes() {
        Api.Response byGroup = api.get("/pub/reward_program?filter[groups]=" + groupB, tenant.token());
        assertThat(byGroup.ids()).containsExactly(inB);
        assertThat(byGroup.at("/meta/count").asLong()).isEqualTo(1);
        assertThat(api.get("/pub/reward_program?filter[group]=" + groupB, tenant.token()).ids()).containsExactly(inB);
        Api.Response byOrganization = api.get("/pub/reward_program?filter[organization]=" + tenant.organizationId()
                + "&page[size]=50", tenant.token());
        assertThat(byOrganization.ids()).contains(inB).containsAll(inA);

        Api.Response none = api.get("/pub/reward_program", tenant.token());
        assertThat(none.status()).isEqualTo(409);
        assertThat(none.at("/errors/0/code").asText()).isEqualTo("InvalidParameter");

        String a = "/pub/reward_program?filter[groups]=" + groupA;
        List<String> named = api.get(a + "&filter[created_at]=2000-01-01T00:00:00Z..&sort=name&page[size]=50",
                tenant.token()).ids();
        assertThat(named.subList(0, 3)).containsExactly(inA.get(1), inA.get(2), inA.get(0));
        assertThat(api.get(a + "&sort=-name&page[size]=50", tenant.token()).ids()).containsSubsequence(
                inA.get(0), inA.get(2), inA.get(1));
        List<String> byStart = api.get("/pub/reward_program?filter[organization]=" + tenant.organizationId()
                + "&sort=start_at&page[size]=1", tenant.token()).ids();
        assertThat(byStart).containsExactly(inB);
        assertThat(api.get(a + "&sort=-updated_at&page[size]=50", tenant.token()).ids()).hasSameSizeAs(named);

        Api.Response page2 = api.get(a + "&sort=name&page[number]=2&page[size]=1", tenant.token());
        assertThat(page2.ids()).containsExactly(inA.get(2));
        assertThat(page2.at("/links/prev").asText()).contains("page[number]=1");
        List<String> cursor = api.pageThrough(a + "&sort=name&page[limit]=1", tenant.token());
        assertThat(cursor).isEqualTo(named);
    }

    @Test
    void theProgramsGroupAndItsInclude() {
        Api.Response group = api.get("/pub/reward_program/" + inB + "/group", tenant.token());
        assertThat(group.status()).as(group.body()).isEqualTo(200);
        assertThat(group.ids()).containsExactly(groupB);
        assertThat(group.at("/data/0/type").asText()).isEqualTo("group");
        assertThat(group.at("/meta/count").asLong()).isEqualTo(1);
        Api.Response included = api.get("/pub/reward_program/" + inB + "?include=group", tenant.token());
        assertThat(included.at("/included/0/id").asText()).isEqualTo(groupB);
        assertThat(included.at("/included/0/attributes/name").asText()).isEqualTo("Programs B");
        Api.Response missing = api.get("/pub/reward_program/000000000000000000000000/group", tenant.token());
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.at("/errors/0/code").asText()).isEqualTo("ResourceNotFound");
    }

    @Test
    void aGroupScopedClientSeesAndCreatesOnlyItsGroupsPrograms() {
        String scoped = fixtures.token(fixtures.client(tenant.organizationId(), groupA));
        RewardTestSupport scopedRewards = new RewardTestSupport(api, scoped);
        assertThat(api.get("/pub/reward_program?filter[organization]=" + tenant.organizationId() + "&page[size]=50",
                scoped).ids()).doesNotContain(inB).containsAll(inA);
        assertThat(api.get("/pub/reward_program/" + inB, scoped).status()).isEqualTo(404);
        assertThat(api.get("/pub/reward_program/" + inB + "/group", scoped).status()).isEqualTo(404);
        Api.Response outside = api.get("/pub/reward_program?filter[groups]=" + groupB, scoped);
        assertThat(outside.status()).isEqualTo(403);
        assertThat(outside.at("/errors/0/source/parameter").asText()).isEqualTo("filter[groups]");
        Api.Response create = scopedRewards.post("reward_program", programData(groupB, Map.of()));
        assertThat(create.status()).as(create.body()).isEqualTo(403);
        assertThat(create.at("/errors/0/source/pointer").asText()).isEqualTo("/data/relationships/group/data/id");
        assertThat(scopedRewards.post("reward_program", programData(groupA, Map.of())).status()).isEqualTo(200);
    }
}
