package dev.openplus.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.client.internal.Values;
import dev.openplus.client.model.Id;
import dev.openplus.client.model.OpenPlusResources;
import dev.openplus.client.model.Patient;
import dev.openplus.client.model.Resource;
import dev.openplus.client.model.ResourceKind;

/**
 * A client of one OpenPlus server, authenticated as one API client. Thread-safe: share one instance.
 *
 * <pre>{@code
 * OpenPlusClient client = OpenPlusClient.builder("http://127.0.0.1:8080")
 *         .clientCredentials(clientId, clientSecret).build();
 * for (Patient patient : client.patients().list(Query.organization(org))) {
 *     System.out.println(patient.lastName());
 * }
 * }</pre>
 *
 * <p>Tokens are obtained, renewed before they expire and replaced when refused; idempotent requests are retried
 * ({@link RetryPolicy}); failures are thrown as {@link OpenPlusException} subclasses.
 */
public final class OpenPlusClient extends OpenPlusResources {
    private final Transport transport;
    private final int maxBulkItems;
    private final Map<String, Endpoint<?>> endpoints = new ConcurrentHashMap<>();

    private OpenPlusClient(Builder builder) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(builder.connectTimeout)
                .version(HttpClient.Version.HTTP_1_1).build();
        TokenManager tokens = new TokenManager(builder.clientId, builder.clientSecret, builder.clock);
        this.transport = new Transport(builder.baseUrl, http, builder.requestTimeout, builder.retryPolicy, tokens);
        tokens.attach(transport);
        this.maxBulkItems = builder.maxBulkItems;
    }

    /**
     * Starts a client of the server at this address.
     *
     * @param baseUrl the server's address, e.g. {@code http://127.0.0.1:8080} (without {@code /pub})
     * @return a builder
     */
    public static Builder builder(String baseUrl) {
        return new Builder(baseUrl);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T extends Resource> Endpoint<T> endpoint(ResourceKind<T> kind) {
        return (Endpoint<T>) endpoints.computeIfAbsent(kind.type(), type -> new Endpoint<>(transport, kind,
                maxBulkItems));
    }

    /**
     * The endpoint of a type given by its kind (for code generic over types; {@code client.patients()} is the same
     * as {@code client.endpointOf(Patient.KIND)}).
     *
     * @param <T>  the type's record
     * @param kind the type
     * @return its endpoint
     */
    public <T extends Resource> Endpoint<T> endpointOf(ResourceKind<T> kind) {
        return endpoint(kind);
    }

    /**
     * The change feed of a query ({@code GET /pub/change}): follow it to keep a copy of the client's data current.
     *
     * @param query {@code Query.organization(org)} or {@code Query.groups(...)} (one is required), optionally
     *              {@code filter("resource_type", "patient,patient_health_metric")}, {@code filter("patient", ...)},
     *              {@code include("resource")} for the changed resources' current state, and
     *              {@code pageSize(...)} (at most 500)
     * @return the feed
     */
    public ChangeFeed changes(Query query) {
        return new ChangeFeed(transport, query);
    }

    /**
     * Creates or changes the patient with an identifier ({@code PUT /pub/patient}): found by the identifier within
     * the groups, it is changed as an update would (only the non-null writable members are sent); when there is
     * none, it is created in those groups with that identifier. Safe to send again (retried like any idempotent
     * request).
     *
     * @param system   the identifier's system
     * @param value    the identifier's value
     * @param groupIds the groups to look in (and create it in)
     * @param patient  the values to set (usually from {@code Patient.builder()})
     * @return the patient as created or changed
     */
    public Patient upsertPatient(String system, String value, java.util.List<String> groupIds, Patient patient) {
        ObjectNode body = Values.MAPPER.createObjectNode();
        body.putObject("meta").set("query", Values.json(Map.of("identifier", Map.of("system", system,
                "value", value), "groups", groupIds)));
        body.set("data", ((Endpoint<Patient>) endpoint(Patient.KIND)).resourceObject(patient, null));
        return Patient.KIND.read(transport.send("PUT", "/pub/patient", body).path("data"));
    }

    /**
     * An attendee's answer to a calendar event ({@code POST /pub/calendar_event_response}).
     *
     * @param calendarEventId the event
     * @param attendeeId      the attendee's {@code _id} in the event's {@code attendees}
     * @param user            the coach or patient who answers
     * @param responseStatus  {@code accepted}, {@code declined} or {@code tentative}
     * @return the server's {@code calendar_event_response} resource object
     */
    public JsonNode respondToCalendarEvent(String calendarEventId, String attendeeId, Id<? extends Resource> user,
            String responseStatus) {
        Map<String, Object> data = Map.of("type", "calendar_event_response",
                "attributes", Map.of("attendee", attendeeId, "response_status", responseStatus),
                "relationships", Map.of(
                        "user", Map.of("data", Map.of("type", user.type(), "id", user.id())),
                        "calendar_event", Map.of("data", Map.of("type", "calendar_event", "id", calendarEventId))));
        return transport.send("POST", "/pub/calendar_event_response", Values.json(Map.of("data", data)))
                .path("data");
    }

    /**
     * Any request, for what the typed API does not cover: authenticated, retried and failing like the others.
     *
     * @param method the HTTP method
     * @param path   the path with its query, e.g. {@code /pub/patient/ID/groups}
     * @param body   the JSON body, or null
     * @return the answer's document, or null for an empty answer
     */
    public JsonNode request(String method, String path, JsonNode body) {
        return transport.send(method, path, body);
    }

    /** Settings of an {@link OpenPlusClient}. */
    public static final class Builder {
        private final URI baseUrl;
        private String clientId;
        private String clientSecret;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
        private int maxBulkItems = DEFAULT_MAX_BULK_ITEMS;
        private Clock clock = Clock.systemUTC();

        private Builder(String baseUrl) {
            String trimmed = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
            this.baseUrl = URI.create(trimmed + "/");
        }

        /**
         * The API client's credentials (from {@code ./openplus admin client create}).
         *
         * @param id     the {@code client_id}
         * @param secret the {@code client_secret}
         * @return this builder
         */
        public Builder clientCredentials(String id, String secret) {
            this.clientId = Objects.requireNonNull(id, "id");
            this.clientSecret = Objects.requireNonNull(secret, "secret");
            return this;
        }

        /**
         * How long to wait for a connection (default 10 s).
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /**
         * How long to wait for each answer (default 60 s); a timeout is a connection failure.
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /**
         * When to send idempotent requests again (default {@link RetryPolicy#DEFAULT}).
         *
         * @param policy the policy ({@link RetryPolicy#NONE} to never retry)
         * @return this builder
         */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy);
            return this;
        }

        /**
         * The server's {@code OPENPLUS_MAX_BULK_ITEMS} when it is not the default: {@code createAll} sends at most
         * this many resources per request.
         *
         * @param items the limit
         * @return this builder
         */
        public Builder maxBulkItems(int items) {
            if (items < 1) {
                throw new IllegalArgumentException("maxBulkItems must be at least 1");
            }
            this.maxBulkItems = items;
            return this;
        }

        /**
         * The clock tokens' expiry is measured with (for tests).
         *
         * @param tokenClock the clock
         * @return this builder
         */
        public Builder clock(Clock tokenClock) {
            this.clock = Objects.requireNonNull(tokenClock);
            return this;
        }

        /**
         * The client. No request is sent until it is used.
         *
         * @return the client
         */
        public OpenPlusClient build() {
            if (clientId == null) {
                throw new IllegalStateException("clientCredentials(id, secret) is required");
            }
            return new OpenPlusClient(this);
        }
    }
}
