package dev.openplus.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.support.Api;
import dev.openplus.support.CarePlans;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * Adherence is computed from results in the plan's time zone: which local day a result falls on decides due,
 * complete and the streak; checked across New York's DST change (2024-03-10) and a zone fourteen hours ahead.
 */
class AdherenceTest {
    private static final DateTimeFormatter WIRE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    static Api api;
    static CarePlans plans;
    static Fixtures.Tenant tenant;
    static String group;

    @BeforeAll
    static void setUp() {
        TestServer server = TestServer.get();
        api = server.api();
        Fixtures fixtures = new Fixtures(server);
        plans = new CarePlans(api);
        tenant = fixtures.tenant("Adherence Org");
        group = fixtures.group(tenant.organizationId(), "Adherence");
    }

    private static String planIn(String timeZone) {
        String plan = plans.planOf(tenant.token(), plans.patient(tenant.token(), group));
        setZone(plan, timeZone);
        return plan;
    }

    private static void setZone(String plan, String timeZone) {
        Api.Response patched = api.send("PATCH", "/pub/patient_plan_summary/" + plan, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient_plan_summary", "attributes", Map.of("time_zone", timeZone)))),
                List.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
    }

    private static void record(String action, String occurredAt, boolean skipped) {
        Api.Response response = plans.result(tenant.token(), action, Map.of("occurred_at", occurredAt, "skipped", skipped));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
    }

    private static JsonNode adherence(String action) {
        return api.get("/pub/action/" + action, tenant.token()).at("/data/attributes/adherence");
    }

    @Test
    void newYorkAcrossTheDstChangeAndTheSameResultsInUtc() {
        String plan = planIn("America/New_York");
        // 12:00 local on Friday 2024-03-08 (EST) through 12:00 local on Tuesday 2024-03-12 (EDT): five local days.
        String action = plans.createAction(tenant.token(), plan, Map.of("type", "sleep", "title", "Sleep 8h",
                "effective_from", "2024-03-08T17:00:00Z", "effective_to", "2024-03-12T16:00:00Z"));
        record(action, "2024-03-08T15:00:00Z", false); // 10:00 EST on the 8th
        record(action, "2024-03-08T20:00:00Z", false); // a second result the same day counts once
        record(action, "2024-03-10T04:30:00Z", false); // 23:30 EST on the 9th (04:30 UTC on the 10th)
        record(action, "2024-03-11T03:30:00Z", false); // 23:30 EDT on the 10th, the 23-hour day
        record(action, "2024-03-11T14:00:00Z", true);  // skipped: the 11th stays incomplete
        record(action, "2024-03-12T12:00:00Z", false); // 08:00 EDT on the 12th
        JsonNode newYork = adherence(action);
        assertThat(newYork.get("due").asInt()).isEqualTo(5);
        assertThat(newYork.get("complete").asInt()).as("8th, 9th, 10th, 12th").isEqualTo(4);
        assertThat(newYork.at("/streak/count").asInt()).as("the 11th was missed").isEqualTo(1);
        assertThat(newYork.at("/streak/updated_at").asText()).isEqualTo("2024-03-12T12:00:00.000Z");

        setZone(plan, "UTC");
        JsonNode utc = adherence(action);
        assertThat(utc.get("due").asInt()).isEqualTo(5);
        assertThat(utc.get("complete").asInt()).as("8th, 10th, 11th, 12th").isEqualTo(4);
        assertThat(utc.at("/streak/count").asInt()).as("the 9th was missed").isEqualTo(3);
        assertThat(utc.at("/streak/updated_at").asText()).isEqualTo("2024-03-12T12:00:00.000Z");
    }

    @Test
    void scheduledWeekdaysInAZoneFourteenHoursAheadOfUtc() {
        String plan = planIn("Pacific/Kiritimati");
        // Monday 2024-03-04 00:00 local through Tuesday 2024-03-12 00:00 local; scheduled on Mondays only.
        Api.Response created = api.post("/pub/action", tenant.token(), Api.json(Map.of("data", CarePlans.action(plan,
                Map.of("type", "medication", "title", "Weekly shot", "effective_from", "2024-03-03T10:00:00Z",
                        "effective_to", "2024-03-11T10:00:00Z",
                        "frequency_goal", Map.of("weeks", Map.of("days", List.of(1))))))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.at("/data/attributes/frequency_goal_prorated").asInt()).as("the Monday itself").isEqualTo(1);
        String action = created.at("/data/id").asText();
        record(action, "2024-03-10T11:00:00Z", false); // 01:00 on Monday the 11th locally, a Sunday in UTC
        JsonNode kiritimati = adherence(action);
        assertThat(kiritimati.get("due").asInt()).as("Mondays 4th and 11th").isEqualTo(2);
        assertThat(kiritimati.get("complete").asInt()).isEqualTo(1);
        assertThat(kiritimati.at("/streak/count").asInt()).isEqualTo(1);
        setZone(plan, "UTC");
        JsonNode utc = adherence(action);
        assertThat(utc.get("due").asInt()).as("Mondays 4th and 11th in UTC too")
                .isEqualTo(2);
        assertThat(utc.get("complete").asInt()).as("the result fell on a Sunday").isZero();
        assertThat(utc.at("/streak/count").asInt()).isZero();
        assertThat(utc.at("/streak").has("updated_at")).isFalse();
    }

    @Test
    void metricResultsCountForTheirTrackingAction() {
        String plan = planIn("America/New_York");
        String patient = api.get("/pub/patient_plan_summary/" + plan, tenant.token()).at("/data/relationships/patient/data/id")
                .asText();
        String action = plans.createAction(tenant.token(), plan, Map.of("effective_from", "2024-03-09T17:00:00Z",
                "effective_to", "2024-03-10T17:00:00Z"));
        Api.Response metric = api.post("/pub/patient_health_metric", tenant.token(), Api.json(Map.of("data",
                List.of(CarePlans.metric(patient, "weight", 180, "2024-03-10T03:00:00Z")))));
        assertThat(metric.status()).as(metric.body()).isEqualTo(200);
        JsonNode adherence = adherence(action);
        assertThat(adherence.get("due").asInt()).isEqualTo(2);
        assertThat(adherence.get("complete").asInt()).as("22:00 EST on the 9th").isEqualTo(1);
        assertThat(adherence.at("/streak/count").asInt()).isZero();
    }

    @Test
    void thePlanSumsItsActiveActionsAndTodayNotYetDoneKeepsTheStreak() {
        String plan = planIn("UTC");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String ended = plans.createAction(tenant.token(), plan, Map.of("type", "sleep", "effective_from",
                "2024-03-01T00:00:00Z", "effective_to", "2024-03-03T00:00:00Z"));
        record(ended, "2024-03-01T10:00:00Z", false);
        String active = plans.createAction(tenant.token(), plan, Map.of("type", "nutrition",
                "effective_from", WIRE.format(now.minus(2, ChronoUnit.DAYS))));
        record(active, WIRE.format(now.minus(2, ChronoUnit.DAYS)), false);
        Instant yesterday = now.minus(1, ChronoUnit.DAYS);
        record(active, WIRE.format(yesterday), false);
        JsonNode action = adherence(active);
        assertThat(action.get("due").asInt()).as("two days ago, yesterday, today").isEqualTo(3);
        assertThat(action.get("complete").asInt()).isEqualTo(2);
        assertThat(action.at("/streak/count").asInt()).as("today is not over yet").isEqualTo(2);
        assertThat(action.at("/streak/updated_at").asText()).isEqualTo(WIRE.format(yesterday));
        JsonNode summary = api.get("/pub/patient_plan_summary/" + plan, tenant.token()).at("/data/attributes/adherence");
        assertThat(summary.get("due").asInt()).as("the ended action does not count").isEqualTo(3);
        assertThat(summary.get("complete").asInt()).isEqualTo(2);
        assertThat(summary.at("/streak/count").asInt()).isEqualTo(2);
        assertThat(adherence(ended).get("complete").asInt()).isEqualTo(1);

        record(active, WIRE.format(now), false);
        JsonNode done = adherence(active);
        assertThat(done.get("complete").asInt()).isEqualTo(3);
        assertThat(done.at("/streak/count").asInt()).isEqualTo(3);
        assertThat(done.at("/streak/updated_at").asText()).isEqualTo(WIRE.format(now));
    }
}
