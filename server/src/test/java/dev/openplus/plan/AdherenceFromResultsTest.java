package dev.openplus.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.openplus.support.Api;
import dev.openplus.support.CarePlans;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * Adherence is computed from an action's results, with arithmetic over the scheduled days (V13), instead of
 * listing every day since the action started (V6). The answers must not change: they are compared with V6's own
 * functions, read from its migration, on a mix of time zones, schedules, ended and future actions, skipped
 * results and results of today. And the work must not grow with the days or with the actions: a plan's adherence
 * takes all its actions in one query, which reads their results and lists no days.
 */
class AdherenceFromResultsTest {
    private static final DateTimeFormatter WIRE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();
    static TestServer server;
    static Api api;
    static CarePlans plans;
    static Fixtures.Tenant tenant;
    static String group;

    @BeforeAll
    static void setUp() throws IOException {
        server = TestServer.get();
        api = server.api();
        Fixtures fixtures = new Fixtures(server);
        plans = new CarePlans(api);
        tenant = fixtures.tenant("Adherence From Results Org");
        group = fixtures.group(tenant.organizationId(), "Adherence");
        installV6Definitions(server.database.dsl());
    }

    /**
     * V6's action_adherence and plan_adherence, exactly as that migration defines them, as v6_action_adherence and
     * v6_plan_adherence (the reference the new functions must agree with).
     */
    private static void installV6Definitions(DSLContext dsl) throws IOException {
        String v6;
        try (InputStream in = AdherenceFromResultsTest.class.getResourceAsStream(
                "/db/migration/V6__care_plans_and_metrics.sql")) {
            v6 = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher functions = Pattern.compile("create function (action_adherence|plan_adherence)\\(.*?\\n\\$\\$;",
                Pattern.DOTALL).matcher(v6);
        int found = 0;
        while (functions.find()) {
            dsl.execute(functions.group().replace("create function", "create or replace function")
                    .replace("action_adherence(", "v6_action_adherence(").replace("plan_adherence(", "v6_plan_adherence("));
            found++;
        }
        assertThat(found).as("V6 defines both functions").isEqualTo(2);
    }

    private static String plan(String timeZone) {
        String plan = plans.planOf(tenant.token(), plans.patient(tenant.token(), group));
        Api.Response patched = api.send("PATCH", "/pub/patient_plan_summary/" + plan, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient_plan_summary", "attributes", Map.of("time_zone", timeZone)))),
                List.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        return plan;
    }

    private static JsonNode v6(String function, String id) {
        try {
            return JSON.readTree(server.database.dsl().fetchValue("select " + function + "(?)::text", id).toString());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void eachActionAndThePlanAnswerWhatV6Answered() {
        Random random = new Random(20241205);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<String> planIds = List.of(plan("America/New_York"), plan("Pacific/Kiritimati"), plan("Pacific/Pago_Pago"));
        Map<String, List<String>> actionsOf = new LinkedHashMap<>();
        for (String planId : planIds) {
            List<String> actions = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Map<String, Object> attributes = new HashMap<>();
                attributes.put("type", "sleep");
                Instant from = now.minus(random.nextInt(40 * 24) + (i == 5 ? -50 : 0), ChronoUnit.HOURS);
                attributes.put("effective_from", WIRE.format(from));
                if (i % 3 == 2) {
                    attributes.put("effective_to", WIRE.format(from.plus(random.nextInt(30 * 24), ChronoUnit.HOURS)));
                }
                if (i % 2 == 1) {
                    List<Integer> days = new ArrayList<>();
                    for (int day = 0; day < 7; day++) {
                        if (random.nextInt(3) == 0) {
                            days.add(day);
                        }
                    }
                    attributes.put("frequency_goal", Map.of("weeks", Map.of("days", days)));
                }
                String action = plans.createAction(tenant.token(), planId, attributes);
                actions.add(action);
                // Mostly recent results (a streak), some skipped, some older, some before the action started.
                for (int r = 0; r < 5; r++) {
                    Instant at = now.minus(random.nextInt(r < 3 ? 5 * 24 : 45 * 24), ChronoUnit.HOURS)
                            .minus(random.nextInt(3600), ChronoUnit.SECONDS);
                    record(action, at, random.nextInt(8) == 0);
                }
                if (i % 2 == 0) {
                    record(action, now, false);
                }
            }
            actionsOf.put(planId, actions);
        }

        int withStreak = 0;
        int scheduledAndComplete = 0;
        for (Map.Entry<String, List<String>> plan : actionsOf.entrySet()) {
            Api.Response summary = api.get("/pub/patient_plan_summary/" + plan.getKey() + "?include=actions",
                    tenant.token());
            assertThat(summary.status()).as(summary.body()).isEqualTo(200);
            assertThat(summary.at("/data/attributes/adherence")).as("plan " + plan.getKey())
                    .isEqualTo(v6("v6_plan_adherence", plan.getKey()));
            Map<String, JsonNode> included = new HashMap<>();
            summary.json().path("included").forEach(action -> included.put(action.path("id").asText(),
                    action.at("/attributes/adherence")));
            assertThat(included.keySet()).containsExactlyInAnyOrderElementsOf(plan.getValue());
            for (String action : plan.getValue()) {
                JsonNode own = api.get("/pub/action/" + action, tenant.token()).at("/data/attributes/adherence");
                assertThat(own).as("action " + action).isEqualTo(v6("v6_action_adherence", action));
                assertThat(included.get(action)).as("included action " + action).isEqualTo(own);
                withStreak += own.at("/streak/count").asInt() > 0 ? 1 : 0;
                boolean scheduled = !api.get("/pub/action/" + action, tenant.token())
                        .at("/data/attributes/frequency_goal/weeks/days").isMissingNode();
                scheduledAndComplete += scheduled && own.get("complete").asInt() > 0 ? 1 : 0;
            }
        }
        assertThat(withStreak).as("the mix holds streaks").isGreaterThanOrEqualTo(4);
        assertThat(scheduledAndComplete).as("and scheduled actions with complete days").isGreaterThanOrEqualTo(2);
    }

    /**
     * Included actions take their adherence from one call of actions_adherence for all of them: with the per-row
     * function made to fail, the summary still answers, with the values it gave before.
     */
    @Test
    void includedActionsTakeTheirAdherenceInOneCallForAllOfThem() {
        String planId = plan("Europe/Berlin");
        for (int i = 0; i < 3; i++) {
            String action = plans.createAction(tenant.token(), planId, Map.of("type", "sleep", "title", "Set " + i,
                    "effective_from", WIRE.format(Instant.now().minus(10 + i, ChronoUnit.DAYS))));
            record(action, Instant.now().minus(i, ChronoUnit.DAYS), false);
        }
        String path = "/pub/patient_plan_summary/" + planId + "?include=actions";
        Api.Response before = api.get(path, tenant.token());
        assertThat(before.status()).as(before.body()).isEqualTo(200);
        assertThat(before.json().path("included")).hasSize(3);
        assertThat(before.json().path("included").get(0).at("/attributes/adherence/complete").asInt()).isPositive();

        DSLContext dsl = server.database.dsl();
        dsl.execute("create or replace function action_adherence(p_action char(24)) returns jsonb"
                + " language plpgsql stable as $$ begin raise exception 'adherence computed per row'; end $$");
        try {
            Api.Response after = api.get(path, tenant.token());
            assertThat(after.status()).as(after.body()).isEqualTo(200);
            assertThat(after.json().path("included")).isEqualTo(before.json().path("included"));
        } finally {
            dsl.execute("create or replace function action_adherence(p_action char(24)) returns jsonb"
                    + " language sql stable as $$ select adherence from actions_adherence(array[p_action]) $$");
        }
    }

    private static void record(String action, Instant at, boolean skipped) {
        Api.Response response = plans.result(tenant.token(), action, Map.of("occurred_at", WIRE.format(at),
                "skipped", skipped));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
    }

    @Test
    void aPlanOfManyOldActionsTakesThemInOneQueryOverResultsNotDays() {
        String planId = plan("America/New_York");
        List<String> actions = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            actions.add(plans.createAction(tenant.token(), planId, Map.of("type", "sleep", "title", "Old " + i,
                    "effective_from", "2024-01-01T00:00:00Z")));
        }
        for (int i = 0; i < 3; i++) {
            record(actions.get(i), Instant.now().minus(i, ChronoUnit.DAYS), false);
        }
        Api.Response summary = api.get("/pub/patient_plan_summary/" + planId + "?include=actions", tenant.token());
        assertThat(summary.at("/data/attributes/adherence")).isEqualTo(v6("v6_plan_adherence", planId));
        assertThat(summary.at("/data/attributes/adherence/due").asInt()).as("every day since 2024 for each action")
                .isGreaterThan(20 * 700);

        DSLContext dsl = server.database.dsl();
        dsl.transaction(configuration -> {
            DSLContext tx = org.jooq.impl.DSL.using(configuration);
            tx.execute("set local track_functions = 'all'");
            tx.fetchValue("select plan_adherence(?)::text", planId);
            long perAction = ((Number) tx.fetchValue("select coalesce(pg_stat_get_xact_function_calls("
                    + "'action_adherence(char)'::regprocedure), 0)")).longValue();
            assertThat(perAction).as("the plan's adherence does not run a query per action").isZero();
        });

        // The function inlined into the statement, so that EXPLAIN shows its steps: none lists days.
        String plan = String.join("\n", dsl.fetch("explain (analyze, costs off, timing off, summary off)"
                + " select * from actions_adherence('{" + String.join(",", actions) + "}'::char(24)[])")
                .getValues(0, String.class));
        assertThat(plan).contains("on result").doesNotContain("generate_series");
    }
}
