package dev.openplus.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.client.internal.Values;

/**
 * Sends one API request: the bearer token, re-authentication once on a rejected token, retries of idempotent
 * requests, and typed failures.
 */
final class Transport {
    static final String MEDIA_TYPE = "application/vnd.api+json";
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE");
    private static final Set<Integer> RETRIED = Set.of(429, 502, 503, 504);

    private final URI baseUrl;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final RetryPolicy retries;
    private final TokenManager tokens;

    Transport(URI baseUrl, HttpClient http, Duration requestTimeout, RetryPolicy retries, TokenManager tokens) {
        this.baseUrl = baseUrl;
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.retries = retries;
        this.tokens = tokens;
    }

    /** A path ({@code /pub/...}, with its query) or an absolute URL the server gave (a {@code links.next}). */
    URI resolve(String pathOrUrl) {
        return pathOrUrl.startsWith("/") ? baseUrl.resolve(pathOrUrl) : URI.create(pathOrUrl);
    }

    /** The answer's document (null for an empty body) of an authenticated request. */
    JsonNode send(String method, String pathOrUrl, JsonNode body) {
        return exchange(method, resolve(pathOrUrl), body, true);
    }

    /** The same without a bearer token (the token endpoint). */
    JsonNode sendUnauthenticated(String method, String path, JsonNode body) {
        return exchange(method, resolve(path), body, false);
    }

    private JsonNode exchange(String method, URI uri, JsonNode body, boolean authenticated) {
        boolean idempotent = IDEMPOTENT.contains(method);
        boolean reauthenticated = false;
        int attempt = 0;
        while (true) {
            String token = authenticated ? tokens.accessToken() : null;
            HttpResponse<byte[]> response;
            try {
                response = http.send(request(method, uri, body, token), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                ConnectionException failure = new ConnectionException(method + " " + uri.getRawPath(), e);
                if (idempotent && attempt < retries.maxRetries()) {
                    attempt++;
                    pause(retries.delay(attempt, null));
                    continue;
                }
                throw failure;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConnectionException(method + " " + uri.getRawPath() + " interrupted", e);
            }
            int status = response.statusCode();
            JsonNode document = parse(response.body());
            if (status >= 200 && status < 300) {
                return document;
            }
            Duration retryAfter = retryAfter(response);
            OpenPlusException failure = OpenPlusException.of(status, errors(document, status), requestId(document,
                    response), retryAfter, method, uri.getRawPath());
            if (status == 401 && authenticated && !reauthenticated && "Unauthorized".equals(failure.code())) {
                // The token was refused (expired early, revoked): a new one, once. The request was not processed,
                // so even a POST may be sent again.
                reauthenticated = true;
                tokens.invalidate(token);
                continue;
            }
            if (idempotent && RETRIED.contains(status) && attempt < retries.maxRetries()
                    && (retryAfter == null || retryAfter.compareTo(retries.maxRetryAfter()) <= 0)) {
                attempt++;
                pause(retries.delay(attempt, retryAfter));
                continue;
            }
            throw failure;
        }
    }

    private HttpRequest request(String method, URI uri, JsonNode body, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(requestTimeout)
                .header("Accept", MEDIA_TYPE).header("User-Agent", "openplus-client");
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            try {
                builder.header("Content-Type", MEDIA_TYPE)
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(Values.MAPPER.writeValueAsBytes(body)));
            } catch (IOException e) {
                throw new IllegalArgumentException("the request body cannot be written as JSON", e);
            }
        } else {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return builder.build();
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return Values.MAPPER.readTree(body);
        } catch (IOException e) {
            return null; // not JSON (a proxy's page): the status still tells what happened
        }
    }

    private static List<ApiError> errors(JsonNode document, int status) {
        List<ApiError> errors = new ArrayList<>();
        if (document != null && document.path("errors").isArray()) {
            for (JsonNode error : document.get("errors")) {
                JsonNode source = error.path("source");
                errors.add(new ApiError(Values.string(error.get("status")), Values.string(error.get("code")),
                        Values.string(error.get("title")), Values.string(error.get("detail")),
                        Values.string(source.get("pointer")), Values.string(source.get("parameter"))));
            }
        }
        if (errors.isEmpty()) {
            errors.add(new ApiError(String.valueOf(status), null, null, "HTTP " + status + " without an error document",
                    null, null));
        }
        return errors;
    }

    private static String requestId(JsonNode document, HttpResponse<?> response) {
        String fromBody = document == null ? null : Values.string(document.path("meta").get("req_id"));
        return fromBody != null ? fromBody : response.headers().firstValue("X-Request-Id").orElse(null);
    }

    private static Duration retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(value -> {
            try {
                return Duration.ofSeconds(Long.parseLong(value.trim()));
            } catch (NumberFormatException e) {
                return null; // an HTTP date: not sent by OpenPlus; the back-off applies
            }
        }).orElse(null);
    }

    private static void pause(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionException("interrupted while waiting to retry", e);
        }
    }
}
