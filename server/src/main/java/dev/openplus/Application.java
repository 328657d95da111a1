package dev.openplus;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.openplus.auth.RevocationListener;
import dev.openplus.auth.TokenEndpoint;
import dev.openplus.auth.TokenService;
import dev.openplus.coach.CoachResource;
import dev.openplus.config.Config;
import dev.openplus.db.Database;
import dev.openplus.email.EmailHistoryResource;
import dev.openplus.group.GroupResource;
import dev.openplus.healthprofile.HealthProfileAnswerResource;
import dev.openplus.healthprofile.HealthProfileQuestionResource;
import dev.openplus.healthprofile.HealthProfileResource;
import dev.openplus.healthprofile.HealthQuestionDefinitionResource;
import dev.openplus.http.Exchange;
import dev.openplus.http.HttpServer;
import dev.openplus.jsonapi.ResourceEndpoints;
import dev.openplus.jsonapi.Operation;
import dev.openplus.jsonapi.Operations;
import dev.openplus.jsonapi.ResourceRegistry;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.ResourceWriter;
import dev.openplus.organization.OrganizationResource;
import dev.openplus.patient.PatientEndpoints;
import dev.openplus.patient.PatientResource;
import dev.openplus.openapi.ApiDocument;
import io.javalin.Javalin;
import io.javalin.http.Handler;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The running API server on an open database: routes, token service, revocation listener, metrics. */
public final class Application implements AutoCloseable {
    private final Javalin javalin;
    private final RevocationListener revocations;
    private final List<String> routes;

    private final List<Operation> operations;
    private final ResourceWriter writer;

    private Application(Javalin javalin, RevocationListener revocations, List<String> routes,
            List<Operation> operations, ResourceWriter writer) {
        this.javalin = javalin;
        this.revocations = revocations;
        this.routes = List.copyOf(routes);
        this.operations = operations;
        this.writer = writer;
    }

    /** The API's operations, as routed and documented. */
    public List<Operation> operations() {
        return operations;
    }

    /** The generic write path, for the demo seed. */
    public ResourceWriter writer() {
        return writer;
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
                .register(PatientResource.TYPE)
                .register(HealthQuestionDefinitionResource.TYPE)
                .register(HealthProfileResource.TYPE)
                .register(HealthProfileQuestionResource.TYPE)
                .register(HealthProfileAnswerResource.TYPE)
                .register(EmailHistoryResource.TYPE);
    }

    /**
     * Types and operations added to the application's own (the engine's tests describe a type of their own
     * this way).
     */
    public record Extra(List<ResourceType> types, Consumer<Operations> operations) {
        public static final Extra NONE = new Extra(List.of(), operations -> {
        });
    }

    public static Application start(Config config, Database database) throws SQLException {
        return start(config, database, Extra.NONE);
    }

