package dev.openplus.fhir;

import java.util.List;

import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.Questionnaire;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;

/**
 * HAPI FHIR's instance validator with the R4 base definitions (the vital-signs profiles among them) and the
 * questionnaires the server serves (so that a QuestionnaireResponse is checked against its Questionnaire). It
 * takes seconds to build: once per test JVM.
 */
final class FhirValidation {
    private static FhirValidator validator;
    private static PrePopulatedValidationSupport questionnaires;

    private FhirValidation() {
    }

    private static synchronized FhirValidator validator() {
        if (validator == null) {
            FhirContext context = FhirJson.context();
            questionnaires = new PrePopulatedValidationSupport(context);
            ValidationSupportChain chain = new ValidationSupportChain(new DefaultProfileValidationSupport(context),
                    questionnaires, new CommonCodeSystemsTerminologyService(context),
                    new InMemoryTerminologyServerValidationSupport(context), new SnapshotGeneratingValidationSupport(context));
            FhirInstanceValidator module = new FhirInstanceValidator(chain);
            validator = context.newValidator().registerValidatorModule(module);
        }
        return validator;
    }

    /** The questionnaire becomes known to the validator (QuestionnaireResponses are checked against it). */
    static synchronized void know(Questionnaire questionnaire) {
        validator();
        questionnaires.addResource(questionnaire);
    }

    /** The errors (and fatal problems) the validator finds in a resource's JSON: must be none. */
    static List<String> errors(String json) {
        return validator().validateWithResult(json).getMessages().stream()
                .filter(message -> message.getSeverity() == ResultSeverityEnum.ERROR
                        || message.getSeverity() == ResultSeverityEnum.FATAL)
                .map(FhirValidation::describe).toList();
    }

    private static String describe(SingleValidationMessage message) {
        return message.getLocationString() + ": " + message.getMessage();
    }
}
