package dev.openplus.http;

import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.openplus.auth.Principal;
import dev.openplus.jsonapi.ApiExchange;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.DocumentWriter;
import dev.openplus.jsonapi.ErrorRenderer;
import io.javalin.http.Context;

/** Per-request state (request id, principal) and the one way responses are written. */
public final class Exchange {
    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);
    private static final String REQ_ID = "openplus.reqId";
    private static final String PRINCIPAL = "openplus.principal";
    private static final String ANSWERED = "openplus.answered";
    private static final String ANSWER = "openplus.answer";
    private static final String ERROR_RENDERER = "openplus.errorRenderer";
    /**
     * Every answer may be compressed or not depending on {@code Accept-Encoding} (Javalin compresses large ones for
     * the encodings it has), so a cache between the client and the server must key its copies on it.
     */
    static final String VARY = "Accept-Encoding";

    private Exchange() {
    }

    static void begin(Context ctx) {
        String reqId = RequestIds.next();
        ctx.attribute(REQ_ID, reqId);
        ctx.header("X-Request-Id", reqId);
        ctx.header("Vary", VARY);
    }

    public static String reqId(Context ctx) {
        String reqId = ctx.attribute(REQ_ID);
        return reqId == null ? "" : reqId;
    }

    /** The request belongs to another API than JSON:API: its errors are written by this renderer. */
    static void renderErrorsWith(Context ctx, ErrorRenderer renderer) {
        ctx.attribute(ERROR_RENDERER, renderer);
    }

    /** The renderer of the request's errors, or null for JSON:API's error documents. */
    static ErrorRenderer errorRenderer(Context ctx) {
        return ctx.attribute(ERROR_RENDERER);
    }

    public static void authenticate(Context ctx, Principal principal) {
        ctx.attribute(PRINCIPAL, principal);
    }

    public static Principal principal(Context ctx) {
        Principal principal = ctx.attribute(PRINCIPAL);
        if (principal == null) {
            throw new IllegalStateException("no principal on an authenticated route: " + ctx.path());
        }
        return principal;
    }

    /** The principal, or null on routes that need none. */
    public static Principal principalOrNull(Context ctx) {
        return ctx.attribute(PRINCIPAL);
    }

    public static void respond(Context ctx, int status, byte[] body) {
        respond(ctx, status, DocumentWriter.MEDIA_TYPE, body);
    }

    /**
     * Sets the answer; it leaves once the handler (and any exception or error handler after it) has returned,
     * through {@link #send}. A handler answers from inside its transaction, and a body written there straight to
     * Jetty's stream leaves with its status as soon as it outgrows the output buffer, before COMMIT: a commit that
     * then failed reached a client that had already seen a 2xx. Held here, the answer goes out only after the
     * transaction has completed, and an exception thrown later (a failed COMMIT) replaces it with the error.
     */
    public static void respond(Context ctx, int status, String contentType, byte[] body) {
        ctx.attribute(ANSWERED, Boolean.TRUE);
        ctx.attribute(ANSWER, new Answer(status, contentType, body, null));
    }

    /** As {@link #respond(Context, int, String, byte[])}, with a file's content streamed from disk when sent. */
    public static void respondFile(Context ctx, int status, String contentType, java.nio.file.Path file) {
        ctx.attribute(ANSWERED, Boolean.TRUE);
        ctx.attribute(ANSWER, new Answer(status, contentType, null, file));
    }

    private record Answer(int status, String contentType, byte[] body, java.nio.file.Path file) {
    }

    /** Writes the answer {@link #respond} set: Javalin's last stage (after-handlers), which always runs. */
    static void send(Context ctx) {
        Answer answer = ctx.attribute(ANSWER);
        if (answer == null) {
            return;
        }
        ctx.attribute(ANSWER, null);
        ctx.status(answer.status());
        ctx.contentType(answer.contentType());
        // Written here rather than through ctx.result: Javalin copies a result through a fresh 32 KiB buffer,
        // half of all the memory a small fetch allocated. The stream is Javalin's, so compression still applies.
        try {
            if (answer.file() != null) {
                java.nio.file.Files.copy(answer.file(), ctx.outputStream());
            } else {
                ctx.outputStream().write(answer.body());
            }
        } catch (java.io.IOException e) {
            // The client closed the connection first (a timeout, a cancelled job): nothing is left to answer, and
            // it is not the server's failure, so no error is logged and no error document is attempted.
            LOG.debug("the client went away before the response was written (req_id {})", reqId(ctx), e);
        }
    }

    /** The request as the engine sees it. */
    public static ApiExchange of(Context ctx) {
        return new JavalinExchange(ctx);
    }

    /** The web request behind an exchange, for handlers of the web layer's own (e.g. the token endpoint). */
    public static Context context(ApiExchange exchange) {
        return ((JavalinExchange) exchange).ctx();
    }

    private record JavalinExchange(Context ctx) implements ApiExchange {
        @Override
        public Caller caller() {
            return principal(ctx);
        }

        @Override
        public Map<String, List<String>> queryParams() {
            return ctx.queryParamMap();
        }

        @Override
        public byte[] body() {
            return ctx.bodyAsBytes();
        }

        @Override
        public String path() {
            return ctx.path();
        }

        @Override
        public String pathParam(String name) {
            return ctx.pathParam(name);
        }

        @Override
        public String reqId() {
            return Exchange.reqId(ctx);
        }

        @Override
        public String baseUrl() {
            String forwarded = ctx.header("X-Forwarded-Proto");
            String scheme = "https".equalsIgnoreCase(forwarded) || "http".equalsIgnoreCase(forwarded)
                    ? forwarded.toLowerCase(java.util.Locale.ROOT) : ctx.scheme();
            String host = ctx.header("Host");
            if (host == null || host.isBlank() || !host.matches("[A-Za-z0-9.:\\[\\]-]+")) {
                host = ctx.req().getLocalAddr() + ":" + ctx.req().getLocalPort();
            }
            return scheme + "://" + host;
        }

        @Override
        public String header(String name) {
            return ctx.header(name);
        }

        @Override
        public void responseHeader(String name, String value) {
            ctx.header(name, value);
        }

        @Override
        public void respondFile(int status, String mediaType, java.nio.file.Path file) {
            Exchange.respondFile(ctx, status, mediaType, file);
        }

        @Override
        public void respond(int status, byte[] document) {
            Exchange.respond(ctx, status, document);
        }

        @Override
        public void respond(int status, String mediaType, byte[] document) {
            Exchange.respond(ctx, status, mediaType, document);
        }
    }

    static boolean answered(Context ctx) {
        return Boolean.TRUE.equals(ctx.attribute(ANSWERED));
    }
}
