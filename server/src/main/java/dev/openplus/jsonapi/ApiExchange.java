package dev.openplus.jsonapi;

import java.util.List;
import java.util.Map;

/**
 * One API request as the engine sees it: who calls, the query parameters, the body, the path, and the one
 * way to answer. The web layer adapts its own request object to this, so the engine and the features do not
 * depend on the web framework.
 */
public interface ApiExchange {
    Caller caller();

    /** Query parameters by name, each with every value given (repeats are errors the parser reports). */
    Map<String, List<String>> queryParams();

    /** The request body; empty when there is none. */
    byte[] body();

    /** The request path, e.g. {@code /pub/patient/5a…}, for links. */
    String path();

    String pathParam(String name);

    /**
     * The scheme, host and port the client addressed ({@code http://localhost:8080}), for absolute links: the
     * {@code Host} header, and the scheme a TLS proxy names in {@code X-Forwarded-Proto}.
     */
    default String baseUrl() {
        throw new UnsupportedOperationException("this exchange knows no base URL");
    }

    /** A request header's value, or null (FHIR's {@code Prefer: respond-async}). */
    default String header(String name) {
        throw new UnsupportedOperationException("this exchange reads no request header");
    }

    /** Adds a header to the answer (FHIR Bulk Data's {@code Content-Location}, {@code X-Progress}). */
    default void responseHeader(String name, String value) {
        throw new UnsupportedOperationException("this exchange sets no response header");
    }

    /**
     * Answers with the content of a file, streamed from disk (a Bulk Data export's ndjson file: any size, never held
     * in memory), under the same rule as {@link #respond(int, byte[])}.
     */
    default void respondFile(int status, String mediaType, java.nio.file.Path file) {
        throw new UnsupportedOperationException("this exchange answers documents only");
    }

    /** The request id, also {@code meta.req_id}. */
    String reqId();

    /**
     * Answers with a JSON:API document. A handler may answer inside its transaction: the answer leaves only
     * after the handler has returned (DESIGN §3: sent after COMMIT), and an exception thrown before that, a
     * failed COMMIT included, replaces it with the error.
     */
    void respond(int status, byte[] document);

    /**
     * Answers with a document of another media type (FHIR's {@code application/fhir+json}), under the same rule as
     * {@link #respond(int, byte[])}: it leaves after the handler has returned.
     */
    default void respond(int status, String mediaType, byte[] document) {
        throw new UnsupportedOperationException("this exchange answers JSON:API documents only");
    }

    /**
     * Asks to answer after the handler has returned, from any thread, with {@link #respond} or {@link #fail}. True
     * when this exchange allows it: the handler then returns without answering and must see that one of the two
     * is called. False when the handler must answer (or throw) before it returns.
     */
    default boolean deferAnswer() {
        return false;
    }

    /** Answers as if the handler had thrown the exception; only after {@link #deferAnswer()} returned true. */
    default void fail(RuntimeException exception) {
        throw new IllegalStateException("this exchange is answered before its handler returns", exception);
    }
}
