package dev.openplus.reward;

import static dev.openplus.reward.RewardTestSupport.activationData;
import static dev.openplus.reward.RewardTestSupport.assertProblem;
import static dev.openplus.reward.RewardTestSupport.days;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/** Activations: one per patient and program, in the program's group and dates; derived values; deactivation. */
class RewardProgramActivationTest {
    static Api api;
    static Fixtures fixtures;
    static Fixtures.Tenant tenant;
    static RewardTestSupport rewards;
    static String groupA;
    static String groupB;
    static String program;
    static String patient1;
    static String patient2;
    static String patientB;

    @BeforeAll
    static void setUp() {
        TestServer server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Reward Activation Org");
        rewards = new RewardTestSupport(api, tenant.token());
        groupA = fixtures.group(tenant.organizationId(), "Activations A");
        groupB = fixtures.group(tenant.organizationId(), "Activations B");
        program = rewards.program(groupA, Map.of("duration_active", 10, "budget_unit", "point"));
        patient1 = rewards.patient(groupA, "Ana");
        patient2 = rewards.patient(groupA, "Ben");
        patientB = rewards.patient(groupB, "Cy");
    }

    @Test
    void createDerivesExpiryUnitAndTotals() {
        String patient = rewards.patient(groupA, "Dee");
        Api.Response created = rewards.post("reward_program_activation", activationData(program, patient,
                Map.of("expires_at", days(99), "allocated_count", 7)));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.at("/data/attributes/activated_at").asText()).isEqualTo(days(-20).replace("Z", ".000Z"));
        assertThat(created.at("/data/attributes/expires_at").asText()).isEqualTo(days(-10).replace("Z", ".000Z"));
        assertThat(created.at("/data/attributes/active").asBoolean()).isFalse();
        assertThat(created.at("/data/attributes/deactivated_at").isNull()).isTrue();
        assertThat(created.at("/data/attributes/budget_unit").asText()).isEqualTo("point");
        assertThat(created.at("/data/attributes/fulfill_as_earned").asBoolean()).isFalse();
        assertThat(created.at("/data/attributes/allocated_count").asInt()).isZero();
        assertThat(created.at("/data/attributes/total_allocated_value").asInt()).isZero();
        assertThat(created.at("/data/attributes/earned_count").asInt()).isZero();
        assertThat(created.at("/data/attributes/total_earned_value").asInt()).isZero();
        assertThat(created.at("/data/relationships/patient/data/id").asText()).isEqualTo(patient);
        assertThat(created.at("/data/relationships/reward_program/data/id").asText()).isEqualTo(program);
        List<String> ignored = new java.util.ArrayList<>();
        created.at("/meta/ignored").forEach(pointer -> ignored.add(pointer.asText()));
        assertThat(ignored).containsExactlyInAnyOrder("/data/attributes/expires_at", "/data/attributes/allocated_count");

