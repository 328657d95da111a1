package dev.openplus.http;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.openplus.auth.Principal;
import dev.openplus.auth.TokenService;
import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.jsonapi.ApiExchange;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.DocumentWriter;
import dev.openplus.jsonapi.ErrorCode;
import dev.openplus.jsonapi.Operation;
import io.javalin.http.servlet.JavalinServletContextKt;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code GET /pub/<type>/<id>} answered on Jetty's own handler API, in front of Javalin's servlet. A fetch by id
 * is the hottest request an integration makes, and below the servlet layer it skips the servlet request and
 * response objects, the session handler Javalin installs and Javalin's router (bench/README.md, "Direct reads").
 *
 * <p>It answers exactly what Javalin would: the same checks in the same order (request id, bearer token,
 * {@code Accept}), the same engine handler, the same error documents, timer and access-log line. Only the plain
 * case is taken; a request that could make Javalin answer differently goes on to Javalin untouched: any method
 * but GET, a path other than one of the fetch routes with an id of letters, digits, {@code _} and {@code -}, or a
 * {@code Content-Type} (it picks the charset the query is decoded in). An answer is compressed as Javalin
 * compresses it ({@link ResponseCompression}), with Javalin's own compression settings.
 */
final class DirectReads extends Handler.Wrapper {
    private static final Logger LOG = LoggerFactory.getLogger(DirectReads.class);
    private static final String PREFIX = "/pub/";

    /** The fetch operation of each {@code <type>} path segment. */
    private final Map<String, Operation> fetches = new HashMap<>();
    /** Routes whose path is literal, e.g. a {@code GET /pub/<type>/<name>} beside a fetch: Javalin's. */
    private final Set<String> literalPaths;
    private final TokenService tokens;
    private final RequestLog requestLog;
    private final Counter directReads;
    private final ResponseCompression compression;

