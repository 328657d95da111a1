package dev.openplus.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jooq.impl.DSL;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.db.Database;
import dev.openplus.http.Exchange;
import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.DocumentWriter;
import dev.openplus.jsonapi.ErrorCode;
import dev.openplus.jsonapi.ResourceEndpoints;
import dev.openplus.jsonapi.ResourceRow;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.StorableText;
import io.javalin.http.Context;

/**
 * {@code POST /pub/oauth/token} in its three forms (DESIGN §5): the reference's JSON:API body, the flat
 * {@code application/json} body, and an RFC 6749 form request with HTTP Basic or form client authentication.
 * JSON requests get the reference's {@code token} document (201); form requests get the RFC 6749 JSON answer
 * (200) and RFC 6749 error objects, so off-the-shelf OAuth 2.0 clients work. Also the token's groups and
 * organization sub-resources.
 */
public final class TokenEndpoint {
    private static final Set<String> ATTRIBUTES = Set.of("grant_type", "client_id", "client_secret", "refresh_token");
    private static final Set<String> GRANTS = Set.of("client_credentials", "refresh_token");

    private final Database database;
    private final TokenService tokens;
    private final ResourceEndpoints resources;

    public TokenEndpoint(Database database, TokenService tokens, ResourceEndpoints resources) {
        this.database = database;
        this.tokens = tokens;
        this.resources = resources;
    }

    /** The grant a request asks for, after its body has been read. */
    private record Grant(String grantType, String clientId, String clientSecret, String refreshToken) {
    }

    public void create(Context ctx) {
        String contentType = ctx.header("Content-Type");
        String mediaType = contentType == null ? "" : contentType.split(";", -1)[0].trim().toLowerCase(Locale.ROOT);
        switch (mediaType) {
            case "application/vnd.api+json", "application/json" -> createFromJson(ctx);
            case "application/x-www-form-urlencoded" -> createFromForm(ctx);
            default -> throw ApiException.forbidden(
                    "send the token request as application/vnd.api+json, application/json or application/x-www-form-urlencoded");
        }
    }

    private void createFromJson(Context ctx) {
        List<String> includes = includes(ctx);
        JsonNode document = BodyReader.parseDocument(ctx.bodyAsBytes());
        String prefix;
        JsonNode attributes;
        if (document.has("data")) {
            // A JSON:API document: its members and its resource object's are JSON:API's, as in every write.
            BodyReader.checkedRequestDocument(document);
            JsonNode data = BodyReader.singleData(document);
            ApiException.Collector problems = new ApiException.Collector();
            BodyReader.unknownResourceMembers(data, "/data", problems);
            problems.throwIfAny();
            JsonNode type = data.get("type");
            if (type != null && !(type.isTextual() && (type.asText().equals("token") || type.asText().equals("oauth/token")))) {
                throw ApiException.invalidBody("/data/type", "type must be \"token\"");
            }
            attributes = data.get("attributes");
            prefix = "/data/attributes";
            if (attributes == null || !attributes.isObject()) {
                throw ApiException.invalidBody(prefix, "attributes with grant_type and client_id are required");
            }
        } else {
            attributes = document;
            prefix = "";
        }
        Grant grant = grantFromJson((ObjectNode) attributes, prefix);
        TokenService.IssuedToken issued = issue(grant, address(ctx));
        ctx.header("Cache-Control", "no-store");
        Exchange.respond(ctx, 201, tokenDocument(ctx, issued, includes));
    }

    private static Grant grantFromJson(ObjectNode attributes, String prefix) {
        ApiException.Collector problems = new ApiException.Collector();
        Map<String, String> values = new LinkedHashMap<>();
        attributes.fields().forEachRemaining(field -> {
            String pointer = prefix + "/" + BodyReader.escape(field.getKey());
            if (!ATTRIBUTES.contains(field.getKey())) {
                problems.add(ApiError.pointer(pointer, "unknown attribute of a token request"));
            } else if (!field.getValue().isTextual()) {
                problems.add(ApiError.pointer(pointer, field.getKey() + " must be a string"));
            } else {
                values.put(field.getKey(), field.getValue().asText());
            }
        });
        problems.throwIfAny();
        return checkGrant(values, prefix);
    }

