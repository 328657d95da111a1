package dev.openplus.fhir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.jooq.impl.DSL;

import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.jsonapi.ApiExchange;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.CollectionQuery;
import dev.openplus.jsonapi.CursorPosition;
import dev.openplus.jsonapi.ErrorCode;
import dev.openplus.jsonapi.Operation;
import dev.openplus.jsonapi.Page;
import dev.openplus.jsonapi.QueryParser;
import dev.openplus.jsonapi.ResourceEndpoints;
import dev.openplus.jsonapi.ResourceRepository;
import dev.openplus.jsonapi.ResourceRow;

/**
 * FHIR R4's read and search under /fhir/r4, on the engine's reads: the caller's scope, the repository's fetch
 * by id and keyset-paged lists, the same filters and indexes as /pub. Only the documents differ.
 */
public final class FhirEndpoints {
    public static final String BASE = "/fhir/r4";
    public static final String METADATA = BASE + "/metadata";
    /** The search parameters of every type; anything else must be a parameter of the type. */
    private static final Set<String> COMMON = Set.of("_id", "_lastUpdated", "_count", "_cursor", "_include", "_format",
            "_pretty");

    private final ResourceEndpoints resources;
    private final BulkExport bulkExport;
    private final CapabilityStatements capabilities = new CapabilityStatements();

    /** A route of this API, for the web layer to register. */
    public record Route(String method, String path, Operation.Handler handler) {
    }

    public FhirEndpoints(ResourceEndpoints resources, ExportWorkers exports) {
        this.resources = resources;
        this.bulkExport = new BulkExport(resources, exports);
    }

    /** The routes, the Bulk Data export's first: its paths would match {type}/{id} too, and the first match wins. */
    public List<Route> routes() {
        List<Route> routes = new ArrayList<>(bulkExport.routes());
        routes.addAll(List.of(new Route("GET", METADATA, this::metadata),
                new Route("GET", BASE + "/{type}", exchange -> search(exchange, type(exchange))),
                new Route("GET", BASE + "/{type}/{id}", exchange -> read(exchange, type(exchange),
                        exchange.pathParam("id")))));
        return routes;
    }

    /** True for an Accept header that lists a media type FHIR JSON can be sent as. */
    public static boolean accepts(String accept) {
        for (String range : accept.split(",")) {
            String mediaType = range.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (List.of(FhirJson.MEDIA_TYPE, "application/json", "application/json+fhir", "*/*", "application/*",
                    ExportWorkers.MEDIA_TYPE, "application/ndjson")
                    .contains(mediaType)) {
                return true;
            }
        }
        return false;
    }

    private void metadata(ApiExchange exchange) {
        checkFormat(exchange.queryParams());
        exchange.respond(200, FhirJson.CONTENT_TYPE, capabilities.encoded(exchange.baseUrl() + BASE));
    }

    private static FhirType type(ApiExchange exchange) {
        String name = exchange.pathParam("type");
        return FhirTypes.find(name).orElseThrow(() -> new ApiException(new ApiError(404, ErrorCode.ResourceNotFound,
                "this server serves no resource type " + name + "; GET " + METADATA + " lists those it serves",
                null, null)));
    }

    /** GET /fhir/r4/{type}/{id}: the resource, 404 when it does not exist or lies outside the caller's scope. */
    private void read(ApiExchange exchange, FhirType type, String id) {
        checkFormat(exchange.queryParams());
        for (String parameter : exchange.queryParams().keySet()) {
            if (!parameter.equals("_format") && !parameter.equals("_pretty")) {
                throw SearchQuery.invalid(parameter, "a read takes no parameter " + parameter);
            }
        }
        if (!type.source().isWellFormedId(id)) {
            throw ApiException.notFound(type.name(), id);
        }
        Caller caller = exchange.caller();
        resources.database().transaction(dsl -> {
            ResourceRow row = resources.repository().fetch(dsl, type.source(), caller, id)
                    .orElseThrow(() -> ApiException.notFound(type.name(), id));
            Resource resource = type.map(new MappingContext(dsl, caller, resources.repository()), List.of(row)).get(0);
            exchange.respond(200, FhirJson.CONTENT_TYPE, FhirJson.encode(resource));
            return null;
        });
    }

