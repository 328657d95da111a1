package dev.openplus.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.Application;
import dev.openplus.config.Config;
import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * Webhook delivery through a server of its own (short intervals, private addresses allowed) on the test run's
 * PostgreSQL, to receivers on 127.0.0.1 that fail, time out and answer late on purpose. What is asserted, per
 * receiver, once the changes the receiver acknowledged (2xx within the timeout) are the feed's:
 * <ul>
 * <li>the set of change ids acknowledged equals the set GET /pub/change gives the same scope, and no request held
 * a change id outside it;</li>
 * <li>in arrival order, keeping each change id's first arrival only, the change ids are exactly the feed's
 * sequence (so each resource's versions increase: asserted as well), and a request that follows an attempt not
 * acknowledged holds exactly that attempt's change ids (the same page again, never a gap);</li>
 * <li>every request is signed with the secret the create command printed, is {@code application/vnd.api+json},
 * has a delivery id of its own, holds at most 100 changes, and renders each change as GET /pub/change does.</li>
 * </ul>
 */
class WebhookDeliveryTest {
    static final long TIMEOUT_MILLIS = 400;
    static final Config.Webhooks SETTINGS = new Config.Webhooks(2, Duration.ofMillis(50), Duration.ofSeconds(1),
            Duration.ofMillis(TIMEOUT_MILLIS), Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(1),
            true, List.of());

    static TestServer server;
    static Api api;
    static Fixtures fixtures;
    static Application delivering;
    static final List<Receiver> receivers = new ArrayList<>();
    static final List<String> subscriptions = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        server = TestServer.get();
        api = server.api();
        Config config = server.config.withPort(0).withWebhooks(SETTINGS);
        fixtures = new Fixtures(config, api);
        delivering = Application.start(config, server.database);
    }

    @AfterAll
    static void tearDown() {
        for (String id : subscriptions) {
            fixtures.cli("admin", "webhook", "disable", id);
        }
        delivering.close();
        receivers.forEach(Receiver::close);
    }

    static Receiver receiver(java.util.function.IntFunction<Receiver.Answer> behaviour) throws Exception {
        Receiver receiver = new Receiver(behaviour);
        receivers.add(receiver);
        return receiver;
    }

    /** Creates a subscription with the CLI; its id and the secret it printed. */
    static Map<String, String> subscribe(String... args) {
        List<String> all = new ArrayList<>(List.of("admin", "webhook", "create", "--json"));
        all.addAll(List.of(args));
        Fixtures.CliResult created = fixtures.cli(all.toArray(String[]::new));
        assertThat(created.exitCode()).as(created.out() + created.err()).isZero();
        subscriptions.add(created.json().get("id").asText());
        return Map.of("id", created.json().get("id").asText(), "secret", created.json().get("secret").asText());
    }

    /** Every change the feed gives a scope after a cursor (null: from the start), in feed order. */
    static List<JsonNode> feed(String filter, String token, String after) {
        List<JsonNode> changes = new ArrayList<>();
        String link = "/pub/change?" + filter + "&page[limit]=500" + (after == null ? "" : "&page[after]=" + after);
        while (true) {
            Api.Response page = api.get(link, token);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            if (page.json().get("data").isEmpty()) {
                return changes;
            }
            page.json().get("data").forEach(changes::add);
            link = page.at("/links/next").asText();
        }
    }

    /** The feed's links.next after everything the scope has so far. */
    static String feedEnd(String filter, String token) {
        String link = "/pub/change?" + filter + "&page[limit]=500";
        while (true) {
            Api.Response page = api.get(link, token);
            link = page.at("/links/next").asText();
            if (page.json().get("data").isEmpty()) {
                return link.replaceAll(".*page%5Bafter%5D=|.*page\\[after\\]=", "").replaceAll("&.*", "");
            }
        }
    }

    static Set<Long> ids(List<JsonNode> changes) {
        Set<Long> ids = new LinkedHashSet<>();
        changes.forEach(change -> ids.add(Long.parseLong(change.get("id").asText())));
        return ids;
    }

    static void waitFor(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /** The assertions of the class comment for one receiver against the feed's changes of its scope. */
    static void assertDeliveredExactlyTheFeed(Receiver receiver, String secret, List<JsonNode> feed) throws Exception {
        Map<Long, JsonNode> feedById = new HashMap<>();
        feed.forEach(change -> feedById.put(Long.parseLong(change.get("id").asText()), change));
        assertThat(receiver.acknowledged(TIMEOUT_MILLIS)).isEqualTo(ids(feed));

        List<Long> firstArrivals = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        Set<String> deliveryIds = new HashSet<>();
        Receiver.Arrival previous = null;
        for (Receiver.Arrival arrival : receiver.arrivals()) {
            assertThat(arrival.signedWith(secret)).as("signature of request %d", arrival.number()).isTrue();
            assertThat(arrival.contentType()).isEqualTo("application/vnd.api+json");
            assertThat(deliveryIds.add(arrival.deliveryHeader())).as("a delivery id per attempt").isTrue();
            assertThat(arrival.document().at("/meta/delivery_id").asText()).isEqualTo(arrival.deliveryHeader());
            assertThat(arrival.document().at("/meta/webhook_id").asText()).isEqualTo(arrival.webhookHeader());
            assertThat(arrival.changeIds()).hasSizeBetween(1, 100);
            for (JsonNode change : arrival.document().get("data")) {
                long id = Long.parseLong(change.get("id").asText());
                assertThat(feedById).as("change %d is in the scope's feed", id).containsKey(id);
                assertThat(change).as("change %d as GET /pub/change renders it", id).isEqualTo(feedById.get(id));
                if (seen.add(id)) {
                    firstArrivals.add(id);
                }
            }
            boolean previousAcknowledged = previous != null && previous.answer().status() / 100 == 2
                    && previous.answer().delayMillis() < TIMEOUT_MILLIS;
            if (previous != null && !previousAcknowledged) {
                assertThat(arrival.changeIds()).as("request %d repeats the page of request %d", arrival.number(),
                        previous.number()).isEqualTo(previous.changeIds());
            }
            previous = arrival;
        }
        assertThat(firstArrivals).as("first arrivals in feed order").containsExactlyElementsOf(ids(feed));
        Map<String, Long> versions = new LinkedHashMap<>();
        for (Long id : firstArrivals) {
            JsonNode change = feedById.get(id);
            String resource = change.at("/attributes/resource_type").asText() + "/"
                    + change.at("/attributes/resource_id").asText();
            long version = change.at("/attributes/version").asLong();
            Long before = versions.put(resource, version);
            if (before != null) {
                assertThat(version).as("versions of %s in arrival order", resource).isGreaterThanOrEqualTo(before);
            }
        }
    }

    static Api.Response createPatients(Fixtures.Tenant tenant, String group, int count) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            items.add(Map.of("type", "patient", "attributes", Map.of("first_name", "Hook" + i),
                    "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group))))));
        }
        Api.Response created = api.post("/pub/patient", tenant.token(), Api.json(Map.of("data", items)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created;
    }

    static void rename(Fixtures.Tenant tenant, String patient, String name) {
        Api.Response patched = api.send("PATCH", "/pub/patient/" + patient, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "id", patient, "attributes",
                        Map.of("first_name", name)))), List.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
    }

    static void move(Fixtures.Tenant tenant, String patient, String group) {
        Api.Response patched = api.send("PATCH", "/pub/patient/" + patient, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "id", patient, "relationships",
                        Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group))))))),
                List.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
    }

    @Test
    void everyChangeArrivesInFeedOrderThroughFailuresTimeoutsAndLateAnswers() throws Exception {
        Fixtures.Tenant tenant = fixtures.tenant("Webhook Delivery Org");
        String group = fixtures.apiGroup(tenant, "Hooked");
        Receiver failsFirst = receiver(n -> n <= 3 ? Receiver.Answer.fail() : Receiver.Answer.ok());
        Receiver timesOut = receiver(n -> n <= 2 ? Receiver.Answer.after(1500) : Receiver.Answer.ok());
        Receiver answersLate = receiver(n -> n % 2 == 1 ? Receiver.Answer.after(700) : Receiver.Answer.ok());
        String org = tenant.organizationId();
        Map<String, String> failsFirstHook = subscribe("--org", org, "--url", failsFirst.url(), "--from-start");
        Map<String, String> timesOutHook = subscribe("--org", org, "--url", timesOut.url(), "--from-start");
        Map<String, String> answersLateHook = subscribe("--org", org, "--url", answersLate.url(), "--from-start");

        // More than one batch of 100, updates of the same resources, and a move between groups.
        List<String> patients = createPatients(tenant, group, 130).ids();
        String other = fixtures.apiGroup(tenant, "Other");
        for (int round = 0; round < 3; round++) {
            for (String patient : patients.subList(0, 5)) {
                rename(tenant, patient, "Renamed" + round);
            }
        }
        move(tenant, patients.get(6), other);

        String filter = "filter[organization]=" + org;
        for (Receiver receiver : List.of(failsFirst, timesOut, answersLate)) {
            waitFor("every change acknowledged by " + receiver.url(), () -> receiver.acknowledged(TIMEOUT_MILLIS)
                    .equals(ids(feed(filter, tenant.token(), null))));
        }
        List<JsonNode> feed = feed(filter, tenant.token(), null);
        assertThat(feed.size()).isGreaterThan(140);
        assertDeliveredExactlyTheFeed(failsFirst, failsFirstHook.get("secret"), feed);
        assertDeliveredExactlyTheFeed(timesOut, timesOutHook.get("secret"), feed);
        assertDeliveredExactlyTheFeed(answersLate, answersLateHook.get("secret"), feed);
        assertThat(failsFirst.arrivals().subList(0, 4)).extracting(a -> a.changeIds())
                .as("three failures, then the same page succeeds").containsOnly(failsFirst.arrivals().get(0).changeIds());
        assertThat(List.of(failsFirst, timesOut, answersLate)).flatExtracting(Receiver::arrivals)
                .as("a full batch").anyMatch(arrival -> arrival.changeIds().size() == 100);
        assertThat(answersLate.arrivals().size()).as("each page twice").isEqualTo(2 * (answersLate.arrivals().size() / 2));

        // Recovered: active again, failures forgotten.
        waitFor("the subscriptions to be active", () -> status(failsFirstHook.get("id")).equals("active"));
        JsonNode list = fixtures.cli("admin", "webhook", "list", "--org", org, "--json").json().get("webhooks");
        assertThat(list).hasSize(3);
        for (JsonNode hook : list) {
            assertThat(hook.get("status").asText()).isEqualTo("active");
            assertThat(hook.get("consecutive_failures").asInt()).isZero();
            assertThat(hook.get("failing_since").isNull()).isTrue();
            assertThat(hook.get("last_error").isNull()).isTrue();
        }
    }

    @Test
    void aGroupScopedSubscriptionSeesWhatAClientOfThoseGroupsSeesFromItsCreationOn() throws Exception {
        Fixtures.Tenant tenant = fixtures.tenant("Webhook Group Org");
        String groupA = fixtures.apiGroup(tenant, "A");
        String groupB = fixtures.apiGroup(tenant, "B");
        String before = createPatients(tenant, groupA, 1).ids().get(0);
        String filter = "filter[groups]=" + groupA;
        String start = feedEnd(filter, tenant.token());
        Receiver receiver = receiver(n -> Receiver.Answer.ok());
        Map<String, String> hook = subscribe("--org", tenant.organizationId(), "--groups", groupA, "--url",
                receiver.url());

        String inA = createPatients(tenant, groupA, 1).ids().get(0);
        String inB = createPatients(tenant, groupB, 1).ids().get(0);
        rename(tenant, inB, "Elsewhere");
        rename(tenant, before, "Seen");
        move(tenant, inA, groupB);
        move(tenant, inB, groupA);

        waitFor("the group's changes", () -> receiver.acknowledged(TIMEOUT_MILLIS)
                .equals(ids(feed(filter, tenant.token(), start))));
        List<JsonNode> feed = feed(filter, tenant.token(), start);
        assertDeliveredExactlyTheFeed(receiver, hook.get("secret"), feed);
        List<String> seen = new ArrayList<>();
        for (JsonNode change : feed) {
            if (!change.at("/attributes/resource_type").asText().equals("patient")) {
                continue;
            }
            seen.add(change.at("/attributes/resource_id").asText() + " " + change.at("/attributes/action").asText());
        }
        assertThat(seen).containsExactly(inA + " created", before + " updated", inA + " removed", inB + " created");
    }

    @Test
    void aSubscriptionPastTheRetryHorizonIsFailingAndRecoversByItself() throws Exception {
        Fixtures.Tenant tenant = fixtures.tenant("Webhook Failing Org");
        fixtures.apiGroup(tenant, "Some change");
        Receiver receiver = receiver(n -> Receiver.Answer.fail());
        Map<String, String> hook = subscribe("--org", tenant.organizationId(), "--url", receiver.url(), "--from-start");
        String org = tenant.organizationId();

        waitFor("status failing", () -> status(hook.get("id")).equals("failing"));
        JsonNode failing = fixtures.cli("admin", "webhook", "list", "--org", org, "--json").json().at("/webhooks/0");
        assertThat(failing.get("id").asText()).isEqualTo(hook.get("id"));
        assertThat(failing.get("consecutive_failures").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(failing.get("failing_since").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(failing.get("last_error").asText()).isEqualTo("the receiver answered 500");
        Fixtures.CliResult table = fixtures.cli("admin", "webhook", "list", "--org", org);
        assertThat(table.out()).contains("failing").contains("the receiver answered 500");
        waitFor("the failing gauge", () -> scrape().contains("openplus_webhook_subscriptions_failing 1.0")
                || scrape().matches("(?s).*openplus_webhook_subscriptions_failing [1-9].*"));
        assertThat(scrape()).contains("openplus_webhook_deliveries_total{outcome=\"http_error\"}");

        receiver.answer(n -> Receiver.Answer.ok());
        List<JsonNode> feed = feed("filter[organization]=" + org, tenant.token(), null);
        waitFor("recovery", () -> status(hook.get("id")).equals("active"));
        assertThat(receiver.acknowledged(TIMEOUT_MILLIS)).isEqualTo(ids(feed));
        assertThat(scrape()).contains("openplus_webhook_deliveries_total{outcome=\"delivered\"}")
                .contains("openplus_webhook_delivery_lag_seconds_count");
    }

    /** The subscription's status, read from its table (cheaper than the CLI inside a wait). */
    static String status(String id) {
        return server.database.dsl().fetchValue("select status from webhook_subscription where id = ?", id).toString();
    }

    static String scrape() {
        Api.Response metrics = new Api("http://127.0.0.1:" + delivering.port()).sendOutsideContract("GET", "/metrics",
                null, null, null, List.of());
        return metrics.body();
    }
}