    /** Required members and a supported grant, as 409s pointing at the member. */
    private static Grant checkGrant(Map<String, String> values, String prefix) {
        ApiException.Collector problems = new ApiException.Collector();
        String grantType = values.get("grant_type");
        if (grantType == null || grantType.isEmpty()) {
            problems.add(ApiError.pointer(prefix + "/grant_type", "grant_type is required"));
        } else if (!GRANTS.contains(grantType)) {
            problems.add(ApiError.pointer(prefix + "/grant_type",
                    "grant_type must be client_credentials or refresh_token").withCode(ErrorCode.InvalidGrantType));
        }
        if (isBlank(values.get("client_id"))) {
            problems.add(ApiError.pointer(prefix + "/client_id", "client_id is required"));
        }
        if ("client_credentials".equals(grantType) && isBlank(values.get("client_secret"))) {
            problems.add(ApiError.pointer(prefix + "/client_secret", "client_secret is required for client_credentials"));
        }
        if ("refresh_token".equals(grantType) && isBlank(values.get("refresh_token"))) {
            problems.add(ApiError.pointer(prefix + "/refresh_token", "refresh_token is required for refresh_token"));
        }
        problems.throwIfAny();
        return new Grant(grantType, values.get("client_id"), values.get("client_secret"), values.get("refresh_token"));
    }

    private TokenService.IssuedToken issue(Grant grant, String address) {
        if (grant.grantType().equals("client_credentials")) {
            return tokens.clientCredentials(grant.clientId(), grant.clientSecret(), address);
        }
        return tokens.refresh(grant.clientId(), grant.clientSecret(), grant.refreshToken(), address);
    }

    private String address(Context ctx) {
        return tokens.sourceAddress(ctx.req().getRemoteAddr(), ctx::header);
    }

    private List<String> includes(Context ctx) {
        List<String> includes = new ArrayList<>();
        for (Map.Entry<String, List<String>> parameter : ctx.queryParamMap().entrySet()) {
            if (!parameter.getKey().equals("include")) {
                throw ApiException.invalidParameter(parameter.getKey(), "unknown query parameter");
            }
            if (parameter.getValue().size() != 1) {
                throw ApiException.invalidParameter("include", "given more than once");
            }
            for (String name : parameter.getValue().get(0).split(",", -1)) {
                String include = name.trim();
                if (!include.equals("groups") && !include.equals("organization")) {
                    throw ApiException.invalidParameter("include", "'" + include + "' cannot be included in token");
                }
                if (!includes.contains(include)) {
                    includes.add(include);
                }
            }
        }
        return includes;
    }

    private byte[] tokenDocument(Context ctx, TokenService.IssuedToken issued, List<String> includes) {
        ClientRepository.Client client = issued.client();
        Principal principal = new Principal(client.clientId(), client.organizationId(), client.groupScoped(),
                client.groupIds(), issued.id(), null);
        ResourceType group = resources.registry().get("group");
        return database.transaction(dsl -> {
            List<String> groupIds = dsl.select(group.id()).from(group.table())
                    .where(group.scope(principal)).orderBy(group.id())
                    .fetch(group.id());
            List<ResourceRow> included = new ArrayList<>();
            if (includes.contains("groups")) {
                included.addAll(resources.repository().fetchAll(dsl, group, principal, groupIds));
            }
            if (includes.contains("organization")) {
                included.addAll(resources.repository().fetchAll(dsl, resources.registry().get("organization"),
                        principal, List.of(client.organizationId())));
            }
            String related = "/pub/oauth/token/" + issued.id();
            return resources.writer().document(DocumentWriter.Meta.of(Exchange.reqId(ctx)), json -> {
                json.writeStartObject();
                json.writeStringField("type", "token");
                json.writeStringField("id", issued.id());
                json.writeObjectFieldStart("attributes");
                json.writeStringField("access_token", issued.accessToken());
                json.writeStringField("refresh_token", issued.refreshToken());
                json.writeStringField("token_type", "bearer");
                json.writeNumberField("expires_in", issued.expiresIn());
                json.writeEndObject();
                json.writeObjectFieldStart("relationships");
                json.writeObjectFieldStart("groups");
                json.writeArrayFieldStart("data");
                for (String groupId : groupIds) {
                    DocumentWriter.writeIdentifier(json, "group", groupId);
                }
                json.writeEndArray();
                json.writeObjectFieldStart("links");
                json.writeStringField("related", related + "/groups");
                json.writeEndObject();
                json.writeEndObject();
                json.writeObjectFieldStart("organization");
                json.writeFieldName("data");
                DocumentWriter.writeIdentifier(json, "organization", client.organizationId());
                json.writeObjectFieldStart("links");
                json.writeStringField("related", related + "/organization");
                json.writeEndObject();
                json.writeEndObject();
                json.writeEndObject();
                json.writeEndObject();
            }, included, null, null);
        });
    }

