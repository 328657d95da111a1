package dev.openplus.http;

import dev.openplus.auth.Principal;
import dev.openplus.jsonapi.DocumentWriter;
import io.javalin.http.Context;

/** Per-request state (request id, principal) and the one way responses are written. */
public final class Exchange {
    private static final String REQ_ID = "openplus.reqId";
    private static final String PRINCIPAL = "openplus.principal";
    private static final String ANSWERED = "openplus.answered";

    private Exchange() {
    }

    static void begin(Context ctx) {
        String reqId = java.util.UUID.randomUUID().toString();
        ctx.attribute(REQ_ID, reqId);
        ctx.header("X-Request-Id", reqId);
    }

    public static String reqId(Context ctx) {
        String reqId = ctx.attribute(REQ_ID);
        return reqId == null ? "" : reqId;
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

    public static void respond(Context ctx, int status, String contentType, byte[] body) {
        ctx.attribute(ANSWERED, Boolean.TRUE);
        ctx.status(status);
        ctx.contentType(contentType);
        ctx.result(body);
    }

    static boolean answered(Context ctx) {
        return Boolean.TRUE.equals(ctx.attribute(ANSWERED));
    }
}
