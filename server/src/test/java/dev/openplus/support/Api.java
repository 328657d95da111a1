package dev.openplus.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A plain HTTP client for the tests: every request goes over a real socket to the real server. */
public final class Api {
    public static final String JSON_API = "application/vnd.api+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String baseUrl;

    public Api(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** A response with its body parsed when it is JSON. */
    public record Response(int status, java.net.http.HttpHeaders headers, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + body, e);
            }
        }

        public JsonNode at(String pointer) {
            return json().at(pointer);
        }

        /** The ids of a collection answer's {@code data}, in order. */
        public java.util.List<String> ids() {
            java.util.List<String> ids = new java.util.ArrayList<>();
            json().path("data").forEach(resource -> ids.add(resource.get("id").asText()));
            return ids;
        }

        public Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    public Response get(String path, String token) {
        return send("GET", path, token, null, null, List.of());
    }

    public Response post(String path, String token, String body) {
        return send("POST", path, token, JSON_API, body, List.of());
    }

    public Response send(String method, String path, String token, String contentType, String body,
            List<String> extraHeaders) {
        Response answer = sendOutsideContract(method, path, token, contentType, body, extraHeaders);
        Contract.check(method, path, contentType, body, answer);
        return answer;
    }

    /**
     * An exchange the OpenAPI document is not asked to hold, for answers it does not describe on purpose (a 500
     * a test provokes by failing the database under a request).
     */
    public Response sendOutsideContract(String method, String path, String token, String contentType, String body,
            List<String> extraHeaders) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i + 1 < extraHeaders.size(); i += 2) {
            request.header(extraHeaders.get(i), extraHeaders.get(i + 1));
        }
        try {
            HttpResponse<String> response = CLIENT.send(request.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new AssertionError("request failed: " + method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Follows links.next from the first page to the last; every page must answer 200. */
    public List<String> pageThrough(String firstPage, String token) {
        List<String> all = new java.util.ArrayList<>();
        String link = firstPage;
        while (link != null) {
            Response page = get(link, token);
            if (page.status() != 200) {
                throw new AssertionError("page " + link + " answered " + page);
            }
            all.addAll(page.ids());
            JsonNode next = page.json().path("links").path("next");
            link = next.isMissingNode() ? null : next.asText();
        }
        return all;
    }

    public static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