    /** RFC 6749 §4.4 and §6 over a form body; errors as RFC 6749 §5.2 objects. */
    private void createFromForm(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        ctx.header("Pragma", "no-cache");
        Map<String, String> form;
        try {
            form = parseForm(new String(ctx.bodyAsBytes(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            oauthError(ctx, 400, "invalid_request", e.getMessage(), false);
            return;
        }
        boolean basic = false;
        String authorization = ctx.header("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            basic = true;
            String decoded;
            String clientId;
            String clientSecret;
            try {
                decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                // RFC 6749 §2.3.1: both halves are form-encoded; a bad %-escape is a malformed credential too.
                clientId = colon < 0 ? null : urlDecode(decoded.substring(0, colon));
                clientSecret = colon < 0 ? null : urlDecode(decoded.substring(colon + 1));
                if (colon >= 0 && (StorableText.problem(clientId) != null || StorableText.problem(clientSecret) != null)) {
                    throw new IllegalArgumentException("no client id or secret holds a NUL");
                }
            } catch (IllegalArgumentException e) {
                oauthError(ctx, 401, "invalid_client", "malformed Basic credentials", true);
                return;
            }
            if (clientId == null || form.containsKey("client_id") && !form.get("client_id").equals(clientId)
                    || form.containsKey("client_secret")) {
                oauthError(ctx, 400, "invalid_request", "use one client authentication method, not two", false);
                return;
            }
            form.put("client_id", clientId);
            form.put("client_secret", clientSecret);
        }
        String grantType = form.get("grant_type");
        if (isBlank(grantType)) {
            oauthError(ctx, 400, "invalid_request", "grant_type is required", false);
            return;
        }
        if (!GRANTS.contains(grantType)) {
            oauthError(ctx, 400, "unsupported_grant_type", "grant_type must be client_credentials or refresh_token", false);
            return;
        }
        if (isBlank(form.get("client_id")) || grantType.equals("client_credentials") && isBlank(form.get("client_secret"))) {
            oauthError(ctx, 401, "invalid_client", "client authentication is required", basic);
            return;
        }
        if (grantType.equals("refresh_token") && isBlank(form.get("refresh_token"))) {
            oauthError(ctx, 400, "invalid_request", "refresh_token is required", false);
            return;
        }
        TokenService.IssuedToken issued;
        try {
            issued = issue(new Grant(grantType, form.get("client_id"), form.get("client_secret"),
                    form.get("refresh_token")), address(ctx));
        } catch (ApiException e) {
            if (e.status() == 429) {
                throw e; // RFC 6749 has no error for it: the JSON:API 429 with Retry-After, as for every request
            }
            boolean badRefresh = grantType.equals("refresh_token") && !e.getMessage().equals(TokenService.BAD_CLIENT);
            if (badRefresh) {
                oauthError(ctx, 400, "invalid_grant", e.getMessage(), false);
            } else {
                oauthError(ctx, 401, "invalid_client", e.getMessage(), basic);
            }
            return;
        }
        ObjectNode answer = BodyReader.mapper().createObjectNode();
        answer.put("access_token", issued.accessToken());
        answer.put("token_type", "bearer");
        answer.put("expires_in", issued.expiresIn());
        answer.put("refresh_token", issued.refreshToken());
        Exchange.respond(ctx, 200, "application/json", answer.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void oauthError(Context ctx, int status, String error, String description, boolean basic) {
        if (basic) {
            ctx.header("WWW-Authenticate", "Basic realm=\"OpenPlus\"");
        }
        ObjectNode answer = BodyReader.mapper().createObjectNode();
        answer.put("error", error);
        answer.put("error_description", description);
        Exchange.respond(ctx, status, "application/json", answer.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> parseForm(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        if (body.isEmpty()) {
            return form;
        }
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String key = urlDecode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : urlDecode(pair.substring(equals + 1));
            String unstorable = StorableText.problem(key) != null ? StorableText.problem(key) : StorableText.problem(value);
            if (unstorable != null) {
                throw new IllegalArgumentException(key + " " + unstorable);
            }
            if (form.put(key, value) != null) {
                throw new IllegalArgumentException(key + " is given more than once");
            }
        }
        return form;
    }

    private static String urlDecode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    /** GET /pub/oauth/token/{id}/groups: the groups this token may access. */
    public void groups(Context ctx) {
        requireOwnToken(ctx);
        resources.collectionWithoutRequiredFilters(Exchange.of(ctx), resources.registry().get("group"),
                DSL.noCondition());
    }

    /** GET /pub/oauth/token/{id}/organization. */
    public void organization(Context ctx) {
        requireOwnToken(ctx);
        resources.fetch(Exchange.of(ctx), resources.registry().get("organization"),
                Exchange.principal(ctx).organizationId());
    }

    /** Only the caller's own token can be looked at; any other id does not exist for it. */
    private static void requireOwnToken(Context ctx) {
        String id = ctx.pathParam("id");
        if (!id.equals(Exchange.principal(ctx).tokenId())) {
            throw ApiException.notFound("token", id);
        }
    }
}
