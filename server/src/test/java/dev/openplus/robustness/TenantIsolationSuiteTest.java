package dev.openplus.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * Table-driven isolation: for every endpoint, ids and filter values of another organization (or outside a
 * group-scoped client's groups) answer 404 / 403 and no byte of the other side's data; every authenticated
 * route refuses missing, malformed, unknown and revoked tokens. A new endpoint joins by adding rows.
 */
class TenantIsolationSuiteTest {
    static Api api;
    static Fixtures fixtures;
    /** The side whose data must stay hidden. */
    static Side hidden;
    static String otherOrganizationToken;
    static String proberGroup;
    static String proberOrganization;
    static String groupScopedToken;
    static String revokedToken;
    /** A Bulk Data export the hidden organization's client started (queued: the shared server writes none). */
    static String hiddenExport;
    static String expiredToken;
    /** The hidden side's reward data: in the group-scoped client's group, and outside it. */
    static Map<String, String> hiddenRewards = new java.util.HashMap<>();
    static Map<String, String> outOfScopeRewards = new java.util.HashMap<>();
    /** The hidden organization's care plan data: of its in-scope patient, then of its out-of-scope patient. */
    static CarePlanIds care;
    static CarePlanIds outOfScopeCare;

    record CarePlanIds(String plan, String action, String lifestyle, String bundle, String metric, String result) {
    }

    private static CarePlanIds carePlan(String token, String patient) {
        dev.openplus.support.CarePlans plans = new dev.openplus.support.CarePlans(api);
        String plan = plans.planOf(token, patient);
        String action = plans.createAction(token, plan, Map.of("title", "Hiddenaction"));
        String lifestyle = plans.createAction(token, plan, Map.of("type", "sleep", "title", "Hiddenaction"));
        String bundle = api.post("/pub/bundle", token, Api.json(Map.of("data", Map.of("type", "bundle",
                "attributes", Map.of("type", "weight", "title", "Hiddenbundle", "effective_from", "2024-03-01T00:00:00Z"),
                "relationships", Map.of("plan", Map.of("data", Map.of("type", "patient_plan_summary", "id", plan)))))))
                .at("/data/id").asText();
        String metric = api.post("/pub/patient_health_metric", token, Api.json(Map.of("data",
                dev.openplus.support.CarePlans.metric(patient, "weight", 123.25, "2024-03-05T10:00:00Z"))))
                .at("/data/id").asText();
        String result = api.get("/pub/result?filter[patient]=" + patient, token).at("/data/0/id").asText();
        return new CarePlanIds(plan, action, lifestyle, bundle, metric, result);
    }

    private static List<Probe> carePlanProbes(String caller, CarePlanIds ids, String patient, String group,
            String organization) {
        List<Probe> probes = new ArrayList<>();
        for (String path : List.of("/pub/patient_plan_summary/" + ids.plan(), "/pub/action/" + ids.action(),
                "/pub/bundle/" + ids.bundle(), "/pub/patient_health_metric/" + ids.metric(), "/pub/result/" + ids.result(),
                "/pub/patient_plan_summary/" + ids.plan() + "?include=actions,bundles,patient,current_results")) {
            probes.add(new Probe(caller, "GET", path, null, 404, "ResourceNotFound"));
        }
        probes.add(new Probe(caller, "PATCH", "/pub/patient_plan_summary/" + ids.plan(),
                "{\"data\":{\"type\":\"patient_plan_summary\",\"attributes\":{\"time_zone\":\"UTC\"}}}", 404,
                "ResourceNotFound"));
        probes.add(new Probe(caller, "PATCH", "/pub/action/" + ids.action(),
                "{\"data\":{\"type\":\"action\",\"attributes\":{\"title\":\"x\"}}}", 404, "ResourceNotFound"));
        probes.add(new Probe(caller, "PATCH", "/pub/bundle/" + ids.bundle(),
                "{\"data\":{\"type\":\"bundle\",\"attributes\":{\"title\":\"x\"}}}", 404, "ResourceNotFound"));
        List<String> lists = new ArrayList<>(List.of("/pub/patient_plan_summary?filter[groups]=" + group,
                "/pub/patient_health_metric?filter[groups]=" + group));
        if (organization != null) {
            lists.add("/pub/patient_plan_summary?filter[organization]=" + organization);
            lists.add("/pub/patient_health_metric?filter[organization]=" + organization);
        }
        for (String path : lists) {
            probes.add(new Probe(caller, "GET", path, null, 403, "Forbidden"));
        }
        Map<String, Object> plan = Map.of("plan", Map.of("data", Map.of("type", "patient_plan_summary", "id", ids.plan())));
        probes.add(new Probe(caller, "POST", "/pub/action", Api.json(Map.of("data", Map.of("type", "action",
                "attributes", Map.of("type", "weight", "title", "T", "effective_from", "2024-03-01T00:00:00Z"),
                "relationships", plan))), 403, "Forbidden"));
        probes.add(new Probe(caller, "POST", "/pub/bundle", Api.json(Map.of("data", Map.of("type", "bundle",
                "attributes", Map.of("type", "weight", "title", "T", "effective_from", "2024-03-01T00:00:00Z"),
                "relationships", plan))), 403, "Forbidden"));
        probes.add(new Probe(caller, "POST", "/pub/patient_health_metric", Api.json(Map.of("data",
                dev.openplus.support.CarePlans.metric(patient, "weight", 1, "2024-03-01T00:00:00Z"))), 403, "Forbidden"));
        probes.add(new Probe(caller, "POST", "/pub/result", Api.json(Map.of("data", Map.of("type", "result",
                "attributes", Map.of("occurred_at", "2024-03-01T00:00:00Z"),
                "relationships", Map.of("action", Map.of("data", Map.of("type", "action", "id", ids.lifestyle())))))),
                403, "Forbidden"));
        return probes;
    }
    /** Health and email data of the hidden side: [0] of its in-scope patient, [1] of its out-of-scope one. */
    static String[] profiles = new String[2];
    static String[] profileQuestions = new String[2];
    static String[] answers = new String[2];
    static String[] emails = new String[2];
    /** Emails of the hidden side to coaches: [0] to its coach, [1] to a coach the group-scoped client cannot see. */
    static String[] coachEmails = new String[2];
    static String[] emailCoaches = new String[2];

    /** One organization's data, with the strings that must never leak. */
    record Side(String organization, String group, String outOfScopeGroup, String coach, String patient,
            String outOfScopePatient, String tokenId, String token, List<String> secrets, String event,
            String outOfScopeEvent) {
    }

    /** A calendar event of the patient with one attendee; returns its id and its attendee's _id. */
    private static String[] calendarEvent(String token, String patient, String attendee, String title) {
        Api.Response created = api.post("/pub/calendar_event", token, eventBody(patient, attendee, title));
        return new String[] {created.at("/data/id").asText(), created.at("/data/attributes/attendees/0/_id").asText()};
    }

    private static String eventBody(String owner, String attendee, String title) {
        return Api.json(Map.of("data", Map.of("type", "calendar_event", "attributes", Map.of("type", "reminder",
                "all_day", true, "start_at", "2024-05-06T00:00:00Z", "title", title,
                "attendees", List.of(Map.of("user", attendee))),
                "relationships", Map.of("owner", Map.of("data", Map.of("type", "patient", "id", owner))))));
    }

    private static String responseBody(String event, String attendee, String user) {
        return Api.json(Map.of("data", Map.of("type", "calendar_event_response",
                "attributes", Map.of("attendee", attendee, "response_status", "accepted"),
                "relationships", Map.of("user", Map.of("data", Map.of("type", "user", "id", user)),
                        "calendar_event", Map.of("data", Map.of("type", "calendar_event", "id", event))))));
    }

    static String eventAttendee;
    static String outOfScopeEventAttendee;
    /** Changes of the hidden side on the feed: of its in-scope patient, then of its out-of-scope patient. */
    static String[] patientChanges = new String[2];

    /** A request made by a caller who must not see {@code hidden}'s data. */
    record Probe(String caller, String method, String path, String body, int status, String code) {
        @Override
        public String toString() {
            return caller + " " + method + " " + path.replaceAll("[0-9a-f]{24}", "{id}");
        }
    }

    private static String patientBody(String group) {
        return Api.json(Map.of("data", Map.of("type", "patient", "attributes", Map.of("first_name", "Probe"),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group)))))));
    }

    private static String answerBody(String patient) {
        return Api.json(Map.of("data", Map.of("type", "health_profile_answer",
                "attributes", Map.of("question_id", "4", "value", "1"),
                "relationships", Map.of("patient", Map.of("data", Map.of("type", "patient", "id", patient))))));
    }

    private static String emailBody(String patient) {
        return emailBody("patient", patient);
    }

    private static String emailBody(String receiverType, String receiver) {
        return Api.json(Map.of("data", Map.of("type", "email_history",
                "attributes", Map.of("email_address", "hidden@example.com", "email_type", "invite",
                        "send_time", "2017-01-01T00:00:00Z"),
                "relationships", Map.of("receiver", Map.of("data", Map.of("type", receiverType, "id", receiver))))));
    }

    /** Probes of one caller against the hidden side's email to the coach at {@code i}. */
    private static void coachEmailProbes(List<Probe> probes, String caller, int i) {
        probes.add(new Probe(caller, "GET", "/pub/email_history/" + coachEmails[i], null, 404, "ResourceNotFound"));
        probes.add(new Probe(caller, "GET", "/pub/email_history/" + coachEmails[i] + "?include=receiver", null, 404,
                "ResourceNotFound"));
        probes.add(new Probe(caller, "PATCH", "/pub/email_history/" + coachEmails[i], emailPatch(coachEmails[i]), 404,
                "ResourceNotFound"));
        probes.add(new Probe(caller, "GET", "/pub/email_history?filter[receiver]=" + emailCoaches[i], null, 403,
                "Forbidden"));
        probes.add(new Probe(caller, "POST", "/pub/email_history", emailBody("coach", emailCoaches[i]), 403, "Forbidden"));
    }

    private static String emailPatch(String id) {
        return Api.json(Map.of("data", Map.of("type", "email_history", "id", id,
                "attributes", Map.of("status_times", Map.of("open", "2017-01-02T00:00:00Z")))));
    }

    /** Health and email probes of one caller against the hidden side's data at {@code i}. */
    private static void healthAndEmailProbes(List<Probe> probes, String caller, int i, String patient, String group) {
        for (String path : List.of("/pub/health_profile/" + profiles[i], "/pub/health_profile_question/" + profileQuestions[i],
                "/pub/health_profile_answer/" + answers[i], "/pub/email_history/" + emails[i])) {
            probes.add(new Probe(caller, "GET", path, null, 404, "ResourceNotFound"));
        }
        probes.add(new Probe(caller, "PATCH", "/pub/email_history/" + emails[i], emailPatch(emails[i]), 404,
                "ResourceNotFound"));
        for (String type : List.of("health_profile", "health_profile_question", "health_profile_answer")) {
            probes.add(new Probe(caller, "GET", "/pub/" + type + "?filter[groups]=" + group, null, 403, "Forbidden"));
        }
        probes.add(new Probe(caller, "POST", "/pub/health_profile_answer", answerBody(patient), 403, "Forbidden"));
        probes.add(new Probe(caller, "POST", "/pub/email_history", emailBody(patient), 403, "Forbidden"));
    }

    @BeforeAll
    static void setUp() {
        TestServer server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        Fixtures.Tenant alpha = fixtures.tenant("Hidden Secret Organization");
        String group = fixtures.group(alpha.organizationId(), "Hidden Secret Group");
        String outOfScopeGroup = fixtures.group(alpha.organizationId(), "Hidden Second Group");
        String coach = fixtures.coach(alpha.organizationId(), "Hiddencoach", "Secretson", group, outOfScopeGroup);
        // Outside the group-scoped client's group and coaching none of its patients: that client cannot see it.
        String outOfScopeCoach = fixtures.coach(alpha.organizationId(), "Outofscopecoach", "Secretson", outOfScopeGroup);
        String patient = api.post("/pub/patient", alpha.token(), Api.json(Map.of("data", Map.of("type", "patient",
                "attributes", Map.of("first_name", "Hiddenpatient", "identifiers",
                        List.of(Map.of("system", "SECRET-EHR", "value", "SECRET-MRN-1"))),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group))))))))
                .at("/data/id").asText();
        String outOfScopePatient = api.post("/pub/patient", alpha.token(), Api.json(Map.of("data", Map.of("type", "patient",
                "attributes", Map.of("first_name", "Outofscopepatient"),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", outOfScopeGroup))))))))
                .at("/data/id").asText();
        String tokenId = fixtures.tokenResponse(alpha.client()).at("/data/id").asText();
        String[] event = calendarEvent(alpha.token(), patient, coach, "Hidden Secret Event");
        String[] outOfScopeEvent = calendarEvent(alpha.token(), outOfScopePatient, coach, "Outofscopepatient visit");
        eventAttendee = event[1];
        outOfScopeEventAttendee = outOfScopeEvent[1];
        hidden = new Side(alpha.organizationId(), group, outOfScopeGroup, coach, patient, outOfScopePatient, tokenId,
                alpha.token(), List.of("Hidden Secret", "Hiddencoach", "Secretson", "Hiddenpatient", "SECRET-EHR",
                        "SECRET-MRN-1", "Outofscopepatient", "Hidden Second Group", "Hiddenaction", "Hiddenbundle",
                        "123.25", "Outofscopecoach"), event[0], outOfScopeEvent[0]);

        rewardData(alpha.token(), group, patient, "Hidden Secret Steps", hiddenRewards);
        rewardData(alpha.token(), outOfScopeGroup, outOfScopePatient, "Hidden Second Group Steps", outOfScopeRewards);
        care = carePlan(alpha.token(), patient);
        outOfScopeCare = carePlan(alpha.token(), outOfScopePatient);
        Api.Response export = api.sendOutsideContract("GET", "/fhir/r4/Patient/$export", alpha.token(), null, null,
                List.of("Prefer", "respond-async"));
        assertThat(export.status()).as(export.body()).isEqualTo(202);
        String location = export.header("Content-Location").orElseThrow();
        hiddenExport = location.substring(location.lastIndexOf('/') + 1);

        String[] owners = {patient, outOfScopePatient};
        for (int i = 0; i < 2; i++) {
            profiles[i] = api.get("/pub/health_profile?filter[patient]=" + owners[i], alpha.token()).at("/data/0/id").asText();
            profileQuestions[i] = api.get("/pub/health_profile_question?filter[patient]=" + owners[i], alpha.token())
                    .at("/data/0/id").asText();
            answers[i] = api.post("/pub/health_profile_answer", alpha.token(), answerBody(owners[i])).at("/data/id").asText();
            emails[i] = api.post("/pub/email_history", alpha.token(), emailBody(owners[i])).at("/data/id").asText();
            assertThat(List.of(profiles[i], profileQuestions[i], answers[i], emails[i])).allMatch(id -> id.length() == 24);
        }
        emailCoaches[0] = coach;
        emailCoaches[1] = outOfScopeCoach;
        for (int i = 0; i < 2; i++) {
            Api.Response recorded = api.post("/pub/email_history", alpha.token(), emailBody("coach", emailCoaches[i]));
            assertThat(recorded.status()).as(recorded.body()).isEqualTo(201);
            coachEmails[i] = recorded.at("/data/id").asText();
        }

        for (int i = 0; i < 2; i++) {
            patientChanges[i] = server.database.dsl().fetchValue("select id::text from change where resource_type ="
                    + " 'patient' and resource_id = {0} order by id limit 1", org.jooq.impl.DSL.val(owners[i])).toString();
        }

        Fixtures.Tenant beta = fixtures.tenant("Prober Organization");
        proberGroup = fixtures.group(beta.organizationId(), "Prober Group");
        proberOrganization = beta.organizationId();
        otherOrganizationToken = beta.token();
        // A group-scoped client of the hidden organization, limited to its first group.
        groupScopedToken = fixtures.token(fixtures.client(alpha.organizationId(), group));
        Map<String, String> doomed = fixtures.client(beta.organizationId());
        revokedToken = fixtures.token(doomed);
        fixtures.cli("admin", "client", "revoke", "--client-id", doomed.get("client_id"));
        // A token whose lifetime has run out (never used, so never cached).
        Api.Response issued = fixtures.tokenResponse(fixtures.client(beta.organizationId()));
        expiredToken = issued.at("/data/attributes/access_token").asText();
        server.database.dsl().execute("update oauth_token set access_expires_at = now() - interval '1 minute' where id = {0}",
                org.jooq.impl.DSL.val(issued.at("/data/id").asText()));
    }

    private static Map<String, Object> one(String type, String id) {
        return Map.of("data", Map.of("type", type, "id", id));
    }

    private static String created(String token, String type, Map<String, Object> attributes,
            Map<String, Object> relationships) {
        Api.Response response = api.post("/pub/" + type, token, Api.json(Map.of("data", Map.of("type", type,
                "attributes", attributes, "relationships", relationships))));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.at("/data/id").asText();
    }

    /** A program of the group activated for the patient, with a reward, its earning and a fulfillment. */
    private static void rewardData(String token, String group, String patient, String name, Map<String, String> ids) {
        ids.put("program", created(token, "reward_program", Map.of("name", name, "start_at", "2020-01-01T00:00:00Z",
                "end_at", "2099-01-01T00:00:00Z", "budget_value", 100, "fulfill_as_earned", true),
                Map.of("group", one("group", group))));
        ids.put("activation", created(token, "reward_program_activation", Map.of("activated_at", "2021-01-01T00:00:00Z"),
                Map.of("reward_program", one("reward_program", ids.get("program")), "patient", one("patient", patient))));
        ids.put("reward", created(token, "reward", Map.of("description", name, "allocated_value", 10,
                "allocated_at", "2021-01-02T00:00:00Z"),
                Map.of("reward_program_activation", one("reward_program_activation", ids.get("activation")))));
        ids.put("earning", created(token, "reward_earning", Map.of("earned_value", 10, "earned_at", "2021-01-03T00:00:00Z"),
                Map.of("reward", one("reward", ids.get("reward")))));
        ids.put("spare_reward", created(token, "reward", Map.of("description", name, "allocated_value", 10,
                "allocated_at", "2021-01-02T00:00:00Z"),
                Map.of("reward_program_activation", one("reward_program_activation", ids.get("activation")))));
        ids.put("spare_earning", created(token, "reward_earning", Map.of("earned_value", 1,
                "earned_at", "2021-01-03T00:00:00Z"), Map.of("reward", one("reward", ids.get("spare_reward")))));
        ids.put("fulfillment", created(token, "reward_earning_fulfillment", Map.of("fulfilled_value", 10,
                "fulfilled_at", "2021-01-04T00:00:00Z"), Map.of("reward_earning", one("reward_earning", ids.get("earning")))));
    }

    /** Reads and writes of reward data named by ids the caller must not reach. */
    private static void rewardProbes(List<Probe> probes, String caller, Map<String, String> ids, String group,
            String patient) {
        for (String path : List.of("/pub/reward_program/" + ids.get("program"),
                "/pub/reward_program/" + ids.get("program") + "/group",
                "/pub/reward_program_activation/" + ids.get("activation"), "/pub/reward/" + ids.get("reward"),
                "/pub/reward_earning/" + ids.get("earning"), "/pub/reward_earning_fulfillment/" + ids.get("fulfillment"))) {
            probes.add(new Probe(caller, "GET", path, null, 404, "ResourceNotFound"));
        }
        probes.add(new Probe(caller, "PATCH", "/pub/reward_program_activation/" + ids.get("activation"),
                Api.json(Map.of("data", Map.of("type", "reward_program_activation", "id", ids.get("activation"),
                        "attributes", Map.of("deactivated_at", "2098-01-01T00:00:00Z")))), 404, "ResourceNotFound"));
        for (String type : List.of("reward_program", "reward_program_activation", "reward", "reward_earning")) {
            probes.add(new Probe(caller, "GET", "/pub/" + type + "?filter[groups]=" + group, null, 403, "Forbidden"));
        }
        String time = "2021-06-01T00:00:00Z";
        probes.add(new Probe(caller, "POST", "/pub/reward_program", Api.json(Map.of("data", Map.of("type", "reward_program",
                "attributes", Map.of("name", "Probe", "start_at", "2020-01-01T00:00:00Z", "end_at", "2099-01-01T00:00:00Z",
                        "budget_value", 1), "relationships", Map.of("group", one("group", group))))), 403, "Forbidden"));
        probes.add(new Probe(caller, "POST", "/pub/reward_program_activation", Api.json(Map.of("data", Map.of("type",
                "reward_program_activation", "attributes", Map.of("activated_at", time), "relationships", Map.of(
                        "reward_program", one("reward_program", ids.get("program")), "patient", one("patient", patient))))),
                403, "Forbidden"));
        probes.add(new Probe(caller, "POST", "/pub/reward", Api.json(Map.of("data", Map.of("type", "reward", "attributes",
                Map.of("description", "Probe", "allocated_value", 1, "allocated_at", time), "relationships",
                Map.of("reward_program_activation", one("reward_program_activation", ids.get("activation")))))),
                403, "Forbidden"));
        probes.add(new Probe(caller, "POST", "/pub/reward_earning", Api.json(Map.of("data", List.of(Map.of("type",
                "reward_earning", "attributes", Map.of("earned_value", 1, "earned_at", time), "relationships",
                Map.of("reward", one("reward", ids.get("spare_reward"))))))), 403, "Forbidden"));
        probes.add(new Probe(caller, "POST", "/pub/reward_earning_fulfillment", Api.json(Map.of("data", Map.of("type",
                "reward_earning_fulfillment", "attributes", Map.of("fulfilled_value", 1, "fulfilled_at", time),
                "relationships", Map.of("reward_earning", one("reward_earning", ids.get("spare_earning")))))),
                403, "Forbidden"));
    }

    /** The change feed: the hidden side's change at {@code i} is not found, its scope's filters are refused. */
    private static void changeFeedProbes(List<Probe> probes, String caller, int i, String group, String patient) {
        probes.add(new Probe(caller, "GET", "/pub/change/" + patientChanges[i], null, 404, "ResourceNotFound"));
        probes.add(new Probe(caller, "GET", "/pub/change/" + patientChanges[i] + "?include=resource", null, 404,
                "ResourceNotFound"));
        for (String path : List.of("/pub/change?filter[groups]=" + group,
                "/pub/change?filter[groups]=" + group + "&include=resource",
                "/pub/change?filter[groups]=" + group + "&filter[resource_type]=patient",
                "/pub/change?filter[groups]=" + group + "&filter[patient]=" + patient)) {
            probes.add(new Probe(caller, "GET", path, null, 403, "Forbidden"));
        }
    }

    static Stream<Arguments> probes() {
        Side h = hidden;
        List<Probe> probes = new ArrayList<>();
        String other = "other organization";
        for (String[] path : new String[][] {
                {"/pub/organization/" + h.organization()}, {"/pub/group/" + h.group()}, {"/pub/coach/" + h.coach()},
                {"/pub/patient/" + h.patient()}, {"/pub/patient/" + h.patient() + "/groups"},
                {"/pub/patient/" + h.patient() + "/coaches"}, {"/pub/oauth/token/" + h.tokenId() + "/groups"},
                {"/pub/oauth/token/" + h.tokenId() + "/organization"}, {"/pub/calendar_event/" + h.event()}}) {
            probes.add(new Probe(other, "GET", path[0], null, 404, "ResourceNotFound"));
        }
        probes.add(new Probe(other, "PATCH", "/pub/patient/" + h.patient(),
                "{\"data\":{\"type\":\"patient\",\"attributes\":{\"note\":\"x\"}}}", 404, "ResourceNotFound"));
        probes.add(new Probe(other, "PATCH", "/pub/calendar_event/" + h.event(),
                "{\"data\":{\"type\":\"calendar_event\",\"attributes\":{\"title\":\"x\"}}}", 404, "ResourceNotFound"));
        probes.add(new Probe(other, "DELETE", "/pub/calendar_event/" + h.event(), null, 404, "ResourceNotFound"));
        probes.add(new Probe(other, "POST", "/pub/calendar_event", eventBody(h.patient(), h.coach(), "Probe"), 403,
                "Forbidden"));
        probes.add(new Probe(other, "POST", "/pub/calendar_event_response",
                responseBody(h.event(), eventAttendee, h.coach()), 403, "Forbidden"));
        for (String path : List.of("/pub/group?filter[organization]=" + h.organization(),
                "/pub/coach?filter[organization]=" + h.organization(), "/pub/coach?filter[groups]=" + h.group(),
                "/pub/patient?filter[organization]=" + h.organization(), "/pub/patient?filter[groups]=" + h.group(),
                "/pub/patient?filter[group]=" + h.group(), "/pub/calendar_event?filter[organization]=" + h.organization(),
                "/pub/calendar_event?filter[groups]=" + h.group(), "/pub/calendar_event?filter[group]=" + h.group(),
                "/pub/calendar_event?filter[patient]=" + h.patient(), "/pub/calendar_event?filter[attendees]=" + h.coach())) {
            probes.add(new Probe(other, "GET", path, null, 403, "Forbidden"));
        }
        probes.add(new Probe(other, "POST", "/pub/patient", patientBody(h.group()), 403, "Forbidden"));
        probes.add(new Probe(other, "POST", "/pub/patient", Api.json(Map.of("data", Map.of("type", "patient",
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "meta",
                        Map.of("query", Map.of("organization", h.organization(), "name", "Hidden Secret Group"))))))))),
                403, "Forbidden"));
        rewardProbes(probes, other, hiddenRewards, h.group(), h.patient());
        for (String type : List.of("reward_program", "reward_program_activation", "reward")) {
            probes.add(new Probe(other, "GET", "/pub/" + type + "?filter[organization]=" + h.organization(), null, 403,
                    "Forbidden"));
        }
        probes.add(new Probe(other, "PUT", "/pub/patient", Api.json(Map.of("meta", Map.of("query", Map.of(
                "identifier", Map.of("system", "SECRET-EHR", "value", "SECRET-MRN-1"), "groups", List.of(h.group()))),
                "data", Map.of("type", "patient"))), 403, "Forbidden"));
        probes.addAll(carePlanProbes(other, care, h.patient(), h.group(), h.organization()));
        probes.add(new Probe(other, "POST", "/pub/patient_health_metric", Api.json(Map.of("data", Map.of(
                "type", "patient_health_metric", "attributes", Map.of("type", "weight", "value", 1,
                        "occurred_at", "2024-03-01T00:00:00Z"),
                "relationships", Map.of("patient", Map.of("data", Map.of("type", "patient", "meta", Map.of("query", Map.of(
                        "identifier", Map.of("system", "SECRET-EHR", "value", "SECRET-MRN-1"),
                        "organization", h.organization())))))))), 403, "Forbidden"));

        healthAndEmailProbes(probes, other, 0, h.patient(), h.group());
        coachEmailProbes(probes, other, 0);
        changeFeedProbes(probes, other, 0, h.group(), h.patient());
        for (String path : List.of("/pub/change?filter[organization]=" + h.organization(),
                "/pub/change?filter[organization]=" + h.organization() + "&include=resource")) {
            probes.add(new Probe(other, "GET", path, null, 403, "Forbidden"));
        }
        for (String type : List.of("health_profile", "health_profile_question", "health_profile_answer")) {
            probes.add(new Probe(other, "GET", "/pub/" + type + "?filter[organization]=" + h.organization(), null, 403,
                    "Forbidden"));
        }

        String scoped = "group-scoped client";
        changeFeedProbes(probes, scoped, 1, h.outOfScopeGroup(), h.outOfScopePatient());
        healthAndEmailProbes(probes, scoped, 1, h.outOfScopePatient(), h.outOfScopeGroup());
        coachEmailProbes(probes, scoped, 1);
        for (String path : List.of("/pub/group/" + h.outOfScopeGroup(), "/pub/patient/" + h.outOfScopePatient(),
                "/pub/patient/" + h.outOfScopePatient() + "/groups", "/pub/patient/" + h.outOfScopePatient() + "/coaches",
                "/pub/calendar_event/" + h.outOfScopeEvent())) {
            probes.add(new Probe(scoped, "GET", path, null, 404, "ResourceNotFound"));
        }
        probes.add(new Probe(scoped, "PATCH", "/pub/patient/" + h.outOfScopePatient(),
                "{\"data\":{\"type\":\"patient\",\"attributes\":{\"note\":\"x\"}}}", 404, "ResourceNotFound"));
        probes.add(new Probe(scoped, "PATCH", "/pub/calendar_event/" + h.outOfScopeEvent(),
                "{\"data\":{\"type\":\"calendar_event\",\"attributes\":{\"title\":\"x\"}}}", 404, "ResourceNotFound"));
        probes.add(new Probe(scoped, "DELETE", "/pub/calendar_event/" + h.outOfScopeEvent(), null, 404, "ResourceNotFound"));
        probes.add(new Probe(scoped, "POST", "/pub/calendar_event", eventBody(h.outOfScopePatient(), h.coach(), "Probe"),
                403, "Forbidden"));
        probes.add(new Probe(scoped, "POST", "/pub/calendar_event_response",
                responseBody(h.outOfScopeEvent(), outOfScopeEventAttendee, h.coach()), 403, "Forbidden"));
        for (String path : List.of("/pub/coach?filter[groups]=" + h.outOfScopeGroup(),
                "/pub/patient?filter[groups]=" + h.outOfScopeGroup(),
                "/pub/calendar_event?filter[groups]=" + h.outOfScopeGroup(),
                "/pub/calendar_event?filter[patient]=" + h.outOfScopePatient(),
                "/pub/calendar_event?filter[attendees]=" + h.outOfScopePatient())) {
            probes.add(new Probe(scoped, "GET", path, null, 403, "Forbidden"));
        }
        probes.add(new Probe(scoped, "POST", "/pub/patient", patientBody(h.outOfScopeGroup()), 403, "Forbidden"));
        rewardProbes(probes, scoped, outOfScopeRewards, h.outOfScopeGroup(), h.outOfScopePatient());
        probes.add(new Probe(scoped, "POST", "/pub/group",
                "{\"data\":{\"type\":\"group\",\"attributes\":{\"name\":\"Sneaky\"}}}", 403, "Forbidden"));
        probes.addAll(carePlanProbes(scoped, outOfScopeCare, h.outOfScopePatient(), h.outOfScopeGroup(), null));
        fhirProbes(probes, other, h.organization(), h.group(), h.coach(), h.patient(), h.event(), care);
        fhirProbes(probes, scoped, null, h.outOfScopeGroup(), null, h.outOfScopePatient(), h.outOfScopeEvent(),
                outOfScopeCare);
        return probes.stream().map(Arguments::of);
    }

    /** FHIR R4 reads of the hidden data (404) and searches naming its patient (403), as OperationOutcomes. */
    private static void fhirProbes(List<Probe> probes, String caller, String organization, String group, String coach,
            String patient, String event, CarePlanIds ids) {
        List<String> reads = new ArrayList<>(List.of("Group/" + group, "Patient/" + patient, "Appointment/" + event,
                "Observation/" + ids.metric(), "CarePlan/" + ids.plan()));
        if (organization != null) {
            reads.add("Organization/" + organization);
            reads.add("Practitioner/" + coach);
        }
        for (String read : reads) {
            probes.add(new Probe(caller, "GET", "/fhir/r4/" + read, null, 404, "ResourceNotFound"));
        }
        for (String search : List.of("Observation", "CarePlan", "Appointment", "QuestionnaireResponse")) {
            probes.add(new Probe(caller, "GET", "/fhir/r4/" + search + "?patient=" + patient, null, 403, "Forbidden"));
        }
        // Bulk Data: the hidden group's export, and the status and files of an export another client started.
        probes.add(new Probe(caller, "GET", "/fhir/r4/Group/" + group + "/$export", null, 404, "ResourceNotFound"));
        probes.add(new Probe(caller, "GET", "/fhir/r4/$export-status/" + hiddenExport, null, 404, "ResourceNotFound"));
        probes.add(new Probe(caller, "DELETE", "/fhir/r4/$export-status/" + hiddenExport, null, 404,
                "ResourceNotFound"));
        probes.add(new Probe(caller, "GET", "/fhir/r4/$export-file/" + hiddenExport + "/Patient-1.ndjson", null, 404,
                "ResourceNotFound"));
    }

    /** FHIR's OperationOutcome issue code of an error code of /pub. */
    private static String fhirIssue(String code) {
        return switch (code) {
            case "ResourceNotFound" -> "not-found";
            case "Forbidden" -> "forbidden";
            case "Unauthorized" -> "login";
            default -> throw new IllegalArgumentException(code);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("probes")
    void anotherTenantsDataIsNeverServed(Probe probe) {
        String token = probe.caller().equals("group-scoped client") ? groupScopedToken : otherOrganizationToken;
        boolean fhir = probe.path().startsWith("/fhir/");
        // Prefer: respond-async on every FHIR probe, so that a Bulk Data kick-off goes as far as its group.
        Api.Response response = fhir ? api.sendOutsideContract(probe.method(), probe.path(), token, null, null,
                List.of("Prefer", "respond-async"))
                : api.send(probe.method(), probe.path(), token, probe.body() == null ? null : Api.JSON_API, probe.body(),
                        List.of());
        assertThat(response.status()).as(response.body()).isEqualTo(probe.status());
        if (fhir) {
            assertThat(response.at("/resourceType").asText()).isEqualTo("OperationOutcome");
            assertThat(response.at("/issue/0/code").asText()).isEqualTo(fhirIssue(probe.code()));
        } else {
            assertThat(response.at("/errors/0/code").asText()).isEqualTo(probe.code());
        }
        assertThat(response.json().has("data")).isFalse();
        List<String> secrets = new ArrayList<>(hidden.secrets());
        if (probe.caller().equals("group-scoped client")) {
            // The group-scoped client belongs to the hidden organization: only the out-of-scope data is secret.
            secrets = List.of("Outofscopepatient", "Hidden Second Group", "Outofscopecoach");
        }
        for (String secret : secrets) {
            assertThat(response.body()).doesNotContain(secret);
        }
    }

    private static Map<String, Object> identifier(String value) {
        return Map.of("system", "SECRET-EHR", "value", value);
    }

    /** The secrets of a response the prober caused by sending the hidden side's identifier itself. */
    private static void assertNoHiddenData(Api.Response response) {
        for (String secret : hidden.secrets()) {
            if (!secret.startsWith("SECRET-")) {
                assertThat(response.body()).doesNotContain(secret);
            }
        }
        assertThat(response.body()).doesNotContain(hidden.patient()).doesNotContain(hidden.organization());
    }

    /** Every change a client's feed serves, with the included resources, from the beginning to the end. */
    private static String wholeFeed(String firstLink, String token) {
        StringBuilder served = new StringBuilder();
        String link = firstLink;
        while (true) {
            Api.Response page = api.get(link, token);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            served.append(page.body());
            link = page.at("/links/next").asText();
            if (page.json().path("data").isEmpty()) {
                return served.toString();
            }
        }
    }

    @org.junit.jupiter.api.Test
    void theChangeFeedServesNoChangeOutsideTheScope() {
        // The other organization's whole feed with the changed resources: its own group, nothing of the hidden side.
        String otherFeed = wholeFeed("/pub/change?filter[organization]=" + proberOrganization
                + "&include=resource&page[limit]=500", otherOrganizationToken);
        assertThat(otherFeed).contains(proberGroup).contains("Prober Group");
        for (String secret : hidden.secrets()) {
            assertThat(otherFeed).doesNotContain(secret);
        }
        assertThat(otherFeed).doesNotContain(hidden.organization()).doesNotContain(hidden.patient())
                .doesNotContain(hidden.group());
        // The group-scoped client's whole feed: its group's patient and data, nothing of the other group's.
        String scopedFeed = wholeFeed("/pub/change?filter[groups]=" + hidden.group()
                + "&include=resource&page[limit]=500", groupScopedToken);
        assertThat(scopedFeed).contains(hidden.patient()).contains("Hiddenpatient").contains(care.result());
        for (String secret : List.of("Outofscopepatient", "Hidden Second Group", "Outofscopecoach")) {
            assertThat(scopedFeed).doesNotContain(secret);
        }
        for (String id : List.of(hidden.outOfScopePatient(), hidden.outOfScopeEvent(), outOfScopeCare.plan(),
                outOfScopeCare.action(), outOfScopeCare.bundle(), outOfScopeCare.metric(), outOfScopeCare.result(),
                profiles[1], answers[1], emails[1], coachEmails[1], emailCoaches[1], outOfScopeRewards.get("program"))) {
            assertThat(scopedFeed).doesNotContain(id);
        }
    }

    @org.junit.jupiter.api.Test
    void anIdentifierAnotherOrganizationHoldsIsFreeHere() {
        // The hidden side holds SECRET-MRN-2 (as it holds SECRET-MRN-1): the prober creates a patient with it.
        Api.Response held = api.post("/pub/patient", hidden.token(), Api.json(Map.of("data", Map.of("type", "patient",
                "attributes", Map.of("first_name", "Hiddenpatient", "identifiers", List.of(identifier("SECRET-MRN-2"))),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", hidden.group()))))))));
        assertThat(held.status()).as(held.body()).isEqualTo(201);
        Api.Response created = api.post("/pub/patient", otherOrganizationToken, Api.json(Map.of("data", Map.of(
                "type", "patient", "attributes", Map.of("first_name", "Prober", "identifiers",
                        List.of(identifier("SECRET-MRN-2"))),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", proberGroup))))))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.at("/data/id").asText()).isNotEqualTo(held.at("/data/id").asText());
        assertNoHiddenData(created);
    }

    @org.junit.jupiter.api.Test
    void anUpsertOfAnotherOrganizationsIdentifierCreatesItsOwnPatient() {
        Api.Response before = api.get("/pub/patient/" + hidden.patient(), hidden.token());
        String upsert = Api.json(Map.of("meta", Map.of("query", Map.of("identifier", identifier("SECRET-MRN-1"),
                        "groups", List.of(proberGroup))),
                "data", Map.of("type", "patient", "attributes", Map.of("first_name", "Prober", "note", "probe"))));
        Api.Response first = api.send("PUT", "/pub/patient", otherOrganizationToken, Api.JSON_API, upsert, List.of());
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        String own = first.at("/data/id").asText();
        assertThat(own).isNotEqualTo(hidden.patient());
        assertThat(first.at("/data/relationships/groups/data/0/id").asText()).isEqualTo(proberGroup);
        assertNoHiddenData(first);
        // The same upsert again finds the prober's own patient.
        Api.Response second = api.send("PUT", "/pub/patient", otherOrganizationToken, Api.JSON_API, upsert, List.of());
        assertThat(second.status()).as(second.body()).isEqualTo(200);
        assertThat(second.at("/data/id").asText()).isEqualTo(own);
        // The hidden patient is exactly as it was.
        assertThat(api.get("/pub/patient/" + hidden.patient(), hidden.token()).at("/data"))
                .isEqualTo(before.at("/data"));
    }

    @org.junit.jupiter.api.Test
    void aGroupScopedClientListsOnlyItsPatientsEvents() {
        Api.Response response = api.get("/pub/calendar_event?filter[organization]=" + hidden.organization()
                + "&include=owner&page[limit]=500", groupScopedToken);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.ids()).contains(hidden.event()).doesNotContain(hidden.outOfScopeEvent());
        assertThat(response.body()).doesNotContain("Outofscopepatient").doesNotContain(hidden.outOfScopePatient());
    }

    static Stream<Arguments> authenticatedRoutes() {
        List<String[]> requests = new ArrayList<>();
        for (String route : TestServer.get().application.routes()) {
            String[] parts = route.split(" ", 2);
            String path = parts[1];
            boolean fhir = path.startsWith("/fhir/") && !path.equals("/fhir/r4/metadata");
            if (!fhir && (!path.startsWith("/pub/") || path.equals("/pub/oauth/token") || path.startsWith("/pub/openapi."))) {
                continue;
            }
            requests.add(new String[] {parts[0], path.replace("{id}", "000000000000000000000000")
                    .replace("{type}", "Patient").replace("{job}", "000000000000000000000000")
                    .replace("{file}", "Patient-1.ndjson")});
        }
        List<Arguments> arguments = new ArrayList<>();
        for (String[] request : requests) {
            for (String token : List.of("missing", "malformed", "unknown", "revoked", "expired")) {
                arguments.add(Arguments.of(request[0] + " " + request[1] + " with a " + token + " token", request[0],
                        request[1], token));
            }
        }
        return arguments.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("authenticatedRoutes")
    void everyAuthenticatedRouteRefusesBadTokens(String name, String method, String path, String token) {
        List<String> headers = switch (token) {
            case "malformed" -> List.of("Authorization", "Basic YWJjOmRlZg==");
            case "unknown" -> List.of("Authorization", "Bearer not-a-token-we-issued");
            case "revoked" -> List.of("Authorization", "Bearer " + revokedToken);
            case "expired" -> List.of("Authorization", "Bearer " + expiredToken);
            default -> List.of();
        };
        String body = method.equals("GET") ? null : "{}";
        boolean fhir = path.startsWith("/fhir/");
        Api.Response response = fhir ? api.sendOutsideContract(method, path, null, null, null, headers)
                : api.send(method, path, null, body == null ? null : Api.JSON_API, body, headers);
        assertThat(response.status()).as(response.body()).isEqualTo(401);
        if (fhir) {
            assertThat(response.at("/issue/0/code").asText()).isEqualTo(fhirIssue("Unauthorized"));
        } else {
            assertThat(response.at("/errors/0/code").asText()).isEqualTo("Unauthorized");
        }
        assertThat(response.header("WWW-Authenticate").orElseThrow()).startsWith("Bearer");
    }
}
