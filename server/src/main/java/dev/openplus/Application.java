package dev.openplus;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.openplus.auth.RevocationListener;
import dev.openplus.auth.TokenEndpoint;
import dev.openplus.auth.TokenService;
import dev.openplus.change.ChangeFeed;
import dev.openplus.change.ChangeRetention;
import dev.openplus.calendar.CalendarEventResource;
import dev.openplus.calendar.CalendarEventResponses;
import dev.openplus.coach.CoachResource;
import dev.openplus.config.Config;
import dev.openplus.config.IdentifierUniqueness;
import dev.openplus.db.Database;
import dev.openplus.email.EmailHistoryResource;
import dev.openplus.group.GroupResource;
import dev.openplus.healthprofile.HealthProfileAnswerResource;
import dev.openplus.healthprofile.HealthProfileQuestionResource;
import dev.openplus.healthprofile.HealthProfileResource;
import dev.openplus.healthprofile.HealthQuestionDefinitionResource;
import dev.openplus.fhir.ExportWorkers;
import dev.openplus.fhir.FhirEndpoints;
import dev.openplus.fhir.FhirJson;
import dev.openplus.fhir.OperationOutcomes;
import dev.openplus.http.Exchange;
import dev.openplus.http.OtherApi;
import dev.openplus.http.HttpServer;
import dev.openplus.http.ListenCheck;
import dev.openplus.http.ManagementServer;
import dev.openplus.http.Metrics;
import dev.openplus.jsonapi.ResourceEndpoints;
import dev.openplus.jsonapi.Operation;
import dev.openplus.jsonapi.Operations;
import dev.openplus.jsonapi.ResourceRegistry;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.ResourceWriter;
import dev.openplus.metric.MetricResource;
import dev.openplus.metric.ResultResource;
import dev.openplus.organization.OrganizationResource;
import dev.openplus.patient.PatientEndpoints;
import dev.openplus.patient.PatientResource;
import dev.openplus.openapi.ApiDocument;
import dev.openplus.reward.RewardEarningFulfillmentResource;
import dev.openplus.reward.RewardEarningResource;
import dev.openplus.reward.RewardEndpoints;
import dev.openplus.reward.RewardProgramActivationResource;
import dev.openplus.reward.RewardProgramResource;
import dev.openplus.reward.RewardResource;
import dev.openplus.webhook.WebhookDelivery;
import dev.openplus.plan.ActionResource;
import dev.openplus.plan.BundleResource;
import dev.openplus.plan.PlanSummaryResource;
import io.javalin.Javalin;
import io.javalin.http.Handler;

/** The running API server on an open database: routes, token service, revocation listener, metrics. */
public final class Application implements AutoCloseable {
    private final Javalin javalin;
    private final RevocationListener revocations;
    private final TokenService tokens;
    private final List<String> routes;
    private final Metrics metrics;
    private final ManagementServer management;
    private final ResourceEndpoints resources;

    private final List<Operation> operations;
    private final ResourceWriter writer;
    private ChangeRetention changeRetention;
    private WebhookDelivery webhooks;
    private ExportWorkers fhirExports;

    private Application(Javalin javalin, RevocationListener revocations, TokenService tokens, List<String> routes,
            Metrics metrics, ManagementServer management, ResourceEndpoints resources, List<Operation> operations,
            ResourceWriter writer) {
        this.javalin = javalin;
        this.revocations = revocations;
        this.tokens = tokens;
        this.routes = List.copyOf(routes);
        this.metrics = metrics;
        this.management = management;
        this.resources = resources;
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
                .register(CalendarEventResource.TYPE)
                .register(RewardProgramResource.TYPE)
                .register(RewardProgramActivationResource.TYPE)
                .register(RewardResource.TYPE)
                .register(RewardEarningResource.TYPE)
                .register(RewardEarningFulfillmentResource.TYPE)
                .register(PlanSummaryResource.TYPE)
                .register(ActionResource.TYPE)
                .register(BundleResource.TYPE)
                .register(MetricResource.TYPE)
                .register(ResultResource.TYPE)
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
                config.webAppUrl(), config.fetchBatchSize(), config.fetchBatchStatements());
        resources.settings().set(IdentifierUniqueness.class, config.identifierUniqueness());
        ResourceWriter writer = new ResourceWriter(resources, config.maxBulkItems());
        Metrics metrics = new Metrics(database);
        metrics.bindFetchBatches(resources);
        TokenService tokens = new TokenService(database, config.accessTokenTtl(), config.refreshTokenTtl(),
                config.authLimits(), metrics.registry());
        RevocationListener revocations = new RevocationListener(database, tokens).start();
        TokenEndpoint tokenEndpoint = new TokenEndpoint(database, tokens, resources);
        PatientEndpoints patients = new PatientEndpoints(resources, writer);
        RewardEndpoints rewards = new RewardEndpoints(resources);
        ChangeFeed changes = new ChangeFeed(resources);
        ApiDocument[] document = new ApiDocument[1];
        Operations declared = declare(new Operations(resources, writer), tokenEndpoint, patients, rewards,
                new CalendarEventResponses(resources), changes, document);
        extra.operations().accept(declared);
        List<Operation> operations = declared.all();
        document[0] = ApiDocument.generate(operations, registry, config.maxBulkItems());
        List<String> table = new ArrayList<>();