    /** GET /fhir/r4/{type}?…: a searchset Bundle, paged by keyset cursor (Bundle.link next). */
    private void search(ApiExchange exchange, FhirType type) {
        Map<String, List<String>> parameters = exchange.queryParams();
        checkFormat(parameters);
        SearchQuery query = new SearchQuery(type.source());
        int count = QueryParser.DEFAULT_CURSOR_LIMIT;
        CursorPosition after = null;
        for (Map.Entry<String, List<String>> parameter : parameters.entrySet()) {
            String name = parameter.getKey();
            List<String> values = parameter.getValue();
            SearchParameter searchParameter = type.parameter(name).orElse(null);
            if (searchParameter == null && !COMMON.contains(name)) {
                throw SearchQuery.invalid(name, name.contains(":") ? "search modifiers (" + name + ") are not supported"
                        : "unknown search parameter " + name + " for " + type.name() + "; GET " + METADATA
                                + " lists the parameters of each type");
            }
            boolean repeatable = name.equals("_lastUpdated") || name.equals("_include")
                    || searchParameter != null && searchParameter.repeatable();
            if (values.size() > 1 && !repeatable) {
                throw SearchQuery.invalid(name, "give " + name + " once; separate alternatives with commas");
            }
            for (String value : values) {
                switch (name) {
                    case "_count" -> count = count(value);
                    case "_cursor" -> after = cursor(type, value);
                    case "_id" -> {
                        List<String> ids = SearchParameter.alternatives(name, value).stream()
                                .filter(type.source()::isWellFormedId).toList();
                        query.condition(ids.isEmpty() ? DSL.falseCondition() : type.source().idIn(ids));
                    }
                    case "_lastUpdated" -> {
                        var bounds = SearchParameter.dateBounds(name, value);
                        query.range("updated_at", bounds[0], bounds[1]);
                    }
                    case "_include" -> {
                        FhirType.Include include = type.includes().get(value);
                        if (include == null) {
                            throw SearchQuery.invalid(name, "_include=" + value + " is not supported; " + type.name()
                                    + " supports " + (type.includes().isEmpty() ? "none"
                                            : String.join(", ", type.includes().keySet())));
                        }
                        query.include(type.source().relationship(include.relationship()).orElseThrow());
                    }
                    case "_format", "_pretty" -> {
                        // _format is checked above; _pretty changes nothing in the content
                    }
                    default -> searchParameter.applier().apply(value, query);
                }
            }
        }
        CollectionQuery collection = query.toCollectionQuery(new Page.Cursor(count, after));
        Caller caller = exchange.caller();
        String base = exchange.baseUrl() + BASE;
        resources.database().transaction(dsl -> {
            resources.checkScopedFilters(dsl, caller, collection);
            ResourceRepository.PageResult result = resources.repository().list(dsl, type.source(), caller, collection,
                    query.condition());
            Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
            bundle.setId(exchange.reqId());
            bundle.setTotal((int) Math.min(Integer.MAX_VALUE, result.count()));
            bundle.addLink().setRelation("self").setUrl(link(base, type, parameters, null));
            if (result.hasMore() && !result.rows().isEmpty()) {
                CursorPosition next = ResourceRepository.positionOf(result.rows().get(result.rows().size() - 1), List.of());
                bundle.addLink().setRelation("next").setUrl(link(base, type, parameters, next.encode()));
            }
            MappingContext context = new MappingContext(dsl, caller, resources.repository());
            for (Resource resource : type.map(context, result.rows())) {
                entry(bundle, base, resource, Bundle.SearchEntryMode.MATCH);
            }
            for (Resource resource : included(context, result.rows(), collection)) {
                entry(bundle, base, resource, Bundle.SearchEntryMode.INCLUDE);
            }
            exchange.respond(200, FhirJson.CONTENT_TYPE, FhirJson.encode(bundle));
            return null;
        });
    }

    /** The included rows (one statement per include, as /pub's include), each mapped by its own FHIR type. */
    private static List<Resource> included(MappingContext context, List<ResourceRow> rows, CollectionQuery query) {
        if (query.includes().isEmpty()) {
            return List.of();
        }
        Map<String, List<ResourceRow>> byType = new LinkedHashMap<>();
        for (ResourceRow row : context.repository().included(context.dsl(), context.caller(), rows, query.includes())) {
            byType.computeIfAbsent(row.type().name(), key -> new ArrayList<>()).add(row);
        }
        List<Resource> resources = new ArrayList<>();
        byType.forEach((source, ofType) -> resources.addAll(FhirTypes.bySource(source).map(context, ofType)));
        return resources;
    }

    private static void entry(Bundle bundle, String base, Resource resource, Bundle.SearchEntryMode mode) {
        bundle.addEntry().setFullUrl(base + "/" + resource.fhirType() + "/" + resource.getIdElement().getIdPart())
                .setResource(resource).getSearch().setMode(mode);
    }

    private static int count(String value) {
        try {
            int count = Integer.parseInt(value);
            if (count >= 0 && count <= QueryParser.MAX_CURSOR_LIMIT) {
                return count;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw SearchQuery.invalid("_count", "_count must be a whole number from 0 to " + QueryParser.MAX_CURSOR_LIMIT);
    }

    /** A cursor of a next link (the engine's keyset cursor, id order). */
    private static CursorPosition cursor(FhirType type, String value) {
        try {
            return CursorPosition.decode("_cursor", value, List.of(), "", type.source().idFormat());
        } catch (ApiException e) {
            throw SearchQuery.invalid("_cursor", "not a cursor of a next link this server returned");
        }
    }

    /** _format may ask for JSON (any of its FHIR spellings); FHIR XML and RDF are not served. */
    private static void checkFormat(Map<String, List<String>> parameters) {
        for (String format : parameters.getOrDefault("_format", List.of())) {
            if (!List.of("json", FhirJson.MEDIA_TYPE, "application/json", "application/json+fhir")
                    .contains(format.toLowerCase(Locale.ROOT))) {
                throw new ApiException(new ApiError(ErrorCode.NotAcceptable,
                        "_format=" + format + " is not served; this server answers application/fhir+json only"));
            }
        }
    }

    /** The request's parameters, in the order given, with the cursor of the page asked for. */
    private static String link(String base, FhirType type, Map<String, List<String>> parameters, String cursor) {
        StringBuilder link = new StringBuilder(base).append('/').append(type.name());
        char separator = '?';
        for (Map.Entry<String, List<String>> parameter : parameters.entrySet()) {
            if (parameter.getKey().equals("_cursor")) {
                continue;
            }
            for (String value : parameter.getValue()) {
                link.append(separator).append(encode(parameter.getKey())).append('=').append(encode(value));
                separator = '&';
            }
        }
        List<String> current = parameters.getOrDefault("_cursor", List.of());
        String page = cursor != null ? cursor : current.isEmpty() ? null : current.get(0);
        if (page != null) {
            link.append(separator).append("_cursor=").append(encode(page));
        }
        return link.toString();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20").replace("%3A", ":")
                .replace("%2C", ",").replace("%2F", "/");
    }

}
