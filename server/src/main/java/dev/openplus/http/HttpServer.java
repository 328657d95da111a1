package dev.openplus.http;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.openplus.auth.Principal;
import dev.openplus.auth.TokenService;
import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.jsonapi.DocumentWriter;
import dev.openplus.jsonapi.ErrorCode;
import dev.openplus.jsonapi.ErrorRenderer;
import dev.openplus.jsonapi.Operation;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Wires Javalin: request ids, authentication, content negotiation, the routes, the error model (every failure
 * becomes a JSON:API error document, never a stack trace), the access log and the metrics.
 */
public final class HttpServer {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    private static final DocumentWriter WRITER = new DocumentWriter();

    /** Registers the application's routes. */
    @FunctionalInterface
    public interface Routes {
        void register(JavalinConfig config);
    }

    /**
     * How long a stop waits for the requests in progress to finish before it closes their connections: shorter than
     * the 30 s a supervisor (Kubernetes, systemd) commonly grants between SIGTERM and SIGKILL.
     */
    public static final java.time.Duration DRAIN_TIMEOUT = java.time.Duration.ofSeconds(20);

    private HttpServer() {
    }

    /** The requests a server created here is handling now (from the moment their headers arrived). */
    public static int requestsInProgress(Javalin javalin) {
        GracefulHandler graceful = javalin.jettyServer().server().getDescendant(GracefulHandler.class);
        return graceful == null ? 0 : (int) graceful.getCurrentRequestCount();
    }

    /** Paths under /pub that need no bearer token: the token endpoint and the API's own description. */
    private static boolean isPublic(Context ctx) {
        String path = ctx.path();
        return path.equals("/pub/oauth/token") || path.equals("/pub/openapi.json") || path.equals("/pub/openapi.yaml");
    }

    /**
     * How long a request body may take to arrive: {@code bodyTimeout}, plus a second for every {@code minBodyRate}
     * bytes that have arrived ({@link BodyReading}).
     */
    public record BodyLimits(java.time.Duration bodyTimeout, int minBodyRate) {
    }