    public static Application start(Config config, Database database, Extra extra) throws SQLException {
        ResourceRegistry registry = registry();
        extra.types().forEach(registry::register);
        ResourceEndpoints resources = new ResourceEndpoints(database, registry, GroupResource::allInScope,
                config.webAppUrl());
        ResourceWriter writer = new ResourceWriter(resources, config.maxBulkItems());
        TokenService tokens = new TokenService(database, config.accessTokenTtl(), config.refreshTokenTtl());
        RevocationListener revocations = new RevocationListener(database, tokens).start();
        TokenEndpoint tokenEndpoint = new TokenEndpoint(database, tokens, resources);
        PatientEndpoints patients = new PatientEndpoints(resources, writer);
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ApiDocument[] document = new ApiDocument[1];
        Operations declared = new Operations(resources, writer)
                .custom("GET", "/pub/openapi.json", "fetchOpenApiJson",
                        exchange -> Exchange.context(exchange).status(200).contentType("application/json")
                                .result(document[0].json()))
                .custom("GET", "/pub/openapi.yaml", "fetchOpenApiYaml",
                        exchange -> Exchange.context(exchange).status(200).contentType("application/yaml")
                                .result(document[0].yaml()))
                .custom("POST", "/pub/oauth/token", "createToken",
                        exchange -> tokenEndpoint.create(Exchange.context(exchange)))
                .custom("GET", "/pub/oauth/token/{id}/groups", "fetchTokenGroups",
                        exchange -> tokenEndpoint.groups(Exchange.context(exchange)))
                .custom("GET", "/pub/oauth/token/{id}/organization", "fetchTokenOrganization",
                        exchange -> tokenEndpoint.organization(Exchange.context(exchange)))
                .fetch(OrganizationResource.TYPE, "fetchOrganization")
                .create(GroupResource.TYPE, "createGroup", 201)
                .list(GroupResource.TYPE, "fetchGroups")
                .fetch(GroupResource.TYPE, "fetchGroup")
                .list(CoachResource.TYPE, "fetchCoaches")
                .fetch(CoachResource.TYPE, "fetchCoach")
                .create(PatientResource.TYPE, "createPatient", 201)
                .list(PatientResource.TYPE, "fetchPatients")
                .custom("PUT", "/pub/patient", "upsertPatient", patients::upsert)
                .fetch(PatientResource.TYPE, "fetchPatient")
                .update(PatientResource.TYPE, "updatePatient", 200)
                .subList("/pub/patient/{id}/groups", GroupResource.TYPE, "fetchPatientGroups", patients::groups)
                .subList("/pub/patient/{id}/coaches", CoachResource.TYPE, "fetchPatientCoaches", patients::coaches)
                .list(HealthQuestionDefinitionResource.TYPE, "fetchHealthQuestionDefinitions")
                .fetch(HealthQuestionDefinitionResource.TYPE, "fetchHealthQuestionDefinition")
                .list(HealthProfileResource.TYPE, "fetchHealthProfiles")
                .fetch(HealthProfileResource.TYPE, "fetchHealthProfile")
                .list(HealthProfileQuestionResource.TYPE, "fetchHealthProfileQuestions")
                .fetch(HealthProfileQuestionResource.TYPE, "fetchHealthProfileQuestion")
                .list(HealthProfileAnswerResource.TYPE, "fetchHealthProfileAnswers")
                .create(HealthProfileAnswerResource.TYPE, "createHealthProfileAnswer", 201).asExtension()
                .fetch(HealthProfileAnswerResource.TYPE, "fetchHealthProfileAnswer")
                .list(EmailHistoryResource.TYPE, "fetchEmailHistories")
                .create(EmailHistoryResource.TYPE, "createEmailHistory", 201).asExtension()
                .fetch(EmailHistoryResource.TYPE, "fetchEmailHistory")
                .update(EmailHistoryResource.TYPE, "updateEmailHistory", 200).asExtension();
        extra.operations().accept(declared);
        List<Operation> operations = declared.all();
        document[0] = ApiDocument.load();
        List<String> table = new ArrayList<>();

        Javalin javalin = HttpServer.create(config.maxBodyBytes(), tokens, metrics, cfg -> {
            RouteTable routes = new RouteTable(cfg.routes, table);
            routes.get("/health", ctx -> Exchange.respond(ctx, 200, "application/json",
                    "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8)));
            routes.get("/ready", ctx -> {
                boolean ready = database.reachable();
                Exchange.respond(ctx, ready ? 200 : 503, "application/json",
                        (ready ? "{\"status\":\"ready\"}" : "{\"status\":\"database unreachable\"}")
                                .getBytes(StandardCharsets.UTF_8));
            });
            routes.get("/metrics", ctx -> Exchange.respond(ctx, 200, "text/plain; version=0.0.4; charset=utf-8",
                    metrics.scrape().getBytes(StandardCharsets.UTF_8)));

            // The docs page: Swagger UI from its Maven Central webjar, so that it works offline.
            byte[] docsPage = ApiDocument.resource("/docs/index.html");
            byte[] swaggerBundle = ApiDocument.resource(SWAGGER_UI + "/swagger-ui-bundle.js");
            byte[] swaggerCss = ApiDocument.resource(SWAGGER_UI + "/swagger-ui.css");
            routes.get("/docs", ctx -> Exchange.respond(ctx, 200, "text/html; charset=utf-8", docsPage));
            routes.get("/docs/swagger-ui-bundle.js",
                    ctx -> Exchange.respond(ctx, 200, "text/javascript; charset=utf-8", swaggerBundle));
            routes.get("/docs/swagger-ui.css", ctx -> Exchange.respond(ctx, 200, "text/css; charset=utf-8", swaggerCss));
            for (Operation operation : operations) {
                routes.add(operation.method(), operation.path(),
                        ctx -> operation.handler().handle(Exchange.of(ctx)));
            }
        });
        try {
            javalin.start("0.0.0.0", config.port());
        } catch (RuntimeException e) {
            revocations.close();
            throw e;
        }
        return new Application(javalin, revocations, table, operations, writer);
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
            add("GET", path, handler);
        }

        void add(String method, String path, Handler handler) {
            table.add(method + " " + path);
            javalin.addHttpHandler(io.javalin.http.HandlerType.findOrCreate(method), path, handler);
        }
    }

    public int port() {
        return javalin.port();
    }

    @Override
    public void close() {
        javalin.stop();
        revocations.close();
    }
}
