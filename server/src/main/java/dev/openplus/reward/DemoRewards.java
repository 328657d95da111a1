package dev.openplus.reward;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import org.jooq.DSLContext;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.DocumentWriter;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.ResourceWriter;
import dev.openplus.jsonapi.WriteBatch;
import dev.openplus.patient.PatientResource;

/**
 * Demo rewards for {@code serve --demo}, written through the same rules as the API: a step-challenge
 * program of one group, activated for three of its patients, two rewards each, earnings for the first
 * patient's rewards and a fulfillment of the first earning.
 */
public final class DemoRewards {
    private DemoRewards() {
    }

    public static void seed(ResourceWriter writer, DSLContext dsl, String organizationId, String groupId) {
        Caller operator = Caller.operator(organizationId);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
        List<String> patients = dsl.select(PatientResource.MEMBER_PATIENT).from(PatientResource.MEMBER)
                .where(PatientResource.MEMBER_GROUP.eq(groupId)).orderBy(PatientResource.MEMBER_PATIENT).limit(3)
                .fetch(PatientResource.MEMBER_PATIENT);

        ObjectNode program = resource("reward_program");
        ((ObjectNode) program.get("attributes")).put("name", "10,000 Steps Challenge")
                .put("tagline", "Walk more, earn more")
                .put("description", "Earn up to 100 dollars a year for reaching your weekly step goals.")
                .put("start_at", at(now.minusDays(30))).put("end_at", at(now.plusDays(335)))
                .put("budget_value", 100).put("budget_unit", "dollar").put("duration_active", 365)
                .put("fulfill_as_earned", true);
        link(program, "group", "group", groupId);
        String programId = insert(writer, dsl, operator, RewardProgramResource.TYPE, List.of(program)).get(0);

        List<ObjectNode> activations = new ArrayList<>();
        for (String patientId : patients) {
            ObjectNode activation = resource("reward_program_activation");
            ((ObjectNode) activation.get("attributes")).put("activated_at", at(now.minusDays(20)));
            link(activation, "patient", "patient", patientId);
            link(activation, "reward_program", "reward_program", programId);
            activations.add(activation);
        }
        List<String> activationIds = insert(writer, dsl, operator, RewardProgramActivationResource.TYPE, activations);

        List<ObjectNode> rewards = new ArrayList<>();
        for (String activationId : activationIds) {
            for (int week = 1; week <= 2; week++) {
                ObjectNode reward = resource("reward");
                ((ObjectNode) reward.get("attributes")).put("description", "Reach 70,000 steps in week " + week)
                        .put("allocated_value", 10).put("allocated_at", at(now.minusDays(19)))
                        .put("target_at", at(now.minusDays(19 - 7L * week))).put("_thread", "steps-week-" + week);
                link(reward, "reward_program_activation", "reward_program_activation", activationId);
                rewards.add(reward);
            }
        }
        List<String> rewardIds = insert(writer, dsl, operator, RewardResource.TYPE, rewards);

        List<ObjectNode> earnings = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ObjectNode earning = resource("reward_earning");
            ((ObjectNode) earning.get("attributes")).put("earned_value", i == 0 ? 10 : 7.5)
                    .put("earned_at", at(now.minusDays(12 - 7L * i)));
            link(earning, "reward", "reward", rewardIds.get(i));
            earnings.add(earning);
        }
        List<String> earningIds = insert(writer, dsl, operator, RewardEarningResource.TYPE, earnings);

        ObjectNode fulfillment = resource("reward_earning_fulfillment");
        ((ObjectNode) fulfillment.get("attributes")).put("fulfilled_value", 10).put("fulfilled_at", at(now.minusDays(3)));
        link(fulfillment, "reward_earning", "reward_earning", earningIds.get(0));
        insert(writer, dsl, operator, RewardEarningFulfillmentResource.TYPE, List.of(fulfillment));
    }

    private static ObjectNode resource(String type) {
        ObjectNode data = BodyReader.mapper().createObjectNode().put("type", type);
        data.putObject("attributes");
        return data;
    }

    private static void link(ObjectNode data, String relationship, String type, String id) {
        ObjectNode relationships = data.has("relationships") ? (ObjectNode) data.get("relationships")
                : data.putObject("relationships");
        relationships.putObject(relationship).putObject("data").put("type", type).put("id", id);
    }

    private static String at(OffsetDateTime time) {
        return DocumentWriter.timestamp(time);
    }

    private static List<String> insert(ResourceWriter writer, DSLContext dsl, Caller operator, ResourceType type,
            List<ObjectNode> data) {
        List<BodyReader.ResourceInput> inputs = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            inputs.add(BodyReader.resource(data.get(i), "/data/" + i, type, WriteBatch.Mode.CREATE, null));
        }
        return writer.insert(dsl, operator, type, inputs, null, false).ids();
    }
}
