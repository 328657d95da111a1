package dev.openplus.fhir;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.QuestionnaireResponse;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.healthprofile.HealthQuestionDefinitionResource;
import dev.openplus.jsonapi.ResourceRow;

/**
 * Questionnaire from a question of the health question catalogue (one question each, its choices as answer
 * options), QuestionnaireResponse from a patient's answers to one question (the latest answer; the history stays
 * in /pub). The catalogue questions a batch of answers needs are read in one statement.
 */
final class QuestionnaireMappings {
    static final String CANONICAL = FhirUris.NAMESPACE + "Questionnaire/health-question-";
    static final String CATEGORY_SYSTEM = FhirUris.CODE_SYSTEM + "health-question-category";

    static final ResourceMapping QUESTIONNAIRE = ResourceMapping.perRow((row, context) -> questionnaire(new SourceRow(row)));
    static final ResourceMapping RESPONSE = QuestionnaireMappings::responses;

    private QuestionnaireMappings() {
    }

    /** The code system of one question's answers: its choices' values are codes of it. */
    static String answerSystem(String questionId) {
        return FhirUris.CODE_SYSTEM + "health-question-" + questionId;
    }

    private static Questionnaire questionnaire(SourceRow source) {
        Questionnaire questionnaire = Elements.identify(new Questionnaire(), source);
        questionnaire.setUrl(CANONICAL + source.id());
        questionnaire.setName("HealthQuestion" + source.id());
        questionnaire.setStatus(PublicationStatus.ACTIVE);
        questionnaire.addSubjectType("Patient");
        questionnaire.addCode(new Coding(CATEGORY_SYSTEM, source.text("category"), null));
        Questionnaire.QuestionnaireItemComponent item = questionnaire.addItem().setLinkId(source.id())
                .setText(source.text("text")).setType(Questionnaire.QuestionnaireItemType.CHOICE);
        for (JsonNode choice : source.json("format").path("data")) {
            item.addAnswerOption().setValue(new Coding(answerSystem(source.id()), choice.path("value").asText(),
                    choice.path("label").asText()));
        }
        return questionnaire;
    }

    private static ResourceMapping.RowMapper responses(MappingContext context, List<ResourceRow> rows) {
        Set<String> questions = new LinkedHashSet<>();
        rows.forEach(row -> questions.add(new SourceRow(row).text("question_id")));
        Map<String, SourceRow> definitions = new HashMap<>();
        context.repository().fetchAll(context.dsl(), HealthQuestionDefinitionResource.TYPE, context.caller(), questions)
                .forEach(definition -> definitions.put(definition.id(), new SourceRow(definition)));
        return row -> {
            SourceRow source = new SourceRow(row);
            String questionId = source.text("question_id");
            QuestionnaireResponse response = Elements.identify(new QuestionnaireResponse(), source);
            response.setQuestionnaire(CANONICAL + questionId);
            response.setStatus(QuestionnaireResponse.QuestionnaireResponseStatus.COMPLETED);
            response.setSubject(Elements.reference("Patient", source.linked("patient")));
            response.setAuthoredElement(Elements.dateTime(source.time("answered_at")));
            SourceRow definition = definitions.get(questionId);
            QuestionnaireResponse.QuestionnaireResponseItemComponent item = response.addItem().setLinkId(questionId);
            String value = source.text("value");
            Coding answer = new Coding(answerSystem(questionId), value, null);
            if (definition != null) {
                item.setText(definition.text("text"));
                for (JsonNode choice : definition.json("format").path("data")) {
                    if (choice.path("value").asText().equals(value)) {
                        answer.setDisplay(choice.path("label").asText());
                    }
                }
            }
            item.addAnswer().setValue(answer);
            return response;
        };
    }
}
