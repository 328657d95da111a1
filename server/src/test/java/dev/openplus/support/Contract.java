package dev.openplus.support;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;

/**
 * Holds every exchange of the integration tests to the project's OpenAPI document: each /pub response, and
 * the request of each exchange that succeeded (tests of bad input send invalid requests on purpose); and the
 * resources of each successful answer to the reference's own facts (ReferenceFacts).
 */
final class Contract {
    private static final OpenApiInteractionValidator VALIDATOR = OpenApiInteractionValidator
            // The document the test server serves: generated at its start from its operations and types.
            .createForInlineApiSpecification(TestServer.get().openApiYaml())
            // Merge allOf into one schema: judged separately, each part would reject the other's members.
            .withResolveRefs(true)
            .withResolveCombinators(true)
            .withLevelResolver(LevelResolver.create()
                    // Unknown routes and wrong methods are tested on purpose (JsonApiCoreTest asserts their error
                    // documents); the document has no operation to hold them to.
                    .withLevel("validation.request.path.missing", ValidationReport.Level.IGNORE)
                    .withLevel("validation.request.operation.notAllowed", ValidationReport.Level.IGNORE)
                    // Bearer tokens are checked by the server, not by the document's security scheme.
                    .withLevel("validation.request.security.missing", ValidationReport.Level.IGNORE)
                    .withLevel("validation.request.security.invalid", ValidationReport.Level.IGNORE)
                    .build())
            .build();

    private Contract() {
    }

    /**
     * The resources of a successful JSON:API answer against the reference's own facts (ReferenceFacts): the server's
     * document cannot catch a description that is itself wrong.
     */
    private static void referenceFacts(String method, String pathAndQuery, Api.Response response) {
        if (response.status() < 200 || response.status() >= 300 || !response.body().startsWith("{")
                || !response.header("Content-Type").orElse("").startsWith(Api.JSON_API)) {
            return;
        }
        ReferenceFacts facts = ReferenceFacts.get();
        List<String> differences = facts.undeclared(facts.responseDifferences(response.json()));
        if (!differences.isEmpty()) {
            throw new AssertionError("the answer to " + method + " " + pathAndQuery + " differs from the reference "
                    + "(and no entry of reference/deviations.yaml says why):\n  " + String.join("\n  ", differences)
                    + "\nresponse: " + response.body().substring(0, Math.min(600, response.body().length())));
        }
    }

    static void check(String method, String pathAndQuery, String contentType, String requestBody, Api.Response response) {
        int question = pathAndQuery.indexOf('?');
        String path = question < 0 ? pathAndQuery : pathAndQuery.substring(0, question);
        // HEAD has no operation of its own in the document: HttpStrictnessTest holds it to what GET answers.
        if (!path.startsWith("/pub/") || method.equals("HEAD")) {
            return;
        }
        SimpleResponse.Builder answer = SimpleResponse.Builder.status(response.status());
        response.header("Content-Type").ifPresent(type -> answer.withContentType(type));
        if (!response.body().isEmpty()) {
            answer.withBody(response.body());
        }
        Request.Method requestMethod = Request.Method.valueOf(method);
        ValidationReport report = VALIDATOR.validateResponse(path, requestMethod, answer.build());
        if (response.status() >= 200 && response.status() < 300) {
            SimpleRequest.Builder request = new SimpleRequest.Builder(requestMethod, path);
            if (question >= 0) {
                for (String pair : pathAndQuery.substring(question + 1).split("&")) {
                    int equals = pair.indexOf('=');
                    String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                    String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                    request.withQueryParam(key, value);
                }
            }
            if (contentType != null) {
                request.withContentType(contentType);
            }
            if (requestBody != null) {
                request.withBody(requestBody);
            }
            report = report.merge(VALIDATOR.validateRequest(request.build()));
        }
        if (report.hasErrors()) {
            List<String> messages = report.getMessages().stream()
                    .filter(message -> message.getLevel() == ValidationReport.Level.ERROR)
                    .map(message -> message.getKey() + ": " + message.getMessage()).toList();
            throw new AssertionError("the exchange " + method + " " + pathAndQuery + " → " + response.status()
                    + " breaks the OpenAPI document:\n  " + messages.stream().collect(Collectors.joining("\n  "))
                    + "\nresponse: " + response.body().substring(0, Math.min(600, response.body().length())));
        }
        referenceFacts(method, pathAndQuery, response);
    }
}
