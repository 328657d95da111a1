package dev.openplus.jsonapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/** The wire rules every endpoint shares: media types, error documents, strict query and body validation. */
class JsonApiCoreTest {
    static Api api;
    static Fixtures fixtures;
    static Fixtures.Tenant tenant;

    @BeforeAll
    static void setUp() {
        TestServer server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Core Org");
        fixtures.group(tenant.organizationId(), "Existing");
    }

    private static String groups(String query) {
        return "/pub/group?filter[organization]=" + tenant.organizationId() + query;
    }

    private static void assertError(Api.Response response, int status, String code, String sourceKey, String source) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).hasValue("application/vnd.api+json");
        assertThat(response.at("/errors/0/status").asText()).isEqualTo(Integer.toString(status));
        assertThat(response.at("/errors/0/code").asText()).isEqualTo(code);
        assertThat(response.at("/errors/0/title").asText()).isNotEmpty();
        assertThat(response.at("/meta/req_id").asText()).isEqualTo(response.header("X-Request-Id").orElseThrow());
        if (sourceKey != null) {
            assertThat(response.at("/errors/0/source/" + sourceKey).asText()).isEqualTo(source);
        } else {
            assertThat(response.at("/errors/0/source").isMissingNode()).isTrue();
        }
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("at dev.openplus");
    }

    private long groupCount() {
        return api.get(groups("&page[size]=0"), tenant.token()).at("/meta/count").asLong();
    }

    @Test
    void requestIdIsAUuidInHeaderAndMeta() {
        Api.Response response = api.get("/pub/organization/" + tenant.organizationId(), tenant.token());
        assertThat(response.status()).isEqualTo(200);
        String reqId = response.header("X-Request-Id").orElseThrow();
        assertThat(reqId).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(response.at("/meta/req_id").asText()).isEqualTo(reqId);
        assertThat(response.at("/data/links/self").asText()).isEqualTo("/pub/organization/" + tenant.organizationId());
    }

    @Test
    void unsupportedMediaTypes() {
        String body = "{\"data\":{\"type\":\"group\",\"attributes\":{\"name\":\"x\"}}}";
        assertError(api.send("POST", "/pub/group", tenant.token(), "text/plain", body, List.of()),
                415, "UnsupportedMediaType", null, null);
        assertError(api.send("POST", "/pub/group", tenant.token(), "application/vnd.api+json; charset=utf-8", body,
                List.of()), 415, "UnsupportedMediaType", null, null);
        assertError(api.send("POST", "/pub/group", tenant.token(), null, body, List.of()),
                415, "UnsupportedMediaType", null, null);
        assertThat(api.send("POST", "/pub/group", tenant.token(), "application/json", body, List.of()).status())
                .isEqualTo(201);
    }

    @Test
    void notAcceptable() {
        assertError(api.send("GET", "/pub/organization/" + tenant.organizationId(), tenant.token(), null, null,
                List.of("Accept", "application/vnd.api+json; ext=bulk")), 406, "NotAcceptable", null, null);
        assertThat(api.send("GET", "/pub/organization/" + tenant.organizationId(), tenant.token(), null, null,
                List.of("Accept", "application/vnd.api+json; ext=bulk, application/vnd.api+json")).status()).isEqualTo(200);
        assertThat(api.send("GET", "/pub/organization/" + tenant.organizationId(), tenant.token(), null, null,
                List.of("Accept", "application/json")).status()).isEqualTo(200);
    }

    @Test
    void unknownRouteAndWrongMethod() {
        assertError(api.get("/pub/nothing-here", tenant.token()), 404, "ResourceNotFound", null, null);
        assertError(api.send("DELETE", "/pub/group", tenant.token(), null, null, List.of()),
                405, "MethodNotAllowed", null, null);
        assertError(api.send("PATCH", "/pub/organization/" + tenant.organizationId(), tenant.token(),
                Api.JSON_API, "{}", List.of()), 405, "MethodNotAllowed", null, null);
    }

    @Test
    void unknownIdsAre404() {
        assertError(api.get("/pub/group/000000000000000000000000", tenant.token()), 404, "ResourceNotFound", null, null);
        assertError(api.get("/pub/coach/not-an-id", tenant.token()), 404, "ResourceNotFound", null, null);
    }

    @Test
    void tooLargeBodyIs413AndCreatesNothing() {
        long before = groupCount();
        String big = "{\"data\":{\"type\":\"group\",\"attributes\":{\"name\":\"" + "x".repeat(5 * 1024 * 1024) + "\"}}}";
        assertError(api.post("/pub/group", tenant.token(), big), 413, "PayloadTooLarge", null, null);
        assertThat(groupCount()).isEqualTo(before);
    }

    @Test
    void invalidQueryParametersAreAllReportedTogether() {
        Api.Response response = api.get("/pub/coach?filter[organizatio]=x&page[size]=99&sort=height&include=patients"
                + "&fields[coach]=first_name,shoe_size&fields[planet]=name&bogus=1", tenant.token());
        assertThat(response.status()).isEqualTo(409);
        assertThat(response.json().get("errors").findValuesAsText("parameter")).containsExactlyInAnyOrder(
                "filter[organizatio]", "filter[groups]", "page[size]", "sort", "include", "fields[coach]",
                "fields[planet]", "bogus");
        assertThat(response.json().get("errors").findValuesAsText("code")).containsOnly("InvalidParameter");
    }

    @Test
    void requiredFilters() {
        assertError(api.get("/pub/group", tenant.token()), 409, "InvalidParameter", "parameter", "filter[organization]");
        assertError(api.get("/pub/coach", tenant.token()), 409, "InvalidParameter", "parameter", "filter[groups]");
    }

    @Test
    void malformedFilterValues() {
        Api.Response malformedRequired = api.get("/pub/group?filter[organization]=nope", tenant.token());
        assertError(malformedRequired, 409, "InvalidParameter", "parameter", "filter[organization]");
        assertThat(malformedRequired.at("/errors").size()).as("no second 'is required' error").isEqualTo(1);
        assertError(api.get("/pub/coach?filter[groups]=abc,def", tenant.token()), 409, "InvalidParameter",
                "parameter", "filter[groups]");
        assertError(api.get(groups("&filter[name]="), tenant.token()), 409, "InvalidParameter", "parameter",
                "filter[name]");
        assertError(api.get(groups("&filter[name]=a&filter[name]=b"), tenant.token()), 409, "InvalidParameter",
                "parameter", "filter[name]");
    }

    @Test
    void dateRangeFilters() {
        Api.Response open = api.get(groups("&filter[created_at]=2000-01-01T00:00:00Z.."), tenant.token());
        assertThat(open.status()).isEqualTo(200);
        assertThat(open.at("/meta/count").asLong()).isGreaterThanOrEqualTo(1);
        Api.Response past = api.get(groups("&filter[created_at]=..2000-01-01T00:00:00Z"), tenant.token());
        assertThat(past.at("/meta/count").asLong()).isZero();
        Api.Response offset = api.get(groups("&filter[updated_at]=2000-01-01T00:00:00%2B01:00..2999-01-01T00:00:00Z"),
                tenant.token());
        assertThat(offset.at("/meta/count").asLong()).isEqualTo(open.at("/meta/count").asLong());
        for (String bad : List.of("2017-01-01", "..", "2018-01-01T00:00:00Z..2017-01-01T00:00:00Z",
                "yesterday..today", "2017-01-01T00:00:00Z..2018-01-01T00:00:00Z..2019-01-01T00:00:00Z")) {
            assertError(api.get(groups("&filter[created_at]=" + bad), tenant.token()), 409, "InvalidParameter",
                    "parameter", "filter[created_at]");
        }
    }

    @Test
    void pagingParameterErrors() {
        for (String bad : List.of("page[number]=0", "page[number]=x", "page[size]=-1", "page[size]=51",
                "page[limit]=501", "page[limit]=ten")) {
            String parameter = bad.substring(0, bad.indexOf('='));
            assertError(api.get(groups("&" + bad), tenant.token()), 409, "InvalidParameter", "parameter", parameter);
        }
        assertError(api.get(groups("&page[number]=2&page[limit]=5"), tenant.token()), 409, "InvalidParameter",
                "parameter", "page[number]");
        assertError(api.get(groups("&page[after]=not-a-cursor"), tenant.token()), 409, "InvalidParameter",
                "parameter", "page[after]");
        assertError(api.get(groups("&page[cursor]=eyJ4IjoxfQ"), tenant.token()), 409, "InvalidParameter",
                "parameter", "page[cursor]");
        assertError(api.get(groups("&page[offset]=3"), tenant.token()), 409, "InvalidParameter", "parameter",
                "page[offset]");
    }

    @Test
    void generatedClientDefaultsMeanCursorPaging() {
        Api.Response response = api.get(groups("&page[number]=1&page[size]=10&page[limit]=50"), tenant.token());
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.at("/links/self").asText()).contains("page[limit]=50").doesNotContain("page[number]");
    }

    @Test
    void fetchAcceptsOnlyIncludeAndFields() {
        assertError(api.get("/pub/organization/" + tenant.organizationId() + "?filter[name]=x", tenant.token()),
                409, "InvalidParameter", "parameter", "filter[name]");
        assertError(api.get("/pub/organization/" + tenant.organizationId() + "?page[size]=1", tenant.token()),
                409, "InvalidParameter", "parameter", "page[size]");
    }

    @Test
    void sparseFieldsets() {
        Api.Response response = api.get(groups("&fields[group]=name"), tenant.token());
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.at("/data/0/attributes").size()).isEqualTo(1);
        assertThat(response.at("/data/0/attributes/name").isTextual()).isTrue();
        assertThat(response.at("/data/0/relationships").isMissingNode()).isTrue();
        assertThat(response.at("/data/0/links/self").asText()).startsWith("/pub/group/");

        Api.Response included = api.get(groups("&include=organization&fields[organization]=name&fields[group]=organization"),
                tenant.token());
        assertThat(included.at("/data/0/attributes").size()).isZero();
        assertThat(included.at("/data/0/relationships/organization/data/id").asText()).isEqualTo(tenant.organizationId());
        assertThat(included.at("/included/0/attributes").size()).isEqualTo(1);
    }

    @Test
    void createGroupValidatesTheBodyAndChangesNothingOnError() {
        long before = groupCount();
        record Case(String body, String pointer, int status, String code) {
        }
        List<Case> cases = List.of(
                new Case("not json", "", 409, "InvalidBodyParameter"),
                new Case("[1,2]", "", 409, "InvalidBodyParameter"),
                new Case("{}", "/data", 409, "InvalidBodyParameter"),
                new Case("{\"data\":{\"type\":\"coach\",\"attributes\":{\"name\":\"x\"}}}", "/data/type", 409, "InvalidBodyParameter"),
                new Case("{\"data\":{\"type\":\"group\",\"attributes\":{}}}", "/data/attributes/name", 409, "InvalidBodyParameter"),
                new Case("{\"data\":{\"type\":\"group\",\"attributes\":{\"name\":5}}}", "/data/attributes/name", 409, "InvalidBodyParameter"),
                new Case("{\"data\":{\"type\":\"group\",\"attributes\":{\"name\":\"  \"}}}", "/data/attributes/name", 409, "InvalidBodyParameter"),
                new Case("{\"data\":{\"type\":\"group\",\"attributes\":{\"name\":null}}}", "/data/attributes/name", 409, "InvalidBodyParameter"),
                new Case("{\"data\":{\"type\":\"group\",\"attributes\":{\"name\":\"x\",\"colour\":\"red\"}}}", "/data/attributes/colour", 409, "InvalidBodyParameter"),
                new Case("{\"data\":{\"type\":\"group\",\"attributes\":{\"name\":\"x\",\"bio\":[]}}}", "/data/attributes/bio", 409, "InvalidBodyParameter"),
                new Case("{\"data\":{\"type\":\"group\",\"attributes\":{\"name\":\"" + "y".repeat(256) + "\"}}}", "/data/attributes/name", 409, "InvalidBodyParameter"),
                new Case("{\"data\":{\"type\":\"group\",\"attributes\":\"name\"}}", "/data/attributes", 409, "InvalidBodyParameter"),
                new Case("{\"data\":{\"type\":\"group\",\"attributes\":{\"name\":\"x\"},\"relationships\":{\"members\":{\"data\":[]}}}}", "/data/relationships/members", 409, "InvalidBodyParameter"),
                new Case("{\"data\":{\"type\":\"group\",\"id\":\"5817acae6f5316c0d05ba8b8\",\"attributes\":{\"name\":\"x\"}}}", "/data/id", 403, "Forbidden"),
                new Case("[".repeat(10_000) + "]".repeat(10_000), "", 409, "InvalidBodyParameter"),
                new Case("{\"data\":{\"type\":\"group\",\"attributes\":{\"name\":\"a\",\"name\":\"b\"}}}", "", 409, "InvalidBodyParameter"));
        for (Case c : cases) {
            assertError(api.post("/pub/group", tenant.token(), c.body()), c.status(), c.code(), "pointer", c.pointer());
        }
        assertThat(groupCount()).isEqualTo(before);
    }

    @Test
    void createGroupReportsSeveralProblemsAtOnce() {
        Api.Response response = api.post("/pub/group", tenant.token(),
                "{\"data\":{\"type\":\"group\",\"attributes\":{\"bio\":1,\"x\":2}}}");
        assertThat(response.status()).isEqualTo(409);
        assertThat(response.json().get("errors").findValuesAsText("pointer")).containsExactlyInAnyOrder(
                "/data/attributes/bio", "/data/attributes/x", "/data/attributes/name");
    }

    @Test
    void createGroupIgnoresReadOnlyAttributesAndEmptyId() {
        Api.Response response = api.post("/pub/group", tenant.token(), Api.json(Map.of("data", Map.of("type", "group",
                "id", "", "attributes", Map.of("name", "Round trip", "bio", "b", "created_at", "2001-01-01T00:00:00Z"),
                "relationships", Map.of("organization", Map.of("data", Map.of("type", "organization", "id",
                        tenant.organizationId())))))));
        assertThat(response.status()).isEqualTo(201);
        assertThat(response.at("/meta/ignored").findValuesAsText("")).isEmpty();
        assertThat(response.at("/meta/ignored/0").asText()).isEqualTo("/data/attributes/created_at");
        assertThat(response.at("/meta/ignored/1").asText()).isEqualTo("/data/relationships/organization");
        assertThat(response.at("/data/attributes/created_at").asText()).doesNotStartWith("2001");
        assertThat(response.at("/data/attributes/created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(response.at("/data/attributes/created_by").asText()).isEqualTo(tenant.client().get("client_id"));
        String id = response.at("/data/id").asText();
        Api.Response fetched = api.get("/pub/group/" + id, tenant.token());
        assertThat(fetched.at("/data/attributes/name").asText()).isEqualTo("Round trip");
        assertThat(fetched.at("/data/attributes/bio").asText()).isEqualTo("b");
        assertThat(fetched.at("/data/links/self").asText()).isEqualTo("/pub/group/" + id);
    }
}
