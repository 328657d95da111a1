package dev.openplus.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * Every bad input gets the right 4xx with its code and source, never a 5xx, and changes nothing. Table-driven:
 * a new endpoint joins by adding a {@link Write} or a {@link Collection} row.
 */
class MalformedInputTest {
    static TestServer server;
    static Api api;
    static Fixtures.Tenant tenant;
    static String group;
    static String patient;
    static String event;
    static String attendee;
    static String program;
    static String activation;
    static String reward;
    static String earning;
    static String plan;
    static String action;
    static String lifestyle;
    static String bundle;
    static String email;
    static String coach;

    /** A write endpoint and a valid resource object for it, which the cases spoil one way each. */
    record Write(String name, String method, String path, String type, Map<String, Object> valid,
            Map<String, Object> wrongTypes, Map<String, Object> invalidValues, List<String> required, String stringAttribute) {
    }

    /** A collection endpoint with the filters it requires, its resource type, and its largest page[size]. */
    record Collection(String path, String type, boolean dateFilters, int maxPageSize) {
        Collection(String path, String type, boolean dateFilters) {
            this(path, type, dateFilters, 50);
        }
    }

    @BeforeAll
    static void setUp() {
        server = TestServer.get();
        api = server.api();
        Fixtures fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Malformed Input Org");
        group = fixtures.group(tenant.organizationId(), "Robust");
        coach = fixtures.coach(tenant.organizationId(), "Rob", "Coach", group);
        patient = api.post("/pub/patient", tenant.token(), Api.json(Map.of("data", Map.of("type", "patient",
                "attributes", Map.of("first_name", "Rob"),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group))))))))
                .at("/data/id").asText();
        Api.Response created = api.post("/pub/calendar_event", tenant.token(),
                Api.json(Map.of("data", validEvent())).replace("PATIENT", patient));
        event = created.at("/data/id").asText();
        attendee = created.at("/data/attributes/attendees/0/_id").asText();
        program = created("/pub/reward_program", Map.of("type", "reward_program", "attributes", Map.of("name", "Robust",
                "start_at", "2020-01-01T00:00:00Z", "end_at", "2099-01-01T00:00:00Z", "budget_value", 100,
                "fulfill_as_earned", true), "relationships", Map.of("group", one("group", group))));
        activation = created("/pub/reward_program_activation", Map.of("type", "reward_program_activation",
                "attributes", Map.of("activated_at", "2021-01-01T00:00:00Z"), "relationships",
                Map.of("reward_program", one("reward_program", program), "patient", one("patient", patient))));
        reward = created("/pub/reward", Map.of("type", "reward", "attributes", Map.of("description", "Robust",
                "allocated_value", 5, "allocated_at", "2021-01-02T00:00:00Z"),
                "relationships", Map.of("reward_program_activation", one("reward_program_activation", activation))));
        earning = created("/pub/reward_earning", Map.of("type", "reward_earning", "attributes", Map.of("earned_value", 5,
                "earned_at", "2021-01-03T00:00:00Z"), "relationships", Map.of("reward", one("reward", reward))));
        dev.openplus.support.CarePlans plans = new dev.openplus.support.CarePlans(api);
        plan = plans.planOf(tenant.token(), patient);
        action = plans.createAction(tenant.token(), plan, Map.of());
        lifestyle = plans.createAction(tenant.token(), plan, Map.of("type", "sleep"));
        bundle = api.post("/pub/bundle", tenant.token(), Api.json(Map.of("data", Map.of("type", "bundle",
                "attributes", Map.of("type", "weight", "title", "B", "effective_from", "2024-03-01T00:00:00Z"),
                "relationships", Map.of("plan", Map.of("data", Map.of("type", "patient_plan_summary", "id", plan)))))))
                .at("/data/id").asText();
        Api.Response recorded = api.post("/pub/email_history", tenant.token(), Api.json(Map.of("data", Map.of(
                "type", "email_history", "attributes", Map.of("email_address", "rob@example.com", "email_type", "invite",
                        "send_time", "2017-01-01T00:00:00Z"),
                "relationships", Map.of("receiver", Map.of("data", Map.of("type", "patient", "id", patient)))))));
        assertThat(recorded.status()).as(recorded.body()).isEqualTo(201);
        email = recorded.at("/data/id").asText();
    }

    static Map<String, Object> validEvent() {
        return Map.of("type", "calendar_event", "attributes", Map.of("type", "reminder", "all_day", true,
                        "start_at", "2024-05-06T00:00:00Z", "title", "Robust", "attendees", List.of(Map.of("user", "PATIENT"))),
                "relationships", Map.of("owner", Map.of("data", Map.of("type", "patient", "id", "PATIENT"))));
    }


    private static Map<String, Object> one(String type, String id) {
        return Map.of("data", Map.of("type", type, "id", id));
    }

    private static String created(String path, Map<String, Object> data) {
        Api.Response response = api.post(path, tenant.token(), Api.json(Map.of("data", data)));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.at("/data/id").asText();
    }


    static Map<String, Object> ordered(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }

    static List<Write> writes() {
        Map<String, Object> patientRelationships = Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", "GROUP"))));
        Map<String, Object> patientWrongTypes = new LinkedHashMap<>();
        patientWrongTypes.put("first_name", 1);
        patientWrongTypes.put("last_name", List.of());
        patientWrongTypes.put("email_address", false);
        patientWrongTypes.put("phone_numbers", "555");
        patientWrongTypes.put("addresses", Map.of());
        patientWrongTypes.put("identifiers", 3);
        patientWrongTypes.put("birth_date", 19440306);
        patientWrongTypes.put("gender", true);
        patientWrongTypes.put("note", Map.of());
        patientWrongTypes.put("archive_history", "archived");
        Map<String, Object> patientInvalid = new LinkedHashMap<>();
        patientInvalid.put("gender", "unknown");
        patientInvalid.put("birth_date", "1944-02-30");
        patientInvalid.put("email_address", "fiona-at-example");
        Map<String, Object> validEmail = Map.of("type", "email_history", "attributes", Map.of(
                "email_address", "rob@example.com", "email_type", "invite", "send_time", "2017-01-01T00:00:00Z"),
                "relationships", Map.of("receiver", Map.of("data", Map.of("type", "patient", "id", "PATIENT"))));
        Map<String, Object> emailWrongTypes = new LinkedHashMap<>();
        emailWrongTypes.put("email_address", 5);
        emailWrongTypes.put("email_type", true);
        emailWrongTypes.put("send_time", 1_500_000_000);
        emailWrongTypes.put("status_times", "open");
        Map<String, Object> validPatient = Map.of("type", "patient", "attributes", Map.of("first_name", "Ok"),
                "relationships", patientRelationships);
        Map<String, Object> eventWrongTypes = new LinkedHashMap<>();
        eventWrongTypes.put("type", 5);
        eventWrongTypes.put("time_zone", 1);
        eventWrongTypes.put("all_day", "yes");
        eventWrongTypes.put("start_at", 20240506);
        eventWrongTypes.put("end_at", true);
        eventWrongTypes.put("title", 7);
        eventWrongTypes.put("location", List.of());
        eventWrongTypes.put("description", Map.of());
        eventWrongTypes.put("attendees", "everyone");
        eventWrongTypes.put("completed_at", 1);
        eventWrongTypes.put("completed_by", 2);
        Map<String, Object> eventInvalid = new LinkedHashMap<>();
        eventInvalid.put("type", "party");
        eventInvalid.put("time_zone", "Mars/Olympus_Mons");
        eventInvalid.put("start_at", "2024-02-30T00:00:00Z");
        eventInvalid.put("completed_by", "someone");
        Map<String, Object> responseWrongTypes = new LinkedHashMap<>();
        responseWrongTypes.put("attendee", 5);
        responseWrongTypes.put("response_status", true);
        Map<String, Object> validResponse = Map.of("type", "calendar_event_response",
                "attributes", Map.of("attendee", "ATTENDEE", "response_status", "accepted"),
                "relationships", Map.of("user", Map.of("data", Map.of("type", "user", "id", "PATIENT")),
                        "calendar_event", Map.of("data", Map.of("type", "calendar_event", "id", "EVENT"))));
        return List.of(
                new Write("create group", "POST", "/pub/group", "group",
                        Map.of("type", "group", "attributes", Map.of("name", "Fine")),
                        Map.of("name", 5, "bio", List.of(1)), Map.of(), List.of("name"), "name"),
                new Write("create patient", "POST", "/pub/patient", "patient", validPatient, patientWrongTypes,
                        patientInvalid, List.of(), "first_name"),
                new Write("update patient", "PATCH", "/pub/patient/PATIENT", "patient",
                        Map.of("type", "patient", "id", "PATIENT", "attributes", Map.of("note", "x")), patientWrongTypes,
                        patientInvalid, List.of(), "note"),
                new Write("upsert patient", "PUT", "/pub/patient", "patient", validPatient, patientWrongTypes,
                        patientInvalid, List.of(), "last_name"),
                new Write("create calendar event", "POST", "/pub/calendar_event", "calendar_event", validEvent(),
                        eventWrongTypes, eventInvalid, List.of("type"), "title"),
                new Write("update calendar event", "PATCH", "/pub/calendar_event/EVENT", "calendar_event",
                        Map.of("type", "calendar_event", "id", "EVENT", "attributes", Map.of("title", "x")), eventWrongTypes,
                        eventInvalid, List.of(), "description"),
                new Write("create calendar event response", "POST", "/pub/calendar_event_response",
                        "calendar_event_response", validResponse, responseWrongTypes,
                        Map.of("response_status", "needsAction"), List.of("attendee"), "attendee"),
                new Write("create reward program", "POST", "/pub/reward_program", "reward_program",
                        Map.of("type", "reward_program", "attributes", Map.of("name", "Fine", "start_at",
                                "2020-01-01T00:00:00Z", "end_at", "2021-01-01T00:00:00Z", "budget_value", 10),
                                "relationships", Map.of("group", one("group", "GROUP"))),
                        Map.of("name", 5, "budget_value", "lots", "start_at", 7, "frozen", "yes", "duration_active", true,
                                "budget_unit", 1),
                        Map.of("budget_unit", "euro", "budget_value", 0, "duration_active", -1,
                                "end_at", "2021-13-01T00:00:00Z"),
                        List.of("name"), "tagline"),
                new Write("create reward program activation", "POST", "/pub/reward_program_activation",
                        "reward_program_activation", Map.of("type", "reward_program_activation",
                                "attributes", Map.of("activated_at", "2021-06-01T00:00:00Z"), "relationships",
                                Map.of("reward_program", one("reward_program", "PROGRAMID"),
                                        "patient", one("patient", "PATIENT"))),
                        Map.of("activated_at", 5, "deactivated_at", false), Map.of("activated_at", "yesterday"),
                        List.of("activated_at"), "deactivated_at"),
                new Write("update reward program activation", "PATCH", "/pub/reward_program_activation/ACTIVATIONID",
                        "reward_program_activation", Map.of("type", "reward_program_activation", "id", "ACTIVATIONID",
                                "attributes", Map.of("deactivated_at", "2098-01-01T00:00:00Z")),
                        Map.of("deactivated_at", 1, "activated_at", List.of()), Map.of("deactivated_at", "soon"),
                        List.of(), "deactivated_at"),
                new Write("create reward", "POST", "/pub/reward", "reward", Map.of("type", "reward", "attributes",
                                Map.of("description", "Fine", "allocated_value", 1, "allocated_at", "2021-06-01T00:00:00Z"),
                                "relationships", Map.of("reward_program_activation",
                                        one("reward_program_activation", "ACTIVATIONID"))),
                        Map.of("description", 1, "allocated_value", "ten", "allocated_at", 5, "target_at", true,
                                "_thread", 7),
                        Map.of("allocated_value", 0, "allocated_at", "2021-02-30T00:00:00Z"),
                        List.of("description"), "_thread"),
                new Write("create reward earning", "POST", "/pub/reward_earning", "reward_earning",
                        Map.of("type", "reward_earning", "attributes", Map.of("earned_value", 1,
                                "earned_at", "2021-06-01T00:00:00Z"), "relationships", Map.of("reward", one("reward", "REWARDID"))),
                        Map.of("earned_value", "x", "earned_at", 1), Map.of("earned_value", -1),
                        List.of("earned_value"), "earned_at"),
                new Write("create reward earning fulfillment", "POST", "/pub/reward_earning_fulfillment",
                        "reward_earning_fulfillment", Map.of("type", "reward_earning_fulfillment", "attributes",
                                Map.of("fulfilled_value", 1, "fulfilled_at", "2021-06-01T00:00:00Z"), "relationships",
                                Map.of("reward_earning", one("reward_earning", "EARNINGID"))),
                        Map.of("fulfilled_value", "x", "fulfilled_at", 3), Map.of("fulfilled_value", -1),
                        List.of("fulfilled_value"), "fulfilled_at"),
                new Write("update plan summary", "PATCH", "/pub/patient_plan_summary/PLAN", "patient_plan_summary",
                        Map.of("type", "patient_plan_summary", "id", "PLAN", "attributes", Map.of("time_zone", "UTC")),
                        ordered("critical", "high", "time_zone", 5, "window_order", Map.of()),
                        ordered("time_zone", "Mars/Olympus"), List.of(), "time_zone"),
                new Write("create action", "POST", "/pub/action", "action", Map.of("type", "action",
                        "attributes", Map.of("type", "weight", "title", "T", "effective_from", "2024-03-01T00:00:00Z"),
                        "relationships", Map.of("plan", Map.of("data", Map.of("type", "patient_plan_summary", "id", "PLAN")))),
                        actionWrongTypes(), ordered("type", "juggling", "effective_from", "2024-13-01T00:00:00Z"),
                        List.of("type"), "title"),
                new Write("update action", "PATCH", "/pub/action/ACTION", "action",
                        Map.of("type", "action", "id", "ACTION", "attributes", Map.of("title", "T")),
                        actionWrongTypes(), ordered("type", "juggling", "effective_to", "tomorrow"), List.of(), "title"),
                new Write("create bundle", "POST", "/pub/bundle", "bundle", Map.of("type", "bundle",
                        "attributes", Map.of("type", "weight", "title", "T", "effective_from", "2024-03-01T00:00:00Z"),
                        "relationships", Map.of("plan", Map.of("data", Map.of("type", "patient_plan_summary", "id", "PLAN")))),
                        bundleWrongTypes(), ordered("effective_from", "soon"), List.of("type"), "title"),
                new Write("update bundle", "PATCH", "/pub/bundle/BUNDLE", "bundle",
                        Map.of("type", "bundle", "id", "BUNDLE", "attributes", Map.of("title", "T")),
                        bundleWrongTypes(), ordered("effective_to", "later"), List.of(), "title"),
                new Write("create metric", "POST", "/pub/patient_health_metric", "patient_health_metric",
                        Map.of("type", "patient_health_metric",
                                "attributes", Map.of("type", "weight", "value", 1, "occurred_at", "2024-03-01T00:00:00Z"),
                                "relationships", Map.of("patient", Map.of("data", Map.of("type", "patient", "id", "PATIENT")))),
                        ordered("type", 1, "value", "1", "systolic", "x", "diastolic", List.of(), "unit", 4,
                                "occurred_at", 5, "code", "LOINC"),
                        ordered("type", "steps", "occurred_at", "2024-02-30T00:00:00Z"), List.of("type"), "unit"),
                new Write("create result", "POST", "/pub/result", "result", Map.of("type", "result",
                        "attributes", Map.of("occurred_at", "2024-03-01T00:00:00Z"),
                        "relationships", Map.of("action", Map.of("data", Map.of("type", "action", "id", "LIFESTYLE")))),
                        ordered("occurred_at", 1, "skipped", "no", "annotations", Map.of(), "data", List.of(),
                                "window", 3, "channel", List.of(), "external_id", Map.of(), "source", "s",
                                "occurred_at_time_zone", 5),
                        ordered("occurred_at_time_zone", "Nowhere/Land"), List.of("occurred_at"), "channel"),
                new Write("create health profile answer", "POST", "/pub/health_profile_answer", "health_profile_answer",
                        Map.of("type", "health_profile_answer", "attributes", Map.of("question_id", "4", "value", "1"),
                                "relationships", Map.of("patient", Map.of("data", Map.of("type", "patient", "id", "PATIENT")))),
                        Map.of("question_id", 4, "value", List.of("1"), "answered_at", 1_500_000_000),
                        Map.of("value", "9", "question_id", "999", "answered_at", "2017-02-30T00:00:00Z"),
                        List.of("question_id"), "value"),
                new Write("create email history", "POST", "/pub/email_history", "email_history", validEmail,
                        emailWrongTypes, Map.of("email_address", "rob-at-example", "send_time", "2017-02-30T00:00:00Z"),
                        List.of("email_address"), "email_type"),
                new Write("update email history", "PATCH", "/pub/email_history/EMAIL", "email_history",
                        Map.of("type", "email_history", "id", "EMAIL",
                                "attributes", Map.of("status_times", Map.of("open", "2017-01-01T01:00:00Z"))),
                        emailWrongTypes, Map.of("email_address", "rob-at-example", "send_time", "2017-02-30T00:00:00Z"),
                        List.of(), "email_type"));
    }

    static Map<String, Object> actionWrongTypes() {
        return ordered("type", 1, "title", List.of(), "effective_from", 5, "effective_to", true, "tracking", "yes",
                "_thread", 7, "frequency_goal", List.of(), "identifiers", 3, "details", List.of(), "intake", "x",
                "metric_required", 1, "metrics", Map.of(), "windows", "w");
    }

    static Map<String, Object> bundleWrongTypes() {
        return ordered("type", 1, "title", 2, "effective_from", false, "effective_to", 3, "_thread", List.of());
    }

    /** One case: a body, and the status, code and pointer it must answer with. */
    record Case(String write, String description, String method, String path, String body, int status, String code,
            String pointer) {
        @Override
        public String toString() {
            return write + ": " + description;
        }
    }

    static String bind(String text) {
        return text.replace("GROUP", group).replace("PATIENT", patient).replace("EVENT", event)
                .replace("ATTENDEE", attendee).replace("PROGRAMID", program)
                .replace("ACTIVATIONID", activation).replace("REWARDID", reward).replace("EARNINGID", earning)
                .replace("PLAN", plan).replace("LIFESTYLE", lifestyle).replace("ACTION", action).replace("BUNDLE", bundle)
                .replace("EMAIL", email).replace("COACH", coach);
    }

    static String document(Write write, Object data) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("data", data);
        if (write.method().equals("PUT")) {
            document.put("meta", Map.of("query", Map.of("identifier", Map.of("system", "ROBUST", "value", "1"),
                    "groups", List.of("GROUP"))));
        }
        return raw(Api.json(document));
    }

    /** JSON a map cannot hold, written in its place: a number beyond double range and a lone surrogate. */
    static final String HUGE_NUMBER = "RAW_1E309";
    static final String LONE_SURROGATE = "RAW_LONE_SURROGATE";

    static String raw(String json) {
        return json.replace("\"" + HUGE_NUMBER + "\"", "1e309").replace("\"" + LONE_SURROGATE + "\"", "\"a\\ud800b\"");
    }

    /** A date-time attribute of each write that has one (the dates cases spoil it). */
    static final Map<String, String> TIME_ATTRIBUTES = Map.ofEntries(Map.entry("create patient", "birth_date"),
            Map.entry("update patient", "birth_date"), Map.entry("upsert patient", "birth_date"),
            Map.entry("create calendar event", "start_at"), Map.entry("update calendar event", "start_at"),
            Map.entry("create reward program", "start_at"), Map.entry("create reward program activation", "activated_at"),
            Map.entry("update reward program activation", "deactivated_at"), Map.entry("create reward", "allocated_at"),
            Map.entry("create reward earning", "earned_at"), Map.entry("create reward earning fulfillment", "fulfilled_at"),
            Map.entry("create action", "effective_from"), Map.entry("update action", "effective_from"),
            Map.entry("create bundle", "effective_from"), Map.entry("update bundle", "effective_from"),
            Map.entry("create metric", "occurred_at"), Map.entry("create result", "occurred_at"),
            Map.entry("create health profile answer", "answered_at"), Map.entry("create email history", "send_time"),
            Map.entry("update email history", "send_time"));

    /** Date-times PostgreSQL cannot store or that lie outside the documented range; dates likewise. */
    static final List<String> BAD_TIMES = List.of("-4713-01-01T00:00:00Z", "0000-01-01T00:00:00Z",
            "+999999999-12-31T23:59:59Z", "1799-12-31T23:59:59.999Z", "9999-12-31T23:30:00-01:00");
    static final List<String> BAD_DATES = List.of("-0001-01-01", "0200-02-28", "1799-12-31", "+10000-01-01");

    /** Values once answered with a 500 or stored altered, each with the pointer its refusal must name. */
    static List<Case> valueCases() {
        Object[][] values = {
            {"create reward program", "budget_value", HUGE_NUMBER, "budget_value"},
            {"create metric", "value", HUGE_NUMBER, "value"},
            {"create metric", "value", Map.of("systolic", HUGE_NUMBER), "value/systolic"},
            {"create action", "details", Map.of("x", List.of(1, HUGE_NUMBER)), "details/x/1"},
            {"update action", "details", Map.of("x\u0000", 1), "details/x\u0000"},
            {"create calendar event", "attendees", List.of(Map.of("user", "PATIENT", "x", LONE_SURROGATE)),
                "attendees/0/x"},
        };
        List<Case> cases = new ArrayList<>();
        for (Object[] value : values) {
            Write write = writes().stream().filter(w -> w.name().equals(value[0])).findFirst().orElseThrow();
            cases.add(new Case(write.name(), value[1] + " holding " + value[2], write.method(), write.path(),
                    document(write, withAttributes(write, Map.of((String) value[1], value[2]))), 409,
                    "InvalidBodyParameter", "/data/attributes/" + value[3]));
        }
        return cases;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> withAttributes(Write write, Map<String, Object> attributes) {
        Map<String, Object> data = new LinkedHashMap<>(write.valid());
        Map<String, Object> merged = new LinkedHashMap<>((Map<String, Object>) write.valid().get("attributes"));
        merged.putAll(attributes);
        data.put("attributes", merged);
        return data;
    }

    static Stream<Arguments> bodyCases() {
        List<Case> cases = new ArrayList<>();
        for (Write write : writes()) {
            String n = write.name();
            String m = write.method();
            String p = write.path();
            cases.add(new Case(n, "not JSON", m, p, "{\"data\":", 409, "InvalidBodyParameter", ""));
            cases.add(new Case(n, "JSON that is not an object", m, p, "\"patient\"", 409, "InvalidBodyParameter", ""));
            cases.add(new Case(n, "empty body", m, p, "", 409, "InvalidBodyParameter", ""));
            cases.add(new Case(n, "no data", m, p, write.method().equals("PUT") ? document(write, null).replace("\"data\":null,", "")
                    : "{\"meta\":{}}", 409, "InvalidBodyParameter", "/data"));
            Map<String, Object> wrongType = new LinkedHashMap<>(write.valid());
            wrongType.put("type", "planet");
            cases.add(new Case(n, "wrong data.type", m, p, document(write, wrongType), 409, "InvalidBodyParameter", "/data/type"));
            cases.add(new Case(n, "unknown attribute", m, p, document(write, withAttributes(write, Map.of("shoe_size", 42))),
                    409, "InvalidBodyParameter", "/data/attributes/shoe_size"));
            cases.add(new Case(n, "a 1 MB string", m, p, document(write, withAttributes(write,
                    Map.of(write.stringAttribute(), "x".repeat(1024 * 1024)))), 409, "InvalidBodyParameter",
                    "/data/attributes/" + write.stringAttribute()));
            cases.add(new Case(n, "nested 10 000 deep", m, p, "[".repeat(10_000) + "]".repeat(10_000), 409,
                    "InvalidBodyParameter", ""));
            cases.add(new Case(n, "body over the limit", m, p, "{\"data\":{\"type\":\"x\",\"attributes\":{\"note\":\""
                    + "y".repeat(4 * 1024 * 1024 + 10) + "\"}}}", 413, "PayloadTooLarge", null));
            write.wrongTypes().forEach((attribute, value) -> cases.add(new Case(n, attribute + " of the wrong type", m, p,
                    document(write, withAttributes(write, Map.of(attribute, value))), 409, "InvalidBodyParameter",
                    "/data/attributes/" + attribute)));
            write.invalidValues().forEach((attribute, value) -> cases.add(new Case(n, "invalid " + attribute, m, p,
                    document(write, withAttributes(write, Map.of(attribute, value))), 409, "InvalidBodyParameter",
                    "/data/attributes/" + attribute)));
            for (String attribute : write.required()) {
                Map<String, Object> data = new LinkedHashMap<>(write.valid());
                data.put("attributes", Map.of());
                cases.add(new Case(n, "missing " + attribute, m, p, document(write, data), 409, "InvalidBodyParameter",
                        "/data/attributes/" + attribute));
            }
            // Issue 26: each of these was accepted, altered or answered 500.
            String valid = document(write, write.valid());
            String text = "/data/attributes/" + write.stringAttribute();
            cases.add(new Case(n, "content after the document", m, p, valid + " garbage", 409, "InvalidBodyParameter", ""));
            cases.add(new Case(n, "two documents", m, p, valid + valid, 409, "InvalidBodyParameter", ""));
            cases.add(new Case(n, "jsonapi that is not an object", m, p, "{\"jsonapi\":[null,null]," + valid.substring(1),
                    409, "InvalidBodyParameter", "/jsonapi"));
            cases.add(new Case(n, "NUL in a string", m, p, document(write, withAttributes(write,
                    Map.of(write.stringAttribute(), "a\u0000b"))), 409, "InvalidBodyParameter", text));
            cases.add(new Case(n, "lone surrogate in a string", m, p, document(write, withAttributes(write,
                    Map.of(write.stringAttribute(), LONE_SURROGATE))), 409, "InvalidBodyParameter", text));
            cases.add(new Case(n, "number beyond double range in meta", m, p,
                    valid.replaceFirst("\"data\":\\{", "\"data\":{\"meta\":{\"n\":1e309},"),
                    409, "InvalidBodyParameter", "/data/meta/n"));
            String time = TIME_ATTRIBUTES.get(n);
            if (time != null) {
                for (String bad : time.equals("birth_date") ? BAD_DATES : BAD_TIMES) {
                    cases.add(new Case(n, time + " " + bad, m, p, document(write, withAttributes(write, Map.of(time, bad))),
                            409, "InvalidBodyParameter", "/data/attributes/" + time));
                }
            }
            if (m.equals("PATCH")) {
                Map<String, Object> otherId = new LinkedHashMap<>(write.valid());
                otherId.put("id", "000000000000000000000000");
                cases.add(new Case(n, "id that is not the path's", m, p, document(write, otherId), 409,
                        "InvalidBodyParameter", "/data/id"));
            }
        }
        cases.addAll(relationshipCases());
        cases.addAll(valueCases());
        cases.add(new Case("token", "NUL in client_id", "POST", "/pub/oauth/token",
                "{\"grant_type\":\"client_credentials\",\"client_id\":\"a\\u0000b\",\"client_secret\":\"s\"}", 409,
                "InvalidBodyParameter", "/client_id"));
        cases.add(new Case("token", "not JSON", "POST", "/pub/oauth/token", "{", 409, "InvalidBodyParameter", ""));
        cases.add(new Case("token", "wrong data.type", "POST", "/pub/oauth/token",
                "{\"data\":{\"type\":\"user\",\"attributes\":{}}}", 409, "InvalidBodyParameter", "/data/type"));
        cases.add(new Case("token", "grant of the wrong type", "POST", "/pub/oauth/token",
                "{\"grant_type\":7,\"client_id\":\"x\"}", 409, "InvalidBodyParameter", "/grant_type"));
        cases.add(new Case("token", "unknown grant", "POST", "/pub/oauth/token",
                "{\"grant_type\":\"password\",\"client_id\":\"x\"}", 409, "InvalidGrantType", "/grant_type"));
        return cases.stream().map(Arguments::of);
    }

    /**
     * Bad linkage of the polymorphic email receiver (a patient or a coach) and of the coach-only sender: the type
     * is one the relationship cannot point to (409 at its type), the id is malformed for the type (409 at the id),
     * or names a resource of another type (403 at the id, like a missing one).
     */
    static List<Case> relationshipCases() {
        String create = "create email history";
        String relationships = "/data/relationships/";
        Map<String, Object> noData = Map.of();
        Map<String, Object> nullData = new LinkedHashMap<>();
        nullData.put("data", null);
        Object[][] receivers = {
            {"receiver of a type it cannot be", one("group", "GROUP"), 409, "receiver/data/type"},
            {"receiver without a type", Map.of("data", Map.of("id", "PATIENT")), 409, "receiver/data/type"},
            {"receiver with a type that is not a string", Map.of("data", Map.of("type", 5, "id", "PATIENT")), 409,
                "receiver/data/type"},
            {"coach receiver with a malformed id", one("coach", "12"), 409, "receiver/data/id"},
            {"patient receiver without an id", Map.of("data", Map.of("type", "patient")), 409, "receiver/data/id"},
            {"receiver null", nullData, 409, "receiver/data"},
            {"receiver as an array", Map.of("data", List.of(Map.of("type", "coach", "id", "PATIENT"))), 409, "receiver/data"},
            {"receiver without data", noData, 409, "receiver"},
            {"coach receiver naming a patient", one("coach", "PATIENT"), 403, "receiver/data/id"},
        };
        List<Case> cases = new ArrayList<>();
        for (Object[] receiver : receivers) {
            Map<String, Object> data = new LinkedHashMap<>(Map.of("type", "email_history", "attributes", Map.of(
                    "email_address", "rob@example.com", "email_type", "invite", "send_time", "2017-01-01T00:00:00Z")));
            data.put("relationships", Map.of("receiver", receiver[1]));
            int status = (int) receiver[2];
            cases.add(new Case(create, (String) receiver[0], "POST", "/pub/email_history", Api.json(Map.of("data", data)),
                    status, status == 403 ? "Forbidden" : "InvalidBodyParameter", relationships + receiver[3]));
        }
        Map<String, Object> patientSender = new LinkedHashMap<>(Map.of("type", "email_history", "attributes", Map.of(
                "email_address", "rob@example.com", "email_type", "invite", "send_time", "2017-01-01T00:00:00Z")));
        patientSender.put("relationships", Map.of("receiver", one("patient", "PATIENT"), "sender", one("patient", "PATIENT")));
        cases.add(new Case(create, "sender that is a patient", "POST", "/pub/email_history",
                Api.json(Map.of("data", patientSender)), 409, "InvalidBodyParameter", relationships + "sender/data/type"));
        cases.add(new Case("update email history", "receiver changed to another type", "PATCH", "/pub/email_history/EMAIL",
                Api.json(Map.of("data", Map.of("type", "email_history", "id", "EMAIL", "relationships",
                        Map.of("receiver", one("coach", "COACH"))))), 409, "InvalidBodyParameter",
                relationships + "receiver/data"));
        return cases;
    }

    /** Rows in every table: nothing may change when a request is refused. */
    static Map<String, Long> rowCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : List.of("organization", "patient_group", "coach", "coach_group", "api_client", "oauth_token",
                "patient", "patient_group_member", "patient_coach", "patient_identifier", "calendar_event",
                "calendar_event_response", "reward_program", "reward_program_activation", "reward", "reward_earning", "reward_earning_fulfillment", "patient_plan_summary", "action", "bundle", "bundle_action", "patient_health_metric", "result", "health_profile", "health_profile_answer", "email_history")) {
            counts.put(table, server.database.dsl().fetchCount(org.jooq.impl.DSL.table(org.jooq.impl.DSL.name(table))) * 1L);
        }
        return counts;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodyCases")
    void badBodiesAreRefusedAndChangeNothing(Case c) {
        Map<String, Long> before = rowCounts();
        String contentType = c.path().equals("/pub/oauth/token") && !c.body().contains("\"data\"")
                ? "application/json" : Api.JSON_API;
        Api.Response response = api.send(c.method(), bind(c.path()), tenant.token(), contentType, bind(c.body()), List.of());
        assertThat(response.status()).as(response.body()).isEqualTo(c.status());
        assertThat(response.at("/errors/0/code").asText()).as(response.body()).isEqualTo(c.code());
        if (c.pointer() != null) {
            assertThat(response.at("/errors/0/source/pointer").asText()).as(response.body()).isEqualTo(c.pointer());
        }
        assertThat(rowCounts()).isEqualTo(before);
    }

    static Stream<Arguments> writeNames() {
        return writes().stream().map(write -> Arguments.of(Named.of(write.name(), write)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writeNames")
    void aContentTypeWithoutAMediaTypeIsRefusedAndChangesNothing(Write write) {
        Map<String, Long> before = rowCounts();
        Api.Response response = api.send(write.method(), bind(write.path()), tenant.token(), ";",
                bind(document(write, write.valid())), List.of());
        assertThat(response.status()).as(response.body()).isEqualTo(415);
        assertThat(response.at("/errors/0/code").asText()).as(response.body()).isEqualTo("UnsupportedMediaType");
        assertThat(rowCounts()).isEqualTo(before);
    }

    /**
     * A form request's errors are RFC 6749 objects: a Basic credential that does not decode is an invalid client,
     * a form field that does not is an invalid request.
     */
    @Test
    void basicCredentialsWithABadPercentEscapeAreAnInvalidClient() {
        for (String credentials : List.of("%zz:secret", "client:%zz", "a%00b:secret")) {
            Api.Response response = api.send("POST", "/pub/oauth/token", null, "application/x-www-form-urlencoded",
                    "grant_type=client_credentials", List.of("Authorization", "Basic "
                            + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8))));
            assertThat(response.status()).as(credentials + " " + response.body()).isEqualTo(401);
            assertThat(response.at("/error").asText()).isEqualTo("invalid_client");
            assertThat(response.header("WWW-Authenticate")).contains("Basic realm=\"OpenPlus\"");
        }
        Api.Response nul = api.send("POST", "/pub/oauth/token", null, "application/x-www-form-urlencoded",
                "grant_type=client_credentials&client_id=a%00b&client_secret=s", List.of());
        assertThat(nul.status()).as(nul.body()).isEqualTo(400);
        assertThat(nul.at("/error").asText()).isEqualTo("invalid_request");
    }

    static List<Collection> collections() {
        return List.of(
                new Collection("/pub/group?filter[organization]=ORG", "group", true),
                new Collection("/pub/coach?filter[organization]=ORG", "coach", true),
                new Collection("/pub/patient?filter[organization]=ORG", "patient", true),
                new Collection("/pub/patient/PATIENT/groups?x=", "group", true),
                new Collection("/pub/patient/PATIENT/coaches?x=", "coach", true),
                new Collection("/pub/calendar_event?filter[organization]=ORG", "calendar_event", true),
                new Collection("/pub/reward_program?filter[organization]=ORG", "reward_program", true),
                new Collection("/pub/reward_program/PROGRAMID/group?x=", "group", true),
                new Collection("/pub/reward_program_activation?filter[organization]=ORG", "reward_program_activation", true),
                new Collection("/pub/reward?filter[organization]=ORG", "reward", true),
                new Collection("/pub/reward_earning?filter[patient]=PATIENT", "reward_earning", true),
                new Collection("/pub/reward_earning_fulfillment?filter[patient]=PATIENT", "reward_earning_fulfillment", true),
                new Collection("/pub/patient_plan_summary?filter[organization]=ORG", "patient_plan_summary", true),
                new Collection("/pub/patient_health_metric?filter[organization]=ORG", "patient_health_metric", true),
                new Collection("/pub/result?filter[patient]=PATIENT", "result", true),
                new Collection("/pub/health_question_definition?x=", "health_question_definition", false, 100),
                new Collection("/pub/health_profile?filter[organization]=ORG", "health_profile", true),
                new Collection("/pub/health_profile_question?filter[patient]=PATIENT", "health_profile_question", false),
                new Collection("/pub/health_profile_answer?filter[groups]=GROUP", "health_profile_answer", true, 100),
                new Collection("/pub/email_history?filter[receiver]=PATIENT", "email_history", true));
    }

    static Stream<Arguments> dateFilteredCollections() {
        return collections().stream().filter(Collection::dateFilters)
                .map(c -> Arguments.of(Named.of(c.path().substring(0, c.path().indexOf('?')), c)));
    }

    /** Offsets Java accepts and PostgreSQL does not (±16:00 to ±18:00) are valid: the instant is compared. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dateFilteredCollections")
    void everyDateFilterTakesAnyOffsetJavaAccepts(Collection collection) {
        String path = collection.path().replace("ORG", tenant.organizationId()).replace("PATIENT", patient)
                .replace("PROGRAMID", program).replace("GROUP", group).replace("?x=", "?");
        String separator = path.endsWith("?") ? "" : "&";
        Api.Response all = api.get(path + separator + "filter[created_at]=2000-01-01T00:00:00%2B17:59..", tenant.token());
        assertThat(all.status()).as(all.body()).isEqualTo(200);
        Api.Response none = api.get(path + separator + "filter[updated_at]=..2000-01-01T00:00:00-18:00", tenant.token());
        assertThat(none.status()).as(none.body()).isEqualTo(200);
        assertThat(none.at("/meta/count").asLong()).isZero();
        // Every row was created after 2000: the open range from then holds the whole list.
        Api.Response unfiltered = api.get(path.endsWith("?") ? path.substring(0, path.length() - 1) : path, tenant.token());
        assertThat(all.at("/meta/count").asLong()).isEqualTo(unfiltered.at("/meta/count").asLong());
    }

    /** One collection case: extra query text and the parameter the error must name. */
    record QueryCase(String description, String path, String query, String parameter) {
        @Override
        public String toString() {
            return path.substring(0, path.indexOf('?')) + ": " + description;
        }
    }

    static Stream<Arguments> queryCases() {
        List<QueryCase> cases = new ArrayList<>();
        cases.add(new QueryCase("malformed receiver id", "/pub/email_history?x=", "filter[receiver]=12", "filter[receiver]"));
        cases.add(new QueryCase("receiver list with a malformed id", "/pub/email_history?x=",
                "filter[receiver]=5a0b0c0d0e0f101112131415,not-an-id", "filter[receiver]"));
        // Issue 26: a NUL in a text filter answered 500.
        String[][] textFilters = {
            {"/pub/group?filter[organization]=ORG", "filter[name]"},
            {"/pub/patient?filter[organization]=ORG&filter[identifier][system]=s", "filter[identifier][value]"},
            {"/pub/calendar_event?filter[organization]=ORG", "filter[type]"},
            {"/pub/reward?filter[organization]=ORG", "filter[thread]"},
            {"/pub/patient_health_metric?filter[organization]=ORG", "filter[type]"},
            {"/pub/result?filter[patient]=PATIENT", "filter[threads]"},
            {"/pub/result?filter[patient]=PATIENT", "filter[start_at]"},
            {"/pub/email_history?filter[receiver]=PATIENT", "filter[emailType]"},
        };
        for (String[] filter : textFilters) {
            cases.add(new QueryCase("NUL in " + filter[1], filter[0], filter[1] + "=a%00b", filter[1]));
        }
        cases.add(new QueryCase("result start beyond the range", "/pub/result?filter[patient]=PATIENT",
                "filter[start_at]=-4713-01-01T00:00:00Z", "filter[start_at]"));
        for (Collection collection : collections()) {
            String p = collection.path();
            cases.add(new QueryCase("non-numeric page[number]", p, "page[number]=two", "page[number]"));
            cases.add(new QueryCase("negative page[size]", p, "page[size]=-5", "page[size]"));
            cases.add(new QueryCase("too large page[size]", p, "page[size]=" + (collection.maxPageSize() + 1),
                    "page[size]"));
            cases.add(new QueryCase("too large page[limit]", p, "page[limit]=100000", "page[limit]"));
            cases.add(new QueryCase("non-numeric page[limit]", p, "page[limit]=lots", "page[limit]"));
            cases.add(new QueryCase("mixed paging", p, "page[number]=3&page[limit]=10", "page[number]"));
            cases.add(new QueryCase("unknown filter", p, "filter[colour]=red", "filter[colour]"));
            cases.add(new QueryCase("unknown include", p, "include=planets", "include"));
            cases.add(new QueryCase("unknown sort", p, "sort=shoe_size", "sort"));
            cases.add(new QueryCase("unknown fields type", p, "fields[planet]=name", "fields[planet]"));
            cases.add(new QueryCase("unknown field", p, "fields[" + collection.type() + "]=shoe_size",
                    "fields[" + collection.type() + "]"));
            cases.add(new QueryCase("malformed cursor", p, "page[after]=bm90IGEgY3Vyc29y", "page[after]"));
            cases.add(new QueryCase("repeated parameter", p, "sort=created_at&sort=updated_at", "sort"));
            cases.add(new QueryCase("unknown parameter", p, "verbose=true", "verbose"));
            cases.add(new QueryCase("NUL in a value", p, "include=a%00b", "include"));
            if (collection.dateFilters()) {
                for (String bad : List.of("-4713-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "%2B999999999-12-31T23:59:59Z",
                        "1799-12-31T23:59:59Z")) {
                    cases.add(new QueryCase("date range from " + bad, p, "filter[created_at]=" + bad + "..", "filter[created_at]"));
                }
                cases.add(new QueryCase("date range to a year beyond 9999", p,
                        "filter[updated_at]=..9999-12-31T23:00:00-01:30", "filter[updated_at]"));
                cases.add(new QueryCase("date range without ..", p, "filter[created_at]=2017-01-01T00:00:00Z", "filter[created_at]"));
                cases.add(new QueryCase("date range end before start", p,
                        "filter[updated_at]=2018-01-01T00:00:00Z..2017-01-01T00:00:00Z", "filter[updated_at]"));
                cases.add(new QueryCase("date without time", p, "filter[created_at]=2017-01-01..", "filter[created_at]"));
            }
        }
        return cases.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queryCases")
    void badQueriesAreRefusedWithTheParameterNamed(QueryCase c) {
        String path = c.path().replace("ORG", tenant.organizationId()).replace("PATIENT", patient)
                .replace("PROGRAMID", program).replace("GROUP", group).replace("?x=", "?");
        String separator = path.endsWith("?") ? "" : "&";
        Api.Response response = api.get(path + separator + c.query(), tenant.token());
        assertThat(response.status()).as(response.body()).isEqualTo(409);
        assertThat(response.at("/errors/0/code").asText()).isEqualTo("InvalidParameter");
        assertThat(response.json().get("errors").findValuesAsText("parameter")).as(response.body()).contains(c.parameter());
    }
}