    DirectReads(List<Operation> operations, List<String> routeTable, TokenService tokens, RequestLog requestLog,
            MeterRegistry metrics, ResponseCompression compression) {
        for (Operation operation : operations) {
            if (operation.kind() == Operation.Kind.FETCH && operation.method().equals("GET")) {
                String path = operation.path();
                String segment = path.substring(PREFIX.length(), path.length() - "/{id}".length());
                if (!path.equals(PREFIX + segment + "/{id}") || segment.indexOf('/') >= 0) {
                    throw new IllegalStateException("a fetch route is not /pub/<type>/{id}: " + path);
                }
                fetches.put(segment, operation);
            }
        }
        this.literalPaths = Set.copyOf(routeTable.stream().filter(route -> !route.contains("{"))
                .map(route -> route.substring(route.indexOf(' ') + 1)).toList());
        this.tokens = tokens;
        this.requestLog = requestLog;
        this.compression = compression;
        this.directReads = Counter.builder("openplus_http_direct_reads")
                .description("Requests answered in front of the web framework (GET /pub/<type>/<id>)")
                .register(metrics);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long start = System.nanoTime();
        String path = request.getHttpURI().getPath();
        Operation operation = direct(request, path);
        if (operation == null) {
            return super.handle(request, response, callback);
        }
        directReads.increment();
        String reqId = RequestIds.next();
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, DocumentWriter.MEDIA_TYPE);
        response.getHeaders().put("X-Request-Id", reqId);
        response.getHeaders().put(HttpHeader.VARY, Exchange.VARY);
        DirectExchange exchange = new DirectExchange(request, response, callback, path,
                path.substring(path.lastIndexOf('/') + 1), reqId, start);
        try {
            exchange.principal = HttpServer.authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION), tokens,
                    () -> tokens.sourceAddress(Request.getRemoteAddr(request), request.getHeaders()::get),
                    challenge -> response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, challenge));
            ContentNegotiation.checkAccept(request.getHeaders().get(HttpHeader.ACCEPT));
            exchange.route = operation.path();
            operation.handler().handle(exchange);
            if (!exchange.answeredOrDeferred()) {
                throw new IllegalStateException(operation.operationId() + " did not answer");
            }
        } catch (RuntimeException e) {
            exchange.fail(e);
        }
        return true;
    }

    /** The fetch this request is, when it is one answered here; null sends it on to Javalin. */
    private Operation direct(Request request, String path) {
        if (!HttpMethod.GET.is(request.getMethod()) || path == null || !path.startsWith(PREFIX)) {
            return null;
        }
        int slash = path.indexOf('/', PREFIX.length());
        if (slash < 0 || slash == path.length() - 1 || !plainId(path, slash + 1) || literalPaths.contains(path)) {
            return null;
        }
        Operation operation = fetches.get(path.substring(PREFIX.length(), slash));
        if (operation == null || request.getHeaders().contains(HttpHeader.CONTENT_TYPE)) {
            return null;
        }
        return operation;
    }

    /** Letters, digits, '_' and '-' only to the end: what needs no decoding and holds no further segment. */
    private static boolean plainId(String path, int from) {
        for (int i = from; i < path.length(); i++) {
            char c = path.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /**
     * The engine's view of a direct fetch. The answer is written when it is given: during the handler, or later
     * from the thread of a statement that read this request's id with others ({@link #deferAnswer()}).
     */
    private final class DirectExchange implements ApiExchange {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final String path;
        private final String id;
        private final String reqId;
        private final long start;
        private final AtomicBoolean answered = new AtomicBoolean();
        private volatile boolean deferred;
        private Principal principal;
        /** As in Javalin's log: a request turned away before its route handler ran counts as unmatched. */
        private String route = "unmatched";

        DirectExchange(Request request, Response response, Callback callback, String path, String id, String reqId,
                long start) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.path = path;
            this.id = id;
            this.reqId = reqId;
            this.start = start;
        }

        @Override
        public Caller caller() {
            return principal;
        }

        @Override
        public Map<String, List<String>> queryParams() {
            // Javalin's own parsing (its Context.queryParamMap), so that both paths read a query alike.
            String query = request.getHttpURI().getQuery();
            return JavalinServletContextKt.splitKeyValueStringAndGroupByKey(query == null ? "" : query, "UTF-8");
        }

        @Override
        public byte[] body() {
            throw new IllegalStateException("a fetch reads no request body");
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public String pathParam(String name) {
            if (!name.equals("id")) {
                throw new IllegalArgumentException("a fetch route has no path parameter " + name);
            }
            return id;
        }

        @Override
        public String reqId() {
            return reqId;
        }

        @Override
        public boolean deferAnswer() {
            deferred = true;
            return true;
        }

        boolean answeredOrDeferred() {
            return deferred || answered.get();
        }

        @Override
        public void respond(int status, byte[] document) {
            write(status, document);
        }

        @Override
        public void fail(RuntimeException e) {
            // As Javalin's exception handlers answer.
            List<ApiError> unavailable = e instanceof ApiException ? null : Unavailable.errors(e, "GET", path, reqId);
            if (e instanceof ApiException api) {
                int status = api.status();
                if (status == 401 && !response.getHeaders().contains(HttpHeader.WWW_AUTHENTICATE)) {
                    response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
                }
                if (api.retryAfterSeconds() > 0) {
                    response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(api.retryAfterSeconds()));
                }
                write(status, HttpServer.errorDocument(api.errors(), reqId));
            } else if (unavailable != null) {
                response.getHeaders().put(HttpHeader.RETRY_AFTER, Unavailable.RETRY_AFTER);
                write(503, HttpServer.errorDocument(unavailable, reqId));
            } else {
                LOG.error("request GET {} failed (req_id {})", path, reqId, e);
                write(500, HttpServer.errorDocument(List.of(new ApiError(ErrorCode.InternalError,
                        "the server could not complete the request; quote req_id when reporting it")), reqId));
            }
        }

        /** Writes the one answer; a second is a bug in the handler and is dropped. */
        private void write(int status, byte[] body) {
            if (!answered.compareAndSet(false, true)) {
                LOG.error("request GET {} was answered twice (req_id {}); the second answer ({}) is dropped", path,
                        reqId, status);
                return;
            }
            response.setStatus(status);
            byte[] content = body;
            ResponseCompression.Encoded encoded = compression.encode(DocumentWriter.MEDIA_TYPE,
                    request.getHeaders().get(HttpHeader.ACCEPT_ENCODING), body);
            if (encoded != null) {
                response.getHeaders().put(HttpHeader.CONTENT_ENCODING, encoded.encoding());
                content = encoded.content();
            }
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, content.length);
            response.write(true, ByteBuffer.wrap(content), callback);
            requestLog.record("GET", route, status, principal, reqId, (System.nanoTime() - start) / 1_000_000.0);
        }
    }
}
