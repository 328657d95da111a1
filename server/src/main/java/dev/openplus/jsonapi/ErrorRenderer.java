package dev.openplus.jsonapi;

import java.util.List;

/**
 * Writes errors as a document of an API other than JSON:API (FHIR's OperationOutcome under /fhir/r4): the web
 * layer keeps one error model ({@link ApiError}) and asks the API a path belongs to how to put it on the wire.
 */
public interface ErrorRenderer {
    /** The Content-Type of the error documents. */
    String mediaType();

    byte[] render(int status, List<ApiError> errors, String reqId);
}
