package dev.openplus;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import dev.openplus.auth.RevocationListener;
import dev.openplus.auth.TokenEndpoint;
import dev.openplus.auth.TokenService;
import dev.openplus.coach.CoachResource;
import dev.openplus.config.Config;
import dev.openplus.db.Database;
import dev.openplus.group.GroupEndpoints;
import dev.openplus.group.GroupResource;
import dev.openplus.http.Exchange;
import dev.openplus.http.HttpServer;
import dev.openplus.http.ManagementServer;
import dev.openplus.http.Metrics;
import dev.openplus.jsonapi.ResourceEndpoints;
import dev.openplus.jsonapi.ResourceRegistry;
import dev.openplus.organization.OrganizationResource;
import dev.openplus.patient.PatientEndpoints;
import dev.openplus.patient.PatientResource;
import dev.openplus.openapi.ApiDocument;
import io.javalin.Javalin;
import io.javalin.http.Handler;

/** The running API server on an open database: routes, token service, revocation listener, metrics. */
public final class Application implements AutoCloseable {
    private final Javalin javalin;
    private final RevocationListener revocations;
    private final List<String> routes;
    private final Metrics metrics;
    private final ManagementServer management;

    private Application(Javalin javalin, RevocationListener revocations, List<String> routes, Metrics metrics,
            ManagementServer management) {
        this.javalin = javalin;
        this.revocations = revocations;
        this.routes = List.copyOf(routes);
        this.metrics = metrics;
        this.management = management;
    }

    /** Every API route as "METHOD /path" (with {id} templates), in registration order. */
    public List<String> routes() {
        return routes;
    }

    public static ResourceRegistry registry() {
        return new ResourceRegistry()
                .register(OrganizationResource.TYPE)
                .register(GroupResource.TYPE)
                .register(CoachResource.TYPE)
                .register(PatientResource.TYPE);
    }

    public static Application start(Config config, Database database) throws SQLException {
        ResourceRegistry registry = registry();
        ResourceEndpoints resources = new ResourceEndpoints(database, registry, config.webAppUrl());
        Metrics metrics = new Metrics(database);
        TokenService tokens = new TokenService(database, config.accessTokenTtl(), config.refreshTokenTtl(),
                metrics.registry());
        RevocationListener revocations = new RevocationListener(database, tokens).start();
        TokenEndpoint tokenEndpoint = new TokenEndpoint(database, tokens, resources);
        GroupEndpoints groups = new GroupEndpoints(database, resources);
        PatientEndpoints patients = new PatientEndpoints(database, resources, config.maxBulkItems());
        ApiDocument document = ApiDocument.load();
        List<String> table = new ArrayList<>();

        java.util.Map<String, Handler> operations = ManagementServer.endpoints(database, metrics);

        Javalin javalin = HttpServer.create(config.maxBodyBytes(), tokens, metrics.registry(), table, cfg -> {
            RouteTable routes = new RouteTable(cfg.routes, table);
            if (config.managementPort() == null) {
                operations.forEach(routes::get);
            }

            // The docs page: Swagger UI from its Maven Central webjar, so that it works offline.
            byte[] docsPage = ApiDocument.resource("/docs/index.html");
            byte[] swaggerBundle = ApiDocument.resource(SWAGGER_UI + "/swagger-ui-bundle.js");
            byte[] swaggerCss = ApiDocument.resource(SWAGGER_UI + "/swagger-ui.css");
            routes.get("/docs", ctx -> Exchange.respond(ctx, 200, "text/html; charset=utf-8", docsPage));
            routes.get("/docs/swagger-ui-bundle.js",
                    ctx -> Exchange.respond(ctx, 200, "text/javascript; charset=utf-8", swaggerBundle));
            routes.get("/docs/swagger-ui.css", ctx -> Exchange.respond(ctx, 200, "text/css; charset=utf-8", swaggerCss));
            routes.get("/pub/openapi.json", ctx -> Exchange.respond(ctx, 200, "application/json", document.json()));
            routes.get("/pub/openapi.yaml", ctx -> Exchange.respond(ctx, 200, "application/yaml", document.yaml()));

            routes.post("/pub/oauth/token", tokenEndpoint::create);
            routes.get("/pub/oauth/token/{id}/groups", tokenEndpoint::groups);
            routes.get("/pub/oauth/token/{id}/organization", tokenEndpoint::organization);

            routes.get("/pub/organization/{id}",
                    ctx -> resources.fetch(ctx, OrganizationResource.TYPE, ctx.pathParam("id")));

            routes.post("/pub/group", groups::create);
            routes.get("/pub/group", ctx -> resources.collection(ctx, GroupResource.TYPE));
            routes.get("/pub/group/{id}", ctx -> resources.fetch(ctx, GroupResource.TYPE, ctx.pathParam("id")));

            routes.get("/pub/coach", ctx -> resources.collection(ctx, CoachResource.TYPE));
            routes.get("/pub/coach/{id}", ctx -> resources.fetch(ctx, CoachResource.TYPE, ctx.pathParam("id")));

            routes.post("/pub/patient", patients::create);
            routes.get("/pub/patient", ctx -> resources.collection(ctx, PatientResource.TYPE));
            routes.put("/pub/patient", patients::upsert);
            routes.get("/pub/patient/{id}", ctx -> resources.fetch(ctx, PatientResource.TYPE, ctx.pathParam("id")));
            routes.patch("/pub/patient/{id}", patients::update);
            routes.get("/pub/patient/{id}/groups", patients::groups);
            routes.get("/pub/patient/{id}/coaches", patients::coaches);
        });
        ManagementServer management = null;
        try {
            javalin.start(config.bindAddress(), config.port());
            metrics.bindJetty(javalin.jettyServer().threadPool());
            if (config.managementPort() != null) {
                management = ManagementServer.start(config.bindAddress(), config.managementPort(), operations);
            }
        } catch (RuntimeException e) {
            javalin.stop();
            revocations.close();
            metrics.close();
            throw e;
        }
        return new Application(javalin, revocations, table, metrics, management);
    }

    /** The webjar's asset directory; its version comes from the webjar itself, not a second copy of it. */
    private static final String SWAGGER_UI = swaggerUiDirectory();

    private static String swaggerUiDirectory() {
        java.util.Properties properties = new java.util.Properties();
        try {
            properties.load(new java.io.ByteArrayInputStream(
                    ApiDocument.resource("/META-INF/maven/org.webjars/swagger-ui/pom.properties")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return "/META-INF/resources/webjars/swagger-ui/" + properties.getProperty("version");
    }

    /** Registers routes with Javalin and records them for the document-coverage tests. */
    private record RouteTable(io.javalin.config.RoutesConfig javalin, List<String> table) {
        void get(String path, Handler handler) {
            table.add("GET " + path);
            javalin.get(path, handler);
            javalin.head(path, handler); // HEAD answers what GET does; Jetty leaves out the body
        }

        void post(String path, Handler handler) {
            table.add("POST " + path);
            javalin.post(path, handler);
        }

        void put(String path, Handler handler) {
            table.add("PUT " + path);
            javalin.put(path, handler);
        }

        void patch(String path, Handler handler) {
            table.add("PATCH " + path);
            javalin.patch(path, handler);
        }
    }

    public int port() {
        return javalin.port();
    }

    /** The management port, or -1 when /health, /ready and /metrics are on the public port. */
    public int managementPort() {
        return management == null ? -1 : management.port();
    }

    @Override
    public void close() {
        if (management != null) {
            management.close();
        }
        javalin.stop();
        revocations.close();
        metrics.close();
    }
}
