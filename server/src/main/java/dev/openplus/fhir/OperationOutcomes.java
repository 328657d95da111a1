package dev.openplus.fhir;

import java.util.List;

import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.ErrorRenderer;

/**
 * Errors under /fhir/r4 as FHIR's OperationOutcome, one issue per problem, with the HTTP status the web layer
 * chose: the same error model as /pub, another document.
 */
public final class OperationOutcomes implements ErrorRenderer {
    @Override
    public String mediaType() {
        return FhirJson.CONTENT_TYPE;
    }

    @Override
    public byte[] render(int status, List<ApiError> errors, String reqId) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.setId(reqId.isEmpty() ? null : reqId);
        for (ApiError error : errors) {
            OperationOutcome.OperationOutcomeIssueComponent issue = outcome.addIssue()
                    .setSeverity(status >= 500 ? IssueSeverity.FATAL : IssueSeverity.ERROR)
                    .setCode(issueType(status))
                    .setDiagnostics(error.detail() == null ? error.code().title() : error.detail());
            if (error.parameter() != null) {
                issue.addExpression(error.parameter());
            }
        }
        return FhirJson.encode(outcome);
    }

    private static IssueType issueType(int status) {
        return switch (status) {
            case 401 -> IssueType.LOGIN;
            case 403 -> IssueType.FORBIDDEN;
            case 404 -> IssueType.NOTFOUND;
            case 405, 406, 415 -> IssueType.NOTSUPPORTED;
            case 413 -> IssueType.TOOCOSTLY;
            case 429 -> IssueType.THROTTLED;
            case 503 -> IssueType.TRANSIENT;
            default -> status >= 500 ? IssueType.EXCEPTION : IssueType.INVALID;
        };
    }
}
