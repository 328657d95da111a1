package dev.openplus.webhook;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.openplus.change.ChangeFeed;
import dev.openplus.config.Config;
import dev.openplus.db.Database;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Delivers webhook subscriptions (docs/api.md "Webhooks", docs/decisions.md "Webhooks") on a few named threads of
 * the server. A thread claims one due subscription by leasing it in one statement ({@code for update skip locked}:
 * several instances on one database never deliver a subscription at once), reads up to {@link #BATCH} changes
 * after its cursor from the change feed with its scope and types, POSTs them signed, and then, in one statement
 * that checks the cursor has not moved, advances the cursor (2xx) or schedules the same page again with
 * exponential back-off and full jitter. No transaction is open during the HTTP call. A change is acknowledged only
 * by a 2xx to a request that held it, so a receiver gets every change at least once and in feed order.
 */
public final class WebhookDelivery implements AutoCloseable {
    static final int BATCH = 100;
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDelivery.class);
    private static final JsonFactory JSON = new JsonFactory();

    private final Database database;
    private final ChangeFeed feed;
    private final Config.Webhooks settings;
    private final WebhookUrls urls;
    private final ExecutorService httpExecutor;
    private final HttpClient http;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    private final MeterRegistry registry;
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final AtomicLong failing = new AtomicLong();
    private final AtomicLong failingRefreshedAt = new AtomicLong();
    private final Timer lag;

    private WebhookDelivery(Database database, ChangeFeed feed, Config.Webhooks settings, MeterRegistry registry) {
        this.database = database;
        this.feed = feed;
        this.settings = settings;
        this.urls = new WebhookUrls(settings);
        this.registry = registry;
        AtomicInteger httpThreads = new AtomicInteger();
        this.httpExecutor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "openplus-webhook-http-" + httpThreads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        // HTTP/1.1: a plain-http receiver is not offered an h2c upgrade; redirects are not followed (a 3xx is a
        // failure), so a receiver cannot send the server to an address the URL checks would refuse.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(settings.connectTimeout())
                .executor(httpExecutor).build();
        if (settings.threads() > 0) {
            // Refreshed by the delivery threads: an instance that delivers nothing has nothing to say.
            Gauge.builder("openplus.webhook.subscriptions.failing", failing, AtomicLong::get)
                    .description("Webhook subscriptions marked failing (retried past OPENPLUS_WEBHOOK_RETRY_FOR)")
                    .register(registry);
        }
        this.lag = Timer.builder("openplus.webhook.delivery.lag")
                .description("From a delivered batch's oldest change to the receiver's 2xx").register(registry);
    }

    /** The delivery threads of this server ({@code OPENPLUS_WEBHOOK_THREADS}; none when 0). */
    public static WebhookDelivery start(Database database, ChangeFeed feed, Config.Webhooks settings,
            MeterRegistry registry) {
        WebhookDelivery delivery = new WebhookDelivery(database, feed, settings, registry);
        for (int i = 1; i <= settings.threads(); i++) {
            Thread thread = new Thread(delivery::run, "openplus-webhook-" + i);
            thread.setDaemon(true);
            delivery.threads.add(thread);
        }
        delivery.threads.forEach(Thread::start);
        return delivery;
    }

    private void run() {
        while (running) {
            boolean delivered = false;
            try {
                refreshFailing();
                delivered = deliverOne();
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warn("webhook delivery: {}", e.toString());
                }
            }
            if (!delivered) {
                try {
                    Thread.sleep(settings.pollInterval().toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** A leased subscription, as it was when claimed. */
    private record Claim(String id, String organizationId, String[] groups, String url, String[] types, String secret,
            ChangeFeed.Cursor cursor, ChangeFeed.Cursor pending, int failures) {
    }

    /** Claims a due subscription and attempts it; false when none was due. */
    boolean deliverOne() {
        Claim claim = claim();
        if (claim == null) {
            return false;
        }
        ChangeFeed.FeedPage page;
        try {
            page = database.transaction(dsl -> feed.page(dsl, scope(claim), claim.cursor(), BATCH,
                    claim.types() == null ? List.of() : List.of(claim.types())));
        } catch (ChangeFeed.CursorExpired e) {
            // Nothing after the cursor can be delivered without a gap: stop, and say why.
            database.dsl().update(WebhookSubscriptions.TABLE).set(WebhookSubscriptions.STATUS, "disabled")
                    .set(WebhookSubscriptions.LAST_ERROR, "the changes after this subscription's cursor are older than "
                            + "OPENPLUS_CHANGE_RETENTION and were pruned; resynchronise the receiver from the lists "
                            + "and create a new subscription")
                    .set(WebhookSubscriptions.LEASE_UNTIL, (OffsetDateTime) null)
                    .where(WebhookSubscriptions.ID.eq(claim.id())).execute();
            count("cursor_expired");
            return true;
        }
        List<ChangeFeed.Change> changes = page.changes();
        ChangeFeed.Cursor next = page.next();
        boolean more = changes.size() == BATCH;
        if (claim.pending() != null) {
            // A retry sends exactly the page that failed: the changes up to its end, all committed back then.
            changes = changes.stream().filter(change -> change.cursor().compareTo(claim.pending()) <= 0).toList();
            next = claim.pending();
            more = true;
        }
        if (changes.isEmpty()) {
            finish(claim, success(next, false));
            return true;
        }
        String deliveryId = UUID.randomUUID().toString();
        byte[] body = document(claim, changes, next, deliveryId);
        Attempt attempt = post(claim, body, deliveryId);
        count(attempt.outcome());
        if (attempt.outcome().equals("delivered")) {
            OffsetDateTime oldest = changes.stream().map(ChangeFeed.Change::changedAt).min(OffsetDateTime::compareTo)
                    .orElseThrow();
            lag.record(Duration.ofMillis(Math.max(0, Duration.between(oldest.toInstant(), Instant.now()).toMillis())));
            finish(claim, success(next, more));
        } else {
            finish(claim, failure(claim, next, attempt.error()));
        }
        return true;
    }

    private Claim claim() {
        long leaseMillis = settings.connectTimeout().plus(settings.answerTimeout()).plusSeconds(30).toMillis();
        var due = DSL.select(WebhookSubscriptions.ID).from(WebhookSubscriptions.TABLE)
                .where(WebhookSubscriptions.STATUS.ne("disabled"))
                .and(WebhookSubscriptions.NEXT_ATTEMPT_AT.le(DSL.currentOffsetDateTime()))
                .and(WebhookSubscriptions.LEASE_UNTIL.isNull()
                        .or(WebhookSubscriptions.LEASE_UNTIL.lt(DSL.currentOffsetDateTime())))
                .orderBy(WebhookSubscriptions.NEXT_ATTEMPT_AT).limit(1).forUpdate().skipLocked();
        var row = database.dsl().update(WebhookSubscriptions.TABLE)
                .set(WebhookSubscriptions.LEASE_UNTIL, later(leaseMillis))
                .where(WebhookSubscriptions.ID.eq(DSL.field(due)))
                .returningResult(WebhookSubscriptions.ID, WebhookSubscriptions.ORGANIZATION_ID,
                        WebhookSubscriptions.GROUP_IDS, WebhookSubscriptions.URL, WebhookSubscriptions.RESOURCE_TYPES,
                        WebhookSubscriptions.SECRET, WebhookSubscriptions.CURSOR_POSITION, WebhookSubscriptions.CURSOR_ID,
                        WebhookSubscriptions.PENDING_POSITION, WebhookSubscriptions.PENDING_ID,
                        WebhookSubscriptions.FAILURES)
                .fetchOne();
        if (row == null) {
            return null;
        }
        return new Claim(row.value1(), row.value2(), row.value3(), row.value4(), row.value5(), row.value6(),
                new ChangeFeed.Cursor(row.value7(), row.value8()),
                row.value9() == null ? null : new ChangeFeed.Cursor(row.value9(), row.value10()), row.value11());
    }

    private static ChangeFeed.Scope scope(Claim claim) {
        return new ChangeFeed.Scope(claim.organizationId(), claim.groups() == null ? null : Set.of(claim.groups()));
    }

    /** {@code meta}: the subscription, this attempt, and the feed cursor after the batch; {@code data}: the changes. */
    private byte[] document(Claim claim, List<ChangeFeed.Change> changes, ChangeFeed.Cursor next, String deliveryId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeObjectFieldStart("meta");
            json.writeStringField("webhook_id", claim.id());
            json.writeStringField("delivery_id", deliveryId);
            json.writeStringField("cursor", next.encode());
            json.writeEndObject();
            json.writeFieldName("data");
            feed.writeChanges(json, changes);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private record Attempt(String outcome, String error) {
    }

    private Attempt post(Claim claim, byte[] body, String deliveryId) {
        URI uri;
        try {
            uri = urls.check(claim.url());
        } catch (WebhookUrls.Refused e) {
            return new Attempt("refused", e.getMessage());
        }
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(settings.answerTimeout())
                .header("Content-Type", "application/vnd.api+json")
                .header("User-Agent", "OpenPlus-Webhook")
                .header(WebhookSignature.HEADER, WebhookSignature.header(claim.secret(),
                        Instant.now().getEpochSecond(), body))
                .header("OpenPlus-Delivery", deliveryId)
                .header("OpenPlus-Webhook", claim.id())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        var answer = http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        try {
            // The request's own timeout bounds the wait for the answer's head; this one its body too.
            HttpResponse<Void> response = answer.get(settings.connectTimeout().plus(settings.answerTimeout())
                    .toMillis(), TimeUnit.MILLISECONDS);
            int status = response.statusCode();
            return status >= 200 && status < 300 ? new Attempt("delivered", null)
                    : new Attempt("http_error", "the receiver answered " + status);
        } catch (TimeoutException e) {
            answer.cancel(true);
            return new Attempt("timeout", "no answer within " + settings.answerTimeout().toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                return new Attempt("timeout", cause instanceof java.net.http.HttpConnectTimeoutException
                        ? "no connection within " + settings.connectTimeout().toMillis() + " ms"
                        : "no answer within " + settings.answerTimeout().toMillis() + " ms");
            }
            return new Attempt("connection_error", "could not deliver: " + cause);
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("stopped while delivering", e);
        }
    }

    /** The columns an attempt sets, and the condition that the cursor did not move since the claim. */
    private void finish(Claim claim, Map<Field<?>, Object> values) {
        values.put(WebhookSubscriptions.LEASE_UNTIL, null);
        int updated = database.dsl().update(WebhookSubscriptions.TABLE).set(values)
                .where(WebhookSubscriptions.ID.eq(claim.id()))
                .and(WebhookSubscriptions.CURSOR_POSITION.eq(claim.cursor().position()))
                .and(WebhookSubscriptions.CURSOR_ID.eq(claim.cursor().id()))
                .execute();
        if (updated == 0) {
            // Another instance took it over after this lease ran out: its outcome stands, this one is dropped.
            LOG.info("webhook {}: its cursor moved during this attempt; the attempt's outcome was not recorded",
                    claim.id());
        }
    }

    private Map<Field<?>, Object> success(ChangeFeed.Cursor next, boolean more) {
        Map<Field<?>, Object> values = new java.util.LinkedHashMap<>();
        values.put(WebhookSubscriptions.CURSOR_POSITION, next.position());
        values.put(WebhookSubscriptions.CURSOR_ID, next.id());
        values.put(WebhookSubscriptions.PENDING_POSITION, null);
        values.put(WebhookSubscriptions.PENDING_ID, null);
        values.put(WebhookSubscriptions.FAILURES, 0);
        values.put(WebhookSubscriptions.FAILING_SINCE, null);
        values.put(WebhookSubscriptions.LAST_ERROR, null);
        values.put(WebhookSubscriptions.STATUS, DSL.when(WebhookSubscriptions.STATUS.eq("failing"), DSL.inline("active"))
                .otherwise(WebhookSubscriptions.STATUS));
        values.put(WebhookSubscriptions.NEXT_ATTEMPT_AT, more ? DSL.currentOffsetDateTime()
                : later(settings.pollInterval().toMillis()));
        return values;
    }

    private Map<Field<?>, Object> failure(Claim claim, ChangeFeed.Cursor pageEnd, String error) {
        Map<Field<?>, Object> values = new java.util.LinkedHashMap<>();
        values.put(WebhookSubscriptions.PENDING_POSITION, pageEnd.position());
        values.put(WebhookSubscriptions.PENDING_ID, pageEnd.id());
        values.put(WebhookSubscriptions.FAILURES, WebhookSubscriptions.FAILURES.plus(1));
        Field<OffsetDateTime> since = DSL.coalesce(WebhookSubscriptions.FAILING_SINCE, DSL.currentOffsetDateTime());
        values.put(WebhookSubscriptions.FAILING_SINCE, since);
        values.put(WebhookSubscriptions.LAST_ERROR, error);
        // Past the retry horizon it is marked failing, and still retried (at the cap) so that it recovers by itself.
        values.put(WebhookSubscriptions.STATUS, DSL.when(WebhookSubscriptions.STATUS.eq("active")
                        .and(since.le(later(-settings.retryFor().toMillis()))), DSL.inline("failing"))
                .otherwise(WebhookSubscriptions.STATUS));
        values.put(WebhookSubscriptions.NEXT_ATTEMPT_AT, later(backOff(claim.failures() + 1).toMillis()));
        return values;
    }

    /** Full jitter: uniform between 0 and the base doubled per consecutive failure, at most the cap. */
    Duration backOff(int failures) {
        long base = settings.backoffBase().toMillis();
        long cap = settings.backoffCap().toMillis();
        long ceiling = failures > 40 ? cap : Math.min(cap, base << Math.max(0, failures - 1));
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1));
    }

    private static Field<OffsetDateTime> later(long millis) {
        return DSL.field("now() + {0} * interval '1 millisecond'", SQLDataType.TIMESTAMPWITHTIMEZONE,
                DSL.val(millis));
    }

    private void count(String outcome) {
        outcomes.computeIfAbsent(outcome, name -> Counter.builder("openplus.webhook.deliveries").tag("outcome", name)
                .description("Webhook delivery attempts by outcome").register(registry)).increment();
    }

    /** The failing gauge, read from the table by one of the threads every 5 s (or 10 polls, when shorter). */
    private void refreshFailing() {
        long now = System.nanoTime();
        long last = failingRefreshedAt.get();
        long every = Math.min(Duration.ofSeconds(5).toNanos(), 10 * settings.pollInterval().toNanos());
        if (last != 0 && now - last < every || !failingRefreshedAt.compareAndSet(last, now)) {
            return;
        }
        failing.set(database.dsl().fetchCount(WebhookSubscriptions.TABLE, WebhookSubscriptions.STATUS.eq("failing")));
    }

    @Override
    public void close() {
        running = false;
        threads.forEach(Thread::interrupt);
        for (Thread thread : threads) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        httpExecutor.shutdownNow();
    }
}
