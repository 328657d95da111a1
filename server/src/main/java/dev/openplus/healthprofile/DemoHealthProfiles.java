package dev.openplus.healthprofile;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.jooq.DSLContext;
import org.jooq.Record;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.DocumentWriter;
import dev.openplus.jsonapi.ResourceWriter;
import dev.openplus.jsonapi.WriteBatch;

/**
 * Demo answers for {@code serve --demo}: the first patients answer a few of their profile questions (some twice, so
 * that the history shows a change), through the same rules as the API.
 */
public final class DemoHealthProfiles {
    private static final int PATIENTS = 12;
    private static final int QUESTIONS_EACH = 4;

    private DemoHealthProfiles() {
    }

    public static void seed(ResourceWriter writer, DSLContext dsl, String organizationId) {
        List<Record> questions = dsl.fetch("""
                select q.patient_id, q.question_definition_id, jsonb_array_length(d.format -> 'data') as choices,
                       row_number() over (partition by q.patient_id order by q.question_definition_id) as position,
                       dense_rank() over (order by q.patient_id) as patient
                from health_profile_question q
                join health_question_definition d on d.id = q.question_definition_id
                where q.organization_id = ?
                order by q.patient_id, q.question_definition_id""", organizationId);
        OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).minusDays(30);
        Caller operator = Caller.operator(organizationId);
        for (Record question : questions) {
            long patient = question.get("patient", Long.class);
            long position = question.get("position", Long.class);
            if (patient > PATIENTS || position > QUESTIONS_EACH) {
                continue;
            }
            int choices = question.get("choices", Integer.class);
            int answers = position == 1 ? 2 : 1;
            for (int i = 0; i < answers; i++) {
                ObjectNode data = BodyReader.mapper().createObjectNode().put("type", "health_profile_answer");
                data.putObject("attributes")
                        .put("question_id", question.get("question_definition_id", String.class))
                        .put("value", String.valueOf((patient + position + i) % choices))
                        .put("answered_at", DocumentWriter.timestamp(start.plusDays(patient + 10L * i)));
                data.putObject("relationships").putObject("patient").putObject("data")
                        .put("type", "patient").put("id", question.get("patient_id", String.class));
                List<BodyReader.ResourceInput> input = new ArrayList<>();
                input.add(BodyReader.resource(data, "/data", HealthProfileAnswerResource.TYPE, WriteBatch.Mode.CREATE,
                        null));
                writer.insert(dsl, operator, HealthProfileAnswerResource.TYPE, input, null, false);
            }
        }
    }
}
