package dev.openplus.webhook;

import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import dev.openplus.change.ChangeFeed;
import dev.openplus.db.Ids;

/** The webhook_subscription table (V18): creating, listing, disabling and enabling subscriptions. */
public final class WebhookSubscriptions {
    static final Table<Record> TABLE = DSL.table(DSL.name("webhook_subscription"));
    static final Field<String> ID = DSL.field(DSL.name("id"), SQLDataType.CHAR(24));
    static final Field<String> ORGANIZATION_ID = DSL.field(DSL.name("organization_id"), SQLDataType.CHAR(24));
    static final Field<String[]> GROUP_IDS = DSL.field(DSL.name("group_ids"), SQLDataType.CHAR(24).array());
    static final Field<String> URL = DSL.field(DSL.name("url"), SQLDataType.CLOB);
    static final Field<String[]> RESOURCE_TYPES = DSL.field(DSL.name("resource_types"), SQLDataType.CLOB.array());
    static final Field<String> SECRET = DSL.field(DSL.name("secret"), SQLDataType.CLOB);
    static final Field<String> STATUS = DSL.field(DSL.name("status"), SQLDataType.CLOB);
    static final Field<Long> CURSOR_POSITION = DSL.field(DSL.name("cursor_position"), SQLDataType.BIGINT);
    static final Field<Long> CURSOR_ID = DSL.field(DSL.name("cursor_id"), SQLDataType.BIGINT);
    static final Field<Long> PENDING_POSITION = DSL.field(DSL.name("pending_position"), SQLDataType.BIGINT);
    static final Field<Long> PENDING_ID = DSL.field(DSL.name("pending_id"), SQLDataType.BIGINT);
    static final Field<Integer> FAILURES = DSL.field(DSL.name("consecutive_failures"), SQLDataType.INTEGER);
    static final Field<OffsetDateTime> FAILING_SINCE = DSL.field(DSL.name("failing_since"),
            SQLDataType.TIMESTAMPWITHTIMEZONE);
    static final Field<OffsetDateTime> NEXT_ATTEMPT_AT = DSL.field(DSL.name("next_attempt_at"),
            SQLDataType.TIMESTAMPWITHTIMEZONE);
    static final Field<OffsetDateTime> LEASE_UNTIL = DSL.field(DSL.name("lease_until"),
            SQLDataType.TIMESTAMPWITHTIMEZONE);
    static final Field<String> LAST_ERROR = DSL.field(DSL.name("last_error"), SQLDataType.CLOB);
    static final Field<OffsetDateTime> CREATED_AT = DSL.field(DSL.name("created_at"),
            SQLDataType.TIMESTAMPWITHTIMEZONE);
    private static final Table<Record> GROUP_TABLE = DSL.table(DSL.name("patient_group"));
    private static final Field<String> GROUP_ID = DSL.field(DSL.name("patient_group", "id"), SQLDataType.CHAR(24));
    private static final Field<String> GROUP_ORGANIZATION = DSL.field(DSL.name("patient_group", "organization_id"),
            SQLDataType.CHAR(24));
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSubscriptions() {
    }

    /** An operator mistake (unknown group or type, a refused URL): the subscription is not created. */
    public static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /** A subscription as an operator lists it (never its secret). */
    public record Subscription(String id, String organizationId, List<String> groups, String url, List<String> types,
            String status, int consecutiveFailures, OffsetDateTime failingSince, OffsetDateTime nextAttemptAt,
            String lastError, OffsetDateTime createdAt) {
    }

    /** The new subscription's id and its signing secret (shown once). */
    public record Created(String id, String secret) {
    }

    /**
     * Creates an active subscription of the organization (groups not empty: of these groups of it) to the URL,
     * for the given resource types (empty: all). It starts at the feed's end (changes committed from now on), or at
     * its beginning (every change still retained) when {@code fromStart}.
     */
    public static Created create(DSLContext dsl, WebhookUrls urls, List<String> feedTypes, String organizationId,
            List<String> groups, String url, List<String> types, boolean fromStart) {
        for (String type : types) {
            if (!feedTypes.contains(type)) {
                throw new Invalid("'" + type + "' is not a resource type of the change feed (" + String.join(", ",
                        feedTypes) + ")");
            }
        }
        Set<String> groupSet = new LinkedHashSet<>(groups);
        if (!groupSet.isEmpty() && dsl.fetchCount(GROUP_TABLE, GROUP_ID.in(groupSet)
                .and(GROUP_ORGANIZATION.eq(organizationId))) != groupSet.size()) {
            throw new Invalid("every group must belong to organization " + organizationId);
        }
        try {
            urls.check(url);
        } catch (WebhookUrls.Refused e) {
            throw new Invalid(e.getMessage());
        }
        ChangeFeed.Cursor start = fromStart ? ChangeFeed.Cursor.START : ChangeFeed.end(dsl, organizationId);
        String id = Ids.newId();
        String secret = newSecret();
        dsl.insertInto(TABLE)
                .set(ID, id)
                .set(ORGANIZATION_ID, organizationId)
                .set(GROUP_IDS, groupSet.isEmpty() ? null : groupSet.toArray(String[]::new))
                .set(URL, url)
                .set(RESOURCE_TYPES, types.isEmpty() ? null : new LinkedHashSet<>(types).toArray(String[]::new))
                .set(SECRET, secret)
                .set(CURSOR_POSITION, start.position())
                .set(CURSOR_ID, start.id())
                .execute();
        return new Created(id, secret);
    }

    /** Every subscription, or an organization's, oldest first. */
    public static List<Subscription> list(DSLContext dsl, String organizationId) {
        return dsl.select(ID, ORGANIZATION_ID, GROUP_IDS, URL, RESOURCE_TYPES, STATUS, FAILURES, FAILING_SINCE,
                        NEXT_ATTEMPT_AT, LAST_ERROR, CREATED_AT)
                .from(TABLE)
                .where(organizationId == null ? DSL.noCondition() : ORGANIZATION_ID.eq(organizationId))
                .orderBy(CREATED_AT, ID)
                .fetch(r -> new Subscription(r.value1(), r.value2(), r.value3() == null ? List.of() : List.of(r.value3()),
                        r.value4(), r.value5() == null ? List.of() : List.of(r.value5()), r.value6(), r.value7(),
                        r.value8(), r.value9(), r.value10(), r.value11()));
    }

    /** Stops deliveries (the cursor is kept). False when there is no such subscription. */
    public static boolean disable(DSLContext dsl, String id) {
        return dsl.update(TABLE).set(STATUS, "disabled").where(ID.eq(id)).execute() > 0;
    }

    /** Delivers again from where it stopped, at once, with the failures forgotten. False when there is none. */
    public static boolean enable(DSLContext dsl, String id) {
        return dsl.update(TABLE).set(STATUS, "active").set(FAILURES, 0).set(FAILING_SINCE, (OffsetDateTime) null)
                .set(LAST_ERROR, (String) null).set(NEXT_ATTEMPT_AT, DSL.currentOffsetDateTime())
                .where(ID.eq(id)).execute() > 0;
    }

    /** 32 random bytes, base64url: what the receiver keys its HMAC with. */
    private static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
