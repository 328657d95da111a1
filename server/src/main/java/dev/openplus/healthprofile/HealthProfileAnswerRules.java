package dev.openplus.healthprofile;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.Record2;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.db.Ids;
import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.DocumentWriter;
import dev.openplus.jsonapi.IdFormat;
import dev.openplus.jsonapi.WriteBatch;
import dev.openplus.jsonapi.WriteItem;
import dev.openplus.jsonapi.WriteRules;

/**
 * Recording an answer: the question must be in the patient's profile and the value one of its choices; the answer
 * is appended to the patient's one answer resource for that question, which the first answer creates. The database
 * decides which (one {@code INSERT … ON CONFLICT … DO UPDATE} on the unique (patient, question) pair), so two
 * concurrent first answers end up in one resource. Per answer: the patient check (the engine's), the question
 * check, the write.
 */
final class HealthProfileAnswerRules implements WriteRules {
    /** How far in the future an answered_at may lie (clock skew between the client and the server). */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private static final String UPSERT = """
            insert into health_profile_answer as a (id, organization_id, patient_id, question_id, history, latest,
                latest_value, latest_answered_at, created_by, updated_by)
            values (?, ?, ?, ?, jsonb_build_array(?::jsonb), ?::jsonb, ?, ?::timestamptz, ?, ?)
            on conflict (patient_id, question_id) do update set
                history = a.history || excluded.history,
                latest = case when excluded.latest_answered_at >= a.latest_answered_at then excluded.latest else a.latest end,
                latest_value = case when excluded.latest_answered_at >= a.latest_answered_at
                    then excluded.latest_value else a.latest_value end,
                latest_answered_at = greatest(a.latest_answered_at, excluded.latest_answered_at),
                updated_at = now(),
                updated_by = excluded.updated_by
            returning id""";

    @Override
    public void beforeWrite(WriteBatch batch) {
        // The API creates one answer per request; the demo seed may hand over several.
        for (WriteItem item : batch.items()) {
            record(batch, item);
        }
    }

    private static void record(WriteBatch batch, WriteItem item) {
        DSLContext dsl = batch.dsl();
        String questionId = (String) item.value("question_id");
        String value = (String) item.value("value");
        String patientId = item.linkedId(HealthProfileAnswerResource.PATIENT);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        OffsetDateTime answeredAt = item.value("answered_at") instanceof OffsetDateTime given ? given : now;
        if (answeredAt.isAfter(now.plus(CLOCK_SKEW))) {
            item.problem("/attributes/answered_at", "answered_at cannot lie in the future");
        }
        Record2<JSONB, Boolean> question = !IdFormat.NUMERIC.accepts(questionId) ? null : dsl
                .select(DSL.field(DSL.name("d", "format"), SQLDataType.JSONB),
                        DSL.field(DSL.exists(DSL.selectOne().from(DSL.table(DSL.name("health_profile_question")).as("q"))
                                .where(DSL.field(DSL.name("q", "patient_id"), SQLDataType.CHAR(24)).eq(patientId))
                                .and(DSL.field(DSL.name("q", "question_definition_id"), SQLDataType.VARCHAR)
                                        .eq(DSL.field(DSL.name("d", "id"), SQLDataType.VARCHAR))))))
                .from(DSL.table(DSL.name("health_question_definition")).as("d"))
                .where(DSL.field(DSL.name("d", "id"), SQLDataType.VARCHAR).eq(questionId))
                .fetchOne();
        if (question == null) {
            item.problem("/attributes/question_id", "no health question definition has this id");
            return;
        }
        if (!Boolean.TRUE.equals(question.value2())) {
            item.problem("/attributes/question_id",
                    "this question is not in the patient's health profile (the patient does not meet its requirements)");
        }
        List<String> choices = new ArrayList<>();
        readJson(question.value1()).path("data").forEach(choice -> choices.add(choice.path("value").asText()));
        if (!choices.contains(value)) {
            item.problem("/attributes/value", "value must be one of the question's choices: " + String.join(", ", choices));
        }
        if (item.hasProblems()) {
            return;
        }
        String actor = batch.caller().actorId();
        ObjectNode latest = BodyReader.mapper().createObjectNode()
                .put("answered_at", DocumentWriter.timestamp(answeredAt))
                .put("value", value)
                .put("_created_by", actor);
        ObjectNode entry = latest.deepCopy().put("_id", Ids.newId());
        String id = dsl.resultQuery(UPSERT, item.id(), batch.caller().organizationId(), patientId, questionId,
                entry.toString(), latest.toString(), value, answeredAt, actor, actor).fetchOne(0, String.class);
        item.writtenAs(id);
    }

    private static JsonNode readJson(JSONB json) {
        try {
            return BodyReader.mapper().readTree(json.data());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a stored question format is not JSON", e);
        }
    }
}