        java.util.Map<String, Handler> managementEndpoints = ManagementServer.endpoints(database, metrics);
        // FHIR R4 beside /pub: same port, tokens and scopes; HAPI's model is built meanwhile, not on a request.
        FhirJson.warmUpInBackground();
        ExportWorkers fhirExports = ExportWorkers.start(database, resources, config.fhirExport());
        FhirEndpoints fhir = new FhirEndpoints(resources, fhirExports);
        OtherApi fhirApi = new OtherApi("/fhir/", java.util.Set.of(FhirEndpoints.METADATA), FhirEndpoints::accepts,
                new OperationOutcomes());

        Javalin javalin = HttpServer.create(config.maxBodyBytes(),
                new HttpServer.BodyLimits(config.httpBodyTimeout(), config.httpMinBodyRate()), config.httpThreads(), tokens, metrics.registry(),
                table, config.directReads() ? operations : List.of(), List.of(fhirApi), cfg -> {
            RouteTable routes = new RouteTable(cfg.routes, table);
            if (config.managementPort() == null) {
                managementEndpoints.forEach(routes::get);
            }

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
            for (FhirEndpoints.Route route : fhir.routes()) {
                routes.add(route.method(), route.path(), ctx -> route.handler().handle(Exchange.of(ctx)));
            }
        });
        ManagementServer management = null;
        try {
            javalin.start(config.bindAddress(), config.port());
            metrics.bindJetty(javalin.jettyServer().threadPool());
            if (config.managementPort() != null) {
                management = ManagementServer.start(config.bindAddress(), config.managementPort(),
                        managementEndpoints);
            }
        } catch (RuntimeException e) {
            fhirExports.close();
            javalin.stop();
            resources.close();
            revocations.close();
            tokens.close();
            metrics.close();
            // Javalin reports any failure to bind as "port already in use"; the check tells what it was.
            throw e instanceof io.javalin.util.JavalinBindException
                    ? ListenCheck.explain(config.bindAddress(), config.port(), config.managementPort(), e) : e;
        }
        Application application = new Application(javalin, revocations, tokens, table, metrics, management, resources,
                operations, writer);
        application.fhirExports = fhirExports;
        application.changeRetention = new ChangeRetention(database, config.changeRetention()).start();
        application.webhooks = WebhookDelivery.start(database, changes, config.webhooks(), metrics.registry());
        return application;
    }

    /**
     * The API's operations as every server declares them, built without a database: their handlers must never be
     * called. For tools that read the API's shape at build time (the client library's generator).
     */
    public static List<Operation> describedOperations() {
        return declare(new Operations(null, null), null, null, null, null, null, new ApiDocument[1]).all();
    }

    /** Declares the API's operations; handlers reach the endpoints only when a request comes. */
    private static Operations declare(Operations declared, TokenEndpoint tokenEndpoint, PatientEndpoints patients,
            RewardEndpoints rewards, CalendarEventResponses calendarResponses, ChangeFeed changes,
            ApiDocument[] document) {
        return declared
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
                .custom("PUT", "/pub/patient", "upsertPatient", exchange -> patients.upsert(exchange))
                .fetch(PatientResource.TYPE, "fetchPatient")
                .update(PatientResource.TYPE, "updatePatient", 200)
                .subList("/pub/patient/{id}/groups", GroupResource.TYPE, "fetchPatientGroups", exchange -> patients.groups(exchange))
                .subList("/pub/patient/{id}/coaches", CoachResource.TYPE, "fetchPatientCoaches", exchange -> patients.coaches(exchange))
                .create(CalendarEventResource.TYPE, "createCalendarEvent", 201)
                .list(CalendarEventResource.TYPE, "fetchCalendarEvents")
                .fetch(CalendarEventResource.TYPE, "fetchCalendarEvent")
                .update(CalendarEventResource.TYPE, "updateCalendarEvent", 200)
                .delete(CalendarEventResource.TYPE, "deleteCalendarEvent")
                .custom("POST", "/pub/calendar_event_response", "createCalendarEventResponse",
                        exchange -> calendarResponses.create(exchange))
                .create(RewardProgramResource.TYPE, "createRewardProgram", 200)
                .list(RewardProgramResource.TYPE, "fetchRewardPrograms")
                .fetch(RewardProgramResource.TYPE, "fetchRewardProgram")
                .subList("/pub/reward_program/{id}/group", GroupResource.TYPE, "fetchRewardProgramGroup",
                        exchange -> rewards.programGroup(exchange))
                .create(RewardProgramActivationResource.TYPE, "createRewardProgramActivation", 200)
                .list(RewardProgramActivationResource.TYPE, "fetchRewardProgramActivations")
                .fetch(RewardProgramActivationResource.TYPE, "fetchRewardProgramActivation")
                .update(RewardProgramActivationResource.TYPE, "updateRewardProgramActivation", 200).asExtension()
                .create(RewardResource.TYPE, "createReward", 200)
                .list(RewardResource.TYPE, "fetchRewards")
                .fetch(RewardResource.TYPE, "fetchReward")
                .create(RewardEarningResource.TYPE, "createRewardEarning", 200)
                .list(RewardEarningResource.TYPE, "fetchRewardEarnings")
                .fetch(RewardEarningResource.TYPE, "fetchRewardEarning")
                .create(RewardEarningFulfillmentResource.TYPE, "createRewardEarningFulfillment", 200)
                .list(RewardEarningFulfillmentResource.TYPE, "fetchRewardEarningFulfillments")
                .fetch(RewardEarningFulfillmentResource.TYPE, "fetchRewardEarningFulfillment")
                .list(PlanSummaryResource.TYPE, "fetchPatientPlanSummaries")
                .fetch(PlanSummaryResource.TYPE, "fetchPatientPlanSummary")
                .update(PlanSummaryResource.TYPE, "updatePatientPlanSummary", 200)
                .create(ActionResource.TYPE, "createAction", 201)
                .fetch(ActionResource.TYPE, "fetchAction")
                .update(ActionResource.TYPE, "updateAction", 200)
                .create(BundleResource.TYPE, "createBundle", 200)
                .fetch(BundleResource.TYPE, "fetchBundle")
                .update(BundleResource.TYPE, "updateBundle", 200)
                .create(MetricResource.TYPE, "createPatientHealthMetric", 200)
                .list(MetricResource.TYPE, "fetchPatientHealthMetrics")
                .fetch(MetricResource.TYPE, "fetchPatientHealthMetric")
                .list(ResultResource.TYPE, "fetchPatientHealthResults")
                .fetch(ResultResource.TYPE, "fetchPatientHealthResult")
                .create(ResultResource.TYPE, "createResult", 201).asExtension()
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
                .update(EmailHistoryResource.TYPE, "updateEmailHistory", 200).asExtension()
                .custom("GET", "/pub/change", "fetchChanges", exchange -> changes.list(exchange)).asExtension()
                .custom("GET", "/pub/change/{id}", "fetchChange",
                        exchange -> changes.fetch(exchange, exchange.pathParam("id"))).asExtension();
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
            if (method.equals("GET")) {
                javalin.head(path, handler); // HEAD answers what GET does; Jetty leaves out the body
            }
        }
    }

    /** The Bulk Data export's workers and cleanup on this server. */
    public ExportWorkers fhirExports() {
        return fhirExports;
    }

    public int port() {
        return javalin.port();
    }

    /** The API requests being handled now: what a stop waits for. */
    public int requestsInProgress() {
        return HttpServer.requestsInProgress(javalin);
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
        changeRetention.close();
        webhooks.close();
        fhirExports.close();
        javalin.stop();
        // After the web server: its requests' fetches may still be queued for the hand-off threads.
        resources.close();
        revocations.close();
        tokens.close();
        metrics.close();
    }
}