        String longProgram = rewards.program(groupA, Map.of("fulfill_as_earned", true));
        Api.Response active = rewards.post("reward_program_activation", activationData(longProgram, patient, Map.of()));
        assertThat(active.at("/data/attributes/active").asBoolean()).isTrue();
        assertThat(active.at("/data/attributes/fulfill_as_earned").asBoolean()).isTrue();
        assertThat(active.at("/data/attributes/budget_unit").asText()).isEqualTo("dollar");
        assertThat(active.at("/data/attributes/expires_at").asText()).isEqualTo(days(520).replace("Z", ".000Z"));
    }

    @Test
    void oneActivationPerPatientAndProgram() {
        String patient = rewards.patient(groupA, "Eve");
        rewards.activation(program, patient);
        assertProblem(rewards.post("reward_program_activation", activationData(program, patient, Map.of())),
                "/data/relationships/reward_program/data/id");
    }

    @Test
    void theRulesOfAnActivation() {
        String frozen = rewards.program(groupA, Map.of("frozen", true));
        assertProblem(rewards.post("reward_program_activation", activationData(frozen, patient1, Map.of())),
                "/data/relationships/reward_program/data/id");
        assertProblem(rewards.post("reward_program_activation", activationData(program, patientB, Map.of())),
                "/data/relationships/patient/data/id");
        assertProblem(rewards.post("reward_program_activation", activationData(program, patient2,
                Map.of("activated_at", days(-31)))), "/data/attributes/activated_at");
        assertProblem(rewards.post("reward_program_activation", activationData(program, patient2,
                Map.of("activated_at", days(335)))), "/data/attributes/activated_at");
        assertProblem(rewards.post("reward_program_activation", activationData(program, patient2,
                Map.of("deactivated_at", days(-20)))), "/data/attributes/deactivated_at");
        Map<String, Object> noActivatedAt = new LinkedHashMap<>();
        noActivatedAt.put("activated_at", null);
        assertProblem(rewards.post("reward_program_activation", activationData(program, patient2, noActivatedAt)),
                "/data/attributes/activated_at");
        // The start is inclusive.
        assertThat(rewards.post("reward_program_activation", activationData(program, patient2,
                Map.of("activated_at", days(-30)))).status()).isEqualTo(200);

        Fixtures.Tenant other = fixtures.tenant("Reward Activation Other Org");
        String foreignPatient = new RewardTestSupport(api, other.token())
                .patient(fixtures.group(other.organizationId(), "Elsewhere"), "Foreign");
        Api.Response foreign = rewards.post("reward_program_activation", activationData(program, foreignPatient, Map.of()));
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.at("/errors/0/source/pointer").asText()).isEqualTo("/data/relationships/patient/data/id");
    }

    @Test
    void deactivationIsSetOnceAfterActivationAndNothingElseChanges() {
        String patient = rewards.patient(groupA, "Fay");
        String longProgram = rewards.program(groupA);
        String id = rewards.activation(longProgram, patient);
        assertProblem(rewards.deactivate(id, Map.of("deactivated_at", days(-25))), "/data/attributes/deactivated_at");
        assertProblem(rewards.deactivate(id, Map.of("activated_at", days(-21))), "/data/attributes/activated_at");
        Map<String, Object> cleared = new LinkedHashMap<>();
        cleared.put("deactivated_at", null);
        assertProblem(rewards.deactivate(id, cleared), "/data/attributes/deactivated_at");
        Api.Response otherPatient = api.send("PATCH", "/pub/reward_program_activation/" + id, tenant.token(), Api.JSON_API,
                RewardTestSupport.document(Map.of("type", "reward_program_activation", "id", id, "relationships",
                        Map.of("patient", RewardTestSupport.link("patient", patient1)))), List.of());
        assertProblem(otherPatient, "/data/relationships/patient/data/id");
        Map<String, Object> noProgram = new LinkedHashMap<>();
        noProgram.put("data", null);
        Api.Response unlinked = api.send("PATCH", "/pub/reward_program_activation/" + id, tenant.token(), Api.JSON_API,
                RewardTestSupport.document(Map.of("type", "reward_program_activation", "id", id, "relationships",
                        Map.of("reward_program", noProgram))), List.of());
        assertThat(unlinked.status()).as(unlinked.body()).isEqualTo(409);
        assertThat(unlinked.at("/errors/0/source/pointer").asText()).isEqualTo("/data/relationships/reward_program/data");

        Api.Response deactivated = rewards.deactivate(id, Map.of("deactivated_at", days(-1), "activated_at", days(-20)));
        assertThat(deactivated.status()).as(deactivated.body()).isEqualTo(200);
        assertThat(deactivated.at("/data/attributes/deactivated_at").asText()).isEqualTo(days(-1).replace("Z", ".000Z"));
        assertThat(deactivated.at("/data/attributes/active").asBoolean()).isFalse();
        assertThat(Instant.parse(deactivated.at("/data/attributes/updated_at").asText()))
                .isAfterOrEqualTo(Instant.parse(deactivated.at("/data/attributes/created_at").asText()));
        assertThat(rewards.deactivate(id, Map.of("deactivated_at", days(-1))).status()).isEqualTo(200);
        assertProblem(rewards.deactivate(id, Map.of("deactivated_at", days(-2))), "/data/attributes/deactivated_at");
        assertThat(rewards.deactivate("000000000000000000000000", Map.of("deactivated_at", days(-1))).status())
                .isEqualTo(404);
    }

    @Test
    void filtersSortsPagingAndIncludes() {
        String groupC = fixtures.group(tenant.organizationId(), "Activations C");
        String listProgram = rewards.program(groupC);
        String pc1 = rewards.patient(groupC, "Gia");
        String pb2 = rewards.patient(groupC, "Gus");
        String first = rewards.created("reward_program_activation", activationData(listProgram, pc1,
                Map.of("activated_at", days(-5))));
        String second = rewards.created("reward_program_activation", activationData(listProgram, pb2,
                Map.of("activated_at", days(-15))));
        String base = "/pub/reward_program_activation?filter[groups]=" + groupC;
        assertThat(api.get(base, tenant.token()).ids()).containsExactlyInAnyOrder(first, second);
        assertThat(api.get(base + "&sort=activated_at", tenant.token()).ids()).containsExactly(second, first);
        assertThat(api.get(base + "&sort=-expires_at", tenant.token()).ids()).containsExactly(first, second);
        assertThat(api.get("/pub/reward_program_activation?filter[group]=" + groupC, tenant.token()).ids())
                .containsExactlyInAnyOrder(first, second);
        assertThat(api.get("/pub/reward_program_activation?filter[patient]=" + pb2, tenant.token()).ids())
                .containsExactly(second);
        assertThat(api.get("/pub/reward_program_activation?filter[organization]=" + tenant.organizationId()
                + "&page[size]=0", tenant.token()).at("/meta/count").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(api.get("/pub/reward_program_activation", tenant.token()).status()).isEqualTo(409);
        assertThat(api.get(base + "&sort=-activated_at&page[size]=1&page[number]=2", tenant.token()).ids())
                .containsExactly(second);
        assertThat(api.pageThrough(base + "&sort=-activated_at&page[limit]=1", tenant.token()))
                .containsExactly(first, second);

        Api.Response included = api.get("/pub/reward_program_activation/" + first + "?include=patient,reward_program",
                tenant.token());
        assertThat(included.status()).isEqualTo(200);
        assertThat(RewardTestSupport.includedIds(included)).containsExactlyInAnyOrder(pc1, listProgram);
    }

    @Test
    void aGroupScopedClientSeesOnlyItsPatientsActivations() {
        String programB = rewards.program(groupB);
        String visible = rewards.activation(program, rewards.patient(groupA, "Hal"));
        String hidden = rewards.activation(programB, patientB);
        String scoped = fixtures.token(fixtures.client(tenant.organizationId(), groupA));
        assertThat(api.get("/pub/reward_program_activation?filter[organization]=" + tenant.organizationId()
                + "&page[size]=50", scoped).ids()).contains(visible).doesNotContain(hidden);
        assertThat(api.get("/pub/reward_program_activation/" + hidden, scoped).status()).isEqualTo(404);
        assertThat(api.get("/pub/reward_program_activation?filter[groups]=" + groupB, scoped).status()).isEqualTo(403);
        assertThat(new RewardTestSupport(api, scoped).deactivate(hidden, Map.of("deactivated_at", days(-1))).status())
                .isEqualTo(404);
        Api.Response outside = new RewardTestSupport(api, scoped).post("reward_program_activation",
                activationData(programB, rewards.patient(groupB, "Ivy"), Map.of()));
        assertThat(outside.status()).isEqualTo(403);
        assertThat(outside.json().get("errors").findValuesAsText("pointer")).containsExactlyInAnyOrder(
                "/data/relationships/reward_program/data/id", "/data/relationships/patient/data/id");
    }
}