    /**
     * @param limits     the deadline of a request body; a body that falls behind is answered 408
     * @param routeTable every route as "METHOD /path" ({@code routes} fills it): tells a wrong method from an
     *                   unknown route before the media type is checked, and lists a 405's Allow header
     * @param directReads operations whose fetches by id {@link DirectReads} answers in front of Javalin (their
     *                    routes are registered with Javalin all the same); empty to leave every request to Javalin
     * @param otherApis  APIs beside /pub on the same port and tokens (FHIR R4), with their own error documents
     */
    public static Javalin create(long maxBodyBytes, BodyLimits limits, int httpThreads, TokenService tokens,
            PrometheusMeterRegistry metrics, List<String> routeTable, List<Operation> directReads,
            List<OtherApi> otherApis, Routes routes) {
        RouteMethods methods = new RouteMethods(routeTable);
        RequestLog requestLog = new RequestLog(metrics);
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            // Javalin's default pool grows to 250 threads: under load each of them waits for one of the pool's
            // database connections, and the lock contention led the profile (bench/README.md, "Profile").
            QueuedThreadPool threads = new QueuedThreadPool(httpThreads, Math.min(4, httpThreads), 60_000);
            threads.setName("openplus-http");
            config.jetty.threadPool = threads;
            config.http.maxRequestSize = maxBodyBytes;
            config.http.prefer405over404 = true;
            config.http.defaultContentType = DocumentWriter.MEDIA_TYPE;
            config.router.ignoreTrailingSlashes = false;
            // Javalin puts its servlet handler inside the innermost of the server's wrappers; the route table is
            // complete only once the routes are registered, hence the late copy.
            config.jetty.modifyServer(server -> {
                server.setErrorHandler(ErrorAnswers.errorHandler());
                // Outermost: counts the requests in progress, and lets a stop wait for them (DRAIN_TIMEOUT) after
                // the connectors stopped accepting; requests that arrive meanwhile are answered 503.
                server.setHandler(new GracefulHandler(new BodyReading(directReads.isEmpty() ? null
                        : new DirectReads(directReads, routeTable, tokens, requestLog, metrics,
                                new ResponseCompression(config.http.compressionStrategy)),
                        maxBodyBytes, limits.bodyTimeout(), limits.minBodyRate(), requestLog)));
                server.setStopTimeout(DRAIN_TIMEOUT.toMillis());
            });

            config.routes.before(ctx -> {
                Exchange.begin(ctx);
                for (OtherApi api : otherApis) {
                    if (api.owns(ctx.path())) {
                        beforeOtherApi(ctx, api, tokens, methods);
                        return;
                    }
                }
                if (!ctx.path().startsWith("/pub/")) {
                    return;
                }
                if (!isPublic(ctx)) {
                    Exchange.authenticate(ctx, authenticate(ctx.header("Authorization"), tokens,
                            () -> tokens.sourceAddress(ctx.req().getRemoteAddr(), ctx::header),
                            challenge -> ctx.header("WWW-Authenticate", challenge)));
                }
                // The method before the media type: a wrong method is a 405 whatever body it carries.
                List<String> allowed = methods.allowed(ctx.path());
                if (allowed.isEmpty()) {
                    return; // routing answers 404
                }
                if (!RouteMethods.permits(allowed, ctx.method().name())) {
                    throw new ApiException(new ApiError(405, ErrorCode.MethodNotAllowed,
                            detail(ErrorCode.MethodNotAllowed, ctx), null, null));
                }
                if (!isPublic(ctx)) {
                    ContentNegotiation.checkContentType(ctx);
                }
                ContentNegotiation.checkAccept(ctx.header("Accept"));
            });

            routes.register(config);

            config.routes.exception(ApiException.class, (e, ctx) -> {
                allow(ctx, e.status(), methods);
                if (e.retryAfterSeconds() > 0) {
                    ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
                }
                writeErrors(ctx, e.status(), e.errors());
            });
            routingErrors(config, methods);
            config.routes.exception(DataAccessException.class, (e, ctx) -> {
                if (isRetryable(e)) {
                    // A serialization failure or deadlock, typically at COMMIT: nothing was stored, and the same
                    // request sent again is expected to succeed. 503 with Retry-After is what HTTP clients and
                    // proxies retry on their own; 409 means "fix the request" in this API (DESIGN §4).
                    LOG.info("request {} {} lost a conflict with a concurrent transaction, SQLSTATE {} (req_id {})",
                            ctx.method(), ctx.path(), e.sqlState(), Exchange.reqId(ctx));
                    ctx.header("Retry-After", "1");
                    writeErrors(ctx, 503, List.of(new ApiError(ErrorCode.ServiceUnavailable,
                            "the request conflicted with a concurrent one and changed nothing; send it again")));
                } else {
                    internalError(ctx, e);
                }
            });
            config.routes.exception(Exception.class, (e, ctx) -> internalError(ctx, e));
            config.routes.after(Exchange::send);
            config.router.javaLangErrorHandler((response, error) -> {
                LOG.error("fatal error while serving a request", error);
                response.setStatus(500);
            });

            config.requestLogger.http((ctx, millis) -> requestLog.record(ctx.method().name(), route(ctx),
                    ctx.status().getCode(), Exchange.principalOrNull(ctx), Exchange.reqId(ctx), millis));
        });
    }

    /**
     * The checks of /pub for another API's request: its errors in its own documents, the bearer token (except on
     * its public paths), the method before the media type, and an {@code Accept} it can answer.
     */
    private static void beforeOtherApi(Context ctx, OtherApi api, TokenService tokens, RouteMethods methods) {
        Exchange.renderErrorsWith(ctx, api.errors());
        if (!api.publicPaths().contains(ctx.path())) {
            Exchange.authenticate(ctx, authenticate(ctx.header("Authorization"), tokens,
                    () -> tokens.sourceAddress(ctx.req().getRemoteAddr(), ctx::header),
                    challenge -> ctx.header("WWW-Authenticate", challenge)));
        }
        List<String> allowed = methods.allowed(ctx.path());
        if (!allowed.isEmpty() && !RouteMethods.permits(allowed, ctx.method().name())) {
            throw new ApiException(new ApiError(405, ErrorCode.MethodNotAllowed,
                    detail(ErrorCode.MethodNotAllowed, ctx), null, null));
        }
        String accept = ctx.header("Accept");
        if (accept != null && !accept.isBlank() && !api.accepts().test(accept)) {
            throw new ApiException(new ApiError(ErrorCode.NotAcceptable, "cannot answer in any media type of Accept: "
                    + accept));
        }
    }

    /**
     * Unknown paths (404) and known paths asked with another method (405, with {@code Allow}) as one JSON:API
     * error document, on the public and the management port alike. Javalin's own answer for them
     * ({@link HttpResponseException}) is replaced, not added to: its text would follow the document in the body.
     */
    static void routingErrors(JavalinConfig config, RouteMethods methods) {
        config.routes.exception(HttpResponseException.class, (e, ctx) -> {
            ErrorCode code = switch (e.getStatus()) {
                case 404 -> ErrorCode.ResourceNotFound;
                case 405 -> ErrorCode.MethodNotAllowed;
                case 413 -> ErrorCode.PayloadTooLarge;
                case 400 -> ErrorCode.InvalidBodyParameter;
                default -> ErrorCode.InternalError;
            };
            int status = code == ErrorCode.InternalError ? 500 : e.getStatus();
            allow(ctx, status, methods);
            writeErrors(ctx, status, List.of(new ApiError(status, code, detail(code, ctx), null, null)));
        });
        for (int status : new int[] {404, 405}) {
            config.routes.error(status, "*", ctx -> {
                if (!Exchange.answered(ctx)) {
                    ErrorCode code = status == 404 ? ErrorCode.ResourceNotFound : ErrorCode.MethodNotAllowed;
                    allow(ctx, status, methods);
                    writeErrors(ctx, status, List.of(new ApiError(status, code, detail(code, ctx), null, null)));
                }
            });
        }
    }

    /**
     * The caller of an {@code Authorization} header. RFC 6750 §3: {@code challenge} gets a bare
     * {@code WWW-Authenticate} value when no token came, {@code error="invalid_token"} for a bad one.
     *
     * @param address the caller's address, asked for only when the token must be looked up (failures are
     *                throttled per address)
     */
    static Principal authenticate(String authorization, TokenService tokens, Supplier<String> address,
            Consumer<String> challenge) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                || authorization.substring(7).isBlank()) {
            challenge.accept("Bearer");
            throw ApiException.unauthorized("a valid bearer token is required (Authorization: Bearer <access_token>)");
        }
        try {
            return tokens.authenticate(authorization.substring(7).trim(), address);
        } catch (ApiException e) {
            if (e.status() != 401) {
                throw e; // throttled: no challenge, the caller's token may be fine
            }
            challenge.accept("Bearer error=\"invalid_token\", error_description=\""
                    + e.getMessage().replace('"', '\'').replace('\\', '/') + "\"");
            throw e;
        }
    }

    /** 503 while the database is out of reach (Unavailable says when), else 500 with the failure in the log. */
    private static void internalError(Context ctx, Exception e) {
        List<ApiError> unavailable = Unavailable.errors(e, ctx.method().name(), ctx.path(), Exchange.reqId(ctx));
        if (unavailable != null) {
            ctx.header("Retry-After", Unavailable.RETRY_AFTER);
            writeErrors(ctx, 503, unavailable);
            return;
        }
        LOG.error("request {} {} failed (req_id {})", ctx.method(), ctx.path(), Exchange.reqId(ctx), e);
        writeErrors(ctx, 500, List.of(new ApiError(ErrorCode.InternalError,
                "the server could not complete the request; quote req_id when reporting it")));
    }

    /** SQLSTATE class 40, transaction rollback: serialization_failure (40001), deadlock_detected (40P01), … */
    static boolean isRetryable(DataAccessException e) {
        String state = e.sqlState();
        return state != null && state.startsWith("40");
    }

    /** A 405 names the methods the route does answer (RFC 9110 §15.5.6). */
    private static void allow(Context ctx, int status, RouteMethods methods) {
        if (status == 405) {
            List<String> allowed = methods.allowed(ctx.path());
            if (!allowed.isEmpty()) {
                ctx.header("Allow", String.join(", ", allowed));
            }
        }
    }

    /** The route template, so that metrics do not grow a series per id; unknown paths share one label. */
    private static String route(Context ctx) {
        // The HTTP endpoint that ran, not the current one: the log line is written after the after-handler that
        // sends the answer (Exchange.send), which is the current endpoint by then.
        io.javalin.router.Endpoint endpoint = ctx.endpoints().lastHttpEndpoint();
        return endpoint == null || endpoint.path.equals("*") ? "unmatched" : endpoint.path;
    }

    private static String detail(ErrorCode code, Context ctx) {
        return switch (code) {
            case ResourceNotFound -> "no route " + ctx.path();
            case MethodNotAllowed -> ctx.method().name() + " is not allowed on " + ctx.path();
            case PayloadTooLarge -> "the request body is larger than the server accepts";
            default -> code.title();
        };
    }

    static void writeErrors(Context ctx, int status, List<ApiError> errors) {
        if (status == 401 && ctx.res().getHeader("WWW-Authenticate") == null) {
            ctx.header("WWW-Authenticate", "Bearer");
        }
        ErrorRenderer renderer = Exchange.errorRenderer(ctx);
        if (renderer != null) {
            Exchange.respond(ctx, status, renderer.mediaType(), renderer.render(status, errors, Exchange.reqId(ctx)));
            return;
        }
        Exchange.respond(ctx, status, errorDocument(errors, Exchange.reqId(ctx)));
    }

    static byte[] errorDocument(List<ApiError> errors, String reqId) {
        return WRITER.errors(errors, reqId);
    }
}
