package dev.openplus.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.openplus.db.Database;
import io.javalin.Javalin;
import io.javalin.http.Handler;

/**
 * The operations endpoints ({@code /health}, {@code /ready}, {@code /metrics}), and the separate server that
 * carries them when {@code OPENPLUS_MANAGEMENT_PORT} is set, so that they can be kept off the public port.
 */
public final class ManagementServer implements AutoCloseable {
    private final Javalin javalin;

    private ManagementServer(Javalin javalin) {
        this.javalin = javalin;
    }

    /** Path → handler of each operations endpoint, in the order they are listed. */
    public static Map<String, Handler> endpoints(Database database, Metrics metrics) {
        Map<String, Handler> endpoints = new LinkedHashMap<>();
        // Liveness fails only while the embedded PostgreSQL this process owns is down (and being started again):
        // that is this process's own part. An external database out of reach makes the server unready, not dead,
        // since restarting the server would not bring it back.
        endpoints.put("/health", ctx -> {
            boolean down = database.down();
            Exchange.respond(ctx, down ? 503 : 200, "application/json",
                    (down ? "{\"status\":\"embedded database down, restarting\"}" : "{\"status\":\"ok\"}")
                            .getBytes(StandardCharsets.UTF_8));
        });
        endpoints.put("/ready", ctx -> {
            boolean ready = database.reachable();
            Exchange.respond(ctx, ready ? 200 : 503, "application/json",
                    (ready ? "{\"status\":\"ready\"}" : "{\"status\":\"database unreachable\"}")
                            .getBytes(StandardCharsets.UTF_8));
        });
        endpoints.put("/metrics", ctx -> Exchange.respond(ctx, 200, "text/plain; version=0.0.4; charset=utf-8",
                metrics.scrape().getBytes(StandardCharsets.UTF_8)));
        return endpoints;
    }

    /**
     * Starts a server that answers only the given endpoints (GET and HEAD); port 0 takes a free port. Anything
     * else is answered as the public port answers it: an unknown path 404, another method on a known path 405
     * with {@code Allow}, each one JSON:API error document ({@code application/vnd.api+json}).
     */
    public static ManagementServer start(String bindAddress, int port, Map<String, Handler> endpoints) {
        List<String> table = new ArrayList<>();
        endpoints.keySet().forEach(path -> table.add("GET " + path));
        RouteMethods methods = new RouteMethods(table);
        Javalin javalin = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.router.ignoreTrailingSlashes = false;
            config.http.prefer405over404 = true;
            config.jetty.modifyServer(server -> server.setErrorHandler(ErrorAnswers.errorHandler()));
            config.routes.before(Exchange::begin);
            endpoints.forEach((path, handler) -> {
                config.routes.get(path, handler);
                config.routes.head(path, handler);
            });
            HttpServer.routingErrors(config, methods);
            config.routes.after(Exchange::send);
        });
        javalin.start(bindAddress, port);
        return new ManagementServer(javalin);
    }

    public int port() {
        return javalin.port();
    }

    @Override
    public void close() {
        javalin.stop();
    }
}
