package dev.openplus.email;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * Email records: recording, status times that only grow, the list's filters, sort and paging, scopes, and a receiver
 * that is a patient or a coach (a polymorphic relationship).
 */
class EmailHistoryTest {
    static Api api;
    static Fixtures.Tenant tenant;
    static Fixtures.Tenant stranger;
    static String group;
    static String otherGroup;
    static String coach;
    static String otherCoach;
    static String patient;
    static String outsidePatient;
    static String strangerPatient;
    static String strangerCoach;
    /** In the unmailed group only, but a coach of {@link #patient}: a group-scoped client sees it. */
    static String patientsCoach;
    static String groupScopedToken;

    @BeforeAll
    static void setUp() {
        TestServer server = TestServer.get();
        api = server.api();
        Fixtures fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Email Org");
        stranger = fixtures.tenant("Email Stranger Org");
        group = fixtures.group(tenant.organizationId(), "Mailed");
        otherGroup = fixtures.group(tenant.organizationId(), "Unmailed");
        coach = fixtures.coach(tenant.organizationId(), "Mae", "Sender", group);
        otherCoach = fixtures.coach(tenant.organizationId(), "Otto", "Sender", otherGroup);
        patient = patient(tenant, group);
        outsidePatient = patient(tenant, otherGroup);
        String theirs = fixtures.group(stranger.organizationId(), "Theirs");
        strangerPatient = patient(stranger, theirs);
        strangerCoach = fixtures.coach(stranger.organizationId(), "Stella", "Stranger", theirs);
        patientsCoach = fixtures.coach(tenant.organizationId(), "Pat", "Coachson", otherGroup);
        Api.Response coached = api.post("/pub/patient", tenant.token(), Api.json(Map.of("data", Map.of("type", "patient",
                "attributes", Map.of("first_name", "Coached"), "relationships", Map.of(
                        "groups", Map.of("data", List.of(Map.of("type", "group", "id", group))),
                        "coaches", Map.of("data", List.of(Map.of("type", "coach", "id", patientsCoach,
                                "meta", Map.of("primary", true)))))))));
        assertThat(coached.status()).as(coached.body()).isEqualTo(201);
        groupScopedToken = fixtures.token(fixtures.client(tenant.organizationId(), group));
    }

    static String patient(Fixtures.Tenant owner, String groupId) {
        Api.Response response = api.post("/pub/patient", owner.token(), Api.json(Map.of("data", Map.of("type", "patient",
                "attributes", Map.of("first_name", "Mailee"),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", groupId))))))));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.at("/data/id").asText();
    }

    static Map<String, Object> email(String receiver, String sender, String type, String sendTime,
            Map<String, Object> statusTimes) {
        return email("patient", receiver, sender, type, sendTime, statusTimes);
    }

    static Map<String, Object> email(String receiverType, String receiver, String sender, String type, String sendTime,
            Map<String, Object> statusTimes) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("email_address", "mailee@example.com");
        attributes.put("email_type", type);
        attributes.put("send_time", sendTime);
        if (statusTimes != null) {
            attributes.put("status_times", statusTimes);
        }
        Map<String, Object> relationships = new LinkedHashMap<>();
        relationships.put("receiver", Map.of("data", Map.of("type", receiverType, "id", receiver)));
        if (sender != null) {
            relationships.put("sender", Map.of("data", Map.of("type", "coach", "id", sender)));
        }
        return Map.of("type", "email_history", "attributes", attributes, "relationships", relationships);
    }

    static Api.Response record(String token, Map<String, Object> data) {
        return api.post("/pub/email_history", token, Api.json(Map.of("data", data)));
    }

    static Api.Response patch(String token, String id, Map<String, Object> attributes) {
        return api.send("PATCH", "/pub/email_history/" + id, token, Api.JSON_API, Api.json(Map.of("data",
                Map.of("type", "email_history", "id", id, "attributes", attributes))), List.of());
    }

    static void refused(Api.Response response, int status, String code, String pointer) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.at("/errors/0/code").asText()).isEqualTo(code);
        assertThat(response.at("/errors/0/source/pointer").asText()).as(response.body()).isEqualTo(pointer);
    }

    @Test
    void anEmailIsRecordedAndReadBack() {
        Api.Response created = record(tenant.token(), email(patient, coach, "invite", "2017-02-25T13:35:01Z",
                Map.of("processed", "2017-02-25T14:35:02+01:00")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.at("/data/id").asText();
        assertThat(created.at("/data/type").asText()).isEqualTo("email_history");
        assertThat(created.at("/data/attributes/twine_email_id").asText())
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(created.at("/data/attributes/email_address").asText()).isEqualTo("mailee@example.com");
        assertThat(created.at("/data/attributes/email_type").asText()).isEqualTo("invite");
        assertThat(created.at("/data/attributes/send_time").asText()).isEqualTo("2017-02-25T13:35:01.000Z");
        assertThat(created.at("/data/attributes/status_times/processed").asText()).isEqualTo("2017-02-25T13:35:02.000Z");
        assertThat(created.at("/data/attributes/created_by").asText()).isEqualTo(tenant.client().get("client_id"));
        assertThat(created.at("/data/relationships/receiver/data/type").asText()).isEqualTo("patient");
        assertThat(created.at("/data/relationships/receiver/data/id").asText()).isEqualTo(patient);
        assertThat(created.at("/data/relationships/sender/data/id").asText()).isEqualTo(coach);

        Api.Response fetched = api.get("/pub/email_history/" + id + "?include=receiver,sender", tenant.token());
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.at("/data/links/self").asText()).isEqualTo("/pub/email_history/" + id);
        assertThat(fetched.json().get("included")).hasSize(2);

        Api.Response systemEmail = record(tenant.token(), email(patient, null, "reminder", "2017-02-26T00:00:00Z", null));
        assertThat(systemEmail.status()).as(systemEmail.body()).isEqualTo(201);
        assertThat(systemEmail.at("/data/relationships/sender/data").isNull()).isTrue();
        assertThat(systemEmail.at("/data/attributes/status_times").isObject()).isTrue();
        assertThat(systemEmail.at("/data/attributes/status_times")).isEmpty();
    }

    @Test
    void aBadRecordIsRefusedAtItsPointer() {
        Map<String, Object> missing = new LinkedHashMap<>(email(patient, coach, "invite", "2017-01-01T00:00:00Z", null));
        missing.put("attributes", Map.of("email_type", "invite", "send_time", "2017-01-01T00:00:00Z"));
        refused(record(tenant.token(), missing), 409, "InvalidBodyParameter", "/data/attributes/email_address");
        Map<String, Object> noReceiver = new LinkedHashMap<>(email(patient, coach, "invite", "2017-01-01T00:00:00Z", null));
        noReceiver.put("relationships", Map.of());
        refused(record(tenant.token(), noReceiver), 409, "InvalidBodyParameter", "/data/relationships/receiver");
        refused(record(tenant.token(), email(patient, coach, "invite", "yesterday", null)), 409, "InvalidBodyParameter",
                "/data/attributes/send_time");
        refused(record(tenant.token(), email(patient, coach, "invite", "2017-01-01T00:00:00Z",
                Map.of("opened", "2017-01-01T00:00:00Z"))), 409, "InvalidBodyParameter",
                "/data/attributes/status_times/opened");
        refused(record(tenant.token(), email(patient, coach, "invite", "2017-01-01T00:00:00Z",
                Map.of("open", "soon"))), 409, "InvalidBodyParameter", "/data/attributes/status_times/open");
        refused(record(tenant.token(), email(strangerPatient, coach, "invite", "2017-01-01T00:00:00Z", null)), 403,
                "Forbidden", "/data/relationships/receiver/data/id");
        refused(record(tenant.token(), email(patient, patient, "invite", "2017-01-01T00:00:00Z", null)), 403,
                "Forbidden", "/data/relationships/sender/data/id");
        Map<String, Object> address = new LinkedHashMap<>(email(patient, coach, "invite", "2017-01-01T00:00:00Z", null));
        address.put("attributes", Map.of("email_address", "not-an-address", "email_type", "invite",
                "send_time", "2017-01-01T00:00:00Z"));
        refused(record(tenant.token(), address), 409, "InvalidBodyParameter", "/data/attributes/email_address");
        assertThat(api.get("/pub/email_history?filter[receiver]=" + strangerPatient, stranger.token())
                .at("/meta/count").asInt()).isZero();
    }

    @Test
    void statusTimesAreOnlyAdded() {
        String id = record(tenant.token(), email(patient, coach, "invite", "2017-03-01T10:00:00Z",
                Map.of("processed", "2017-03-01T10:00:01Z"))).at("/data/id").asText();
        Api.Response delivered = patch(tenant.token(), id, Map.of("status_times", Map.of("delivered", "2017-03-01T10:00:03Z")));
        assertThat(delivered.status()).as(delivered.body()).isEqualTo(200);
        assertThat(delivered.at("/data/attributes/status_times/processed").asText()).isEqualTo("2017-03-01T10:00:01.000Z");
        assertThat(delivered.at("/data/attributes/status_times/delivered").asText()).isEqualTo("2017-03-01T10:00:03.000Z");
        Api.Response resent = patch(tenant.token(), id, Map.of("status_times", Map.of("processed", "2017-03-01T11:00:01+01:00",
                "open", "2017-03-01T12:00:00Z")));
        assertThat(resent.status()).as("the same instant again is no change").isEqualTo(200);
        assertThat(resent.at("/data/attributes/status_times/open").asText()).isEqualTo("2017-03-01T12:00:00.000Z");

        refused(patch(tenant.token(), id, Map.of("status_times", Map.of("processed", "2017-03-02T00:00:00Z"))), 409,
                "InvalidBodyParameter", "/data/attributes/status_times/processed");
        Map<String, Object> removal = new LinkedHashMap<>();
        removal.put("delivered", null);
        refused(patch(tenant.token(), id, Map.of("status_times", removal)), 409, "InvalidBodyParameter",
                "/data/attributes/status_times/delivered");
        Map<String, Object> cleared = new LinkedHashMap<>();
        cleared.put("status_times", null);
        refused(patch(tenant.token(), id, cleared), 409, "InvalidBodyParameter", "/data/attributes/status_times");
        refused(patch(tenant.token(), id, Map.of("email_type", "reminder")), 409, "InvalidBodyParameter",
                "/data/attributes/email_type");
        refused(patch(tenant.token(), id, Map.of("send_time", "2018-01-01T00:00:00Z")), 409, "InvalidBodyParameter",
                "/data/attributes/send_time");
        Api.Response receiver = api.send("PATCH", "/pub/email_history/" + id, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "email_history", "id", id, "relationships",
                        Map.of("receiver", Map.of("data", Map.of("type", "patient", "id", outsidePatient)))))), List.of());
        refused(receiver, 409, "InvalidBodyParameter", "/data/relationships/receiver/data");
        Api.Response after = api.get("/pub/email_history/" + id, tenant.token());
        assertThat(after.at("/data/attributes/status_times").size()).isEqualTo(3);
        assertThat(after.at("/data/attributes/email_type").asText()).isEqualTo("invite");
        assertThat(after.at("/data/relationships/receiver/data/id").asText()).isEqualTo(patient);
    }

    @Test
    void theListFiltersSortsAndPages() {
        String receiver = patient(tenant, group);
        List<String> ids = new ArrayList<>();
        String[] times = {"2016-05-03T00:00:00Z", "2016-05-01T00:00:00Z", "2016-05-05T00:00:00Z", "2016-05-02T00:00:00Z",
            "2016-05-04T00:00:00Z"};
        for (int i = 0; i < times.length; i++) {
            Api.Response created = record(tenant.token(), email(receiver, i < 3 ? coach : otherCoach,
                    i % 2 == 0 ? "invite" : "reminder", times[i], null));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            ids.add(created.at("/data/id").asText());
        }
        List<String> bySendTime = List.of(ids.get(1), ids.get(3), ids.get(0), ids.get(4), ids.get(2));
        List<String> latestFirst = List.of(ids.get(2), ids.get(4), ids.get(0), ids.get(3), ids.get(1));
        String base = "/pub/email_history?filter[receiver]=" + receiver;
        Api.Response ascending = api.get(base + "&sort=send_time", tenant.token());
        assertThat(ascending.ids()).isEqualTo(bySendTime);
        assertThat(ascending.at("/meta/count").asInt()).isEqualTo(5);
        assertThat(api.get(base + "&sort=-send_time", tenant.token()).ids()).isEqualTo(latestFirst);
        assertThat(api.pageThrough(base + "&sort=send_time&page[limit]=2", tenant.token())).isEqualTo(bySendTime);
        assertThat(api.pageThrough(base + "&sort=-send_time&page[size]=2", tenant.token())).isEqualTo(latestFirst);
        assertThat(api.get(base + "&filter[emailType]=reminder&sort=send_time", tenant.token()).ids())
                .containsExactly(ids.get(1), ids.get(3));
        assertThat(api.get("/pub/email_history?filter[sender]=" + otherCoach + "&sort=send_time", tenant.token()).ids())
                .containsExactly(ids.get(3), ids.get(4));
        assertThat(api.get(base + "&filter[sender]=" + coach + "&sort=-send_time", tenant.token()).ids())
                .containsExactly(ids.get(2), ids.get(0), ids.get(1));

        Api.Response unfiltered = api.get("/pub/email_history", tenant.token());
        assertThat(unfiltered.status()).isEqualTo(409);
        assertThat(unfiltered.at("/errors/0/source/parameter").asText()).isEqualTo("filter[receiver]");
        Api.Response badSort = api.get(base + "&sort=email_address", tenant.token());
        assertThat(badSort.status()).isEqualTo(409);
        assertThat(badSort.at("/errors/0/source/parameter").asText()).isEqualTo("sort");
    }

    @Test
    void aGroupScopedClientSeesAndRecordsOnlyForItsPatients() {
        String inside = record(tenant.token(), email(patient, coach, "invite", "2017-04-01T00:00:00Z", null))
                .at("/data/id").asText();
        String outside = record(tenant.token(), email(outsidePatient, coach, "invite", "2017-04-01T00:00:00Z", null))
                .at("/data/id").asText();
        Api.Response bySender = api.get("/pub/email_history?filter[sender]=" + coach + "&page[limit]=500", groupScopedToken);
        assertThat(bySender.ids()).contains(inside).doesNotContain(outside);
        for (JsonNode row : bySender.at("/data")) {
            assertThat(row.at("/relationships/receiver/data/id").asText()).isNotEqualTo(outsidePatient);
        }
        assertThat(api.get("/pub/email_history/" + outside, groupScopedToken).status()).isEqualTo(404);
        assertThat(api.get("/pub/email_history/" + inside, groupScopedToken).status()).isEqualTo(200);
        refused(record(groupScopedToken, email(outsidePatient, coach, "invite", "2017-04-02T00:00:00Z", null)), 403,
                "Forbidden", "/data/relationships/receiver/data/id");
        assertThat(record(groupScopedToken, email(patient, coach, "invite", "2017-04-02T00:00:00Z", null)).status())
                .isEqualTo(201);
        Api.Response foreignPatch = patch(groupScopedToken, outside, Map.of("status_times", Map.of("open", "2017-04-03T00:00:00Z")));
        assertThat(foreignPatch.status()).isEqualTo(404);
        assertThat(foreignPatch.at("/errors/0/code").asText()).isEqualTo("ResourceNotFound");
        Api.Response otherOrganization = api.get("/pub/email_history/" + inside, stranger.token());
        assertThat(otherOrganization.status()).isEqualTo(404);
    }

    @Test
    void aCoachCanBeTheReceiver() {
        Api.Response created = record(tenant.token(), email("coach", otherCoach, coach, "coach_digest",
                "2018-01-02T03:04:05Z", Map.of("delivered", "2018-01-02T03:04:06Z")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.at("/data/id").asText();
        assertThat(created.at("/data/relationships/receiver/data/type").asText()).isEqualTo("coach");
        assertThat(created.at("/data/relationships/receiver/data/id").asText()).isEqualTo(otherCoach);
        assertThat(created.at("/data/relationships/sender/data/type").asText()).isEqualTo("coach");

        Api.Response fetched = api.get("/pub/email_history/" + id + "?include=receiver", tenant.token());
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.at("/data/relationships/receiver/data/type").asText()).isEqualTo("coach");
        assertThat(fetched.at("/data/relationships/receiver/data/id").asText()).isEqualTo(otherCoach);
        assertThat(fetched.json().get("included")).hasSize(1);
        assertThat(fetched.at("/included/0/type").asText()).isEqualTo("coach");
        assertThat(fetched.at("/included/0/id").asText()).isEqualTo(otherCoach);
        assertThat(fetched.at("/included/0/attributes/first_name").asText()).isEqualTo("Otto");

        // The same receiver again is no change; a receiver of the other type is a change, and refused.
        Map<String, Object> same = Map.of("type", "email_history", "id", id, "relationships",
                Map.of("receiver", Map.of("data", Map.of("type", "coach", "id", otherCoach))),
                "attributes", Map.of("status_times", Map.of("open", "2018-01-02T04:00:00Z")));
        Api.Response kept = api.send("PATCH", "/pub/email_history/" + id, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", same)), List.of());
        assertThat(kept.status()).as(kept.body()).isEqualTo(200);
        assertThat(kept.at("/data/relationships/receiver/data/type").asText()).isEqualTo("coach");
        Api.Response toPatient = api.send("PATCH", "/pub/email_history/" + id, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "email_history", "id", id, "relationships",
                        Map.of("receiver", Map.of("data", Map.of("type", "patient", "id", patient)))))), List.of());
        refused(toPatient, 409, "InvalidBodyParameter", "/data/relationships/receiver/data");
        Api.Response after = api.get("/pub/email_history/" + id, tenant.token());
        assertThat(after.at("/data/relationships/receiver/data/type").asText()).isEqualTo("coach");
        assertThat(after.at("/data/relationships/receiver/data/id").asText()).isEqualTo(otherCoach);
        assertThat(after.at("/data/attributes/status_times/open").asText()).isEqualTo("2018-01-02T04:00:00.000Z");
    }

    @Test
    void onePageIncludesPatientAndCoachReceiversAndFiltersByEither() {
        String sender = fixtures().coach(tenant.organizationId(), "Sid", "Mixer", group);
        String receiver = patient(tenant, group);
        String toPatient = record(tenant.token(), email(receiver, sender, "invite", "2019-01-01T00:00:00Z", null))
                .at("/data/id").asText();
        String toCoach = record(tenant.token(), email("coach", coach, sender, "coach_digest", "2019-01-02T00:00:00Z", null))
                .at("/data/id").asText();
        String toOtherCoach = record(tenant.token(), email("coach", otherCoach, sender, "coach_digest",
                "2019-01-03T00:00:00Z", null)).at("/data/id").asText();

        for (String paging : List.of("page[limit]=50", "page[size]=50")) {
            Api.Response page = api.get("/pub/email_history?filter[sender]=" + sender
                    + "&sort=send_time&include=receiver&" + paging, tenant.token());
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            assertThat(page.ids()).containsExactly(toPatient, toCoach, toOtherCoach);
            assertThat(page.at("/data/0/relationships/receiver/data/type").asText()).isEqualTo("patient");
            assertThat(page.at("/data/1/relationships/receiver/data/type").asText()).isEqualTo("coach");
            assertThat(page.at("/data/2/relationships/receiver/data/type").asText()).isEqualTo("coach");
            List<String> included = new ArrayList<>();
            page.json().get("included").forEach(node -> included.add(node.at("/type").asText() + "/" + node.at("/id").asText()));
            assertThat(included).containsExactlyInAnyOrder("patient/" + receiver, "coach/" + coach, "coach/" + otherCoach);
        }

        // Sparse fieldsets apply to the email and to each included type.
        Api.Response sparse = api.get("/pub/email_history?filter[sender]=" + sender + "&sort=send_time&include=receiver"
                + "&fields[email_history]=receiver&fields[coach]=last_name&fields[patient]=first_name", tenant.token());
        assertThat(sparse.status()).as(sparse.body()).isEqualTo(200);
        assertThat(sparse.at("/data/1/attributes")).isEmpty();
        assertThat(sparse.at("/data/1/relationships/receiver/data/type").asText()).isEqualTo("coach");
        assertThat(sparse.at("/data/1/relationships").has("sender")).isFalse();
        for (JsonNode node : sparse.json().get("included")) {
            assertThat(node.at("/attributes").size()).as(node.toString()).isEqualTo(1);
            assertThat(node.at("/attributes").has(node.at("/type").asText().equals("coach") ? "last_name" : "first_name"))
                    .isTrue();
        }

        assertThat(api.get("/pub/email_history?filter[receiver]=" + coach + "&filter[sender]=" + sender, tenant.token())
                .ids()).containsExactly(toCoach);
        assertThat(api.get("/pub/email_history?filter[receiver]=" + otherCoach + "," + receiver + "&sort=-send_time",
                tenant.token()).ids()).containsExactly(toOtherCoach, toPatient);
        Api.Response coachType = api.get("/pub/email_history?filter[receiver]=" + coach + "&filter[emailType]=coach_digest"
                + "&filter[sender]=" + sender, tenant.token());
        assertThat(coachType.ids()).containsExactly(toCoach);
        assertThat(coachType.at("/meta/count").asInt()).isEqualTo(1);

        Api.Response foreign = api.get("/pub/email_history?filter[receiver]=" + strangerCoach, tenant.token());
        assertThat(foreign.status()).as(foreign.body()).isEqualTo(403);
        assertThat(foreign.at("/errors/0/code").asText()).isEqualTo("Forbidden");
        assertThat(foreign.at("/errors/0/source/parameter").asText()).isEqualTo("filter[receiver]");
    }

    @Test
    void aReceiverOfAnotherTypeOrOutsideTheScopeIsRefused() {
        refused(record(tenant.token(), email("group", group, coach, "invite", "2017-01-01T00:00:00Z", null)), 409,
                "InvalidBodyParameter", "/data/relationships/receiver/data/type");
        Api.Response wrongType = record(tenant.token(), email("user", coach, null, "invite", "2017-01-01T00:00:00Z", null));
        refused(wrongType, 409, "InvalidBodyParameter", "/data/relationships/receiver/data/type");
        assertThat(wrongType.at("/errors/0/detail").asText()).contains("\"patient\"").contains("\"coach\"");
        refused(record(tenant.token(), email("coach", "not-an-id", coach, "invite", "2017-01-01T00:00:00Z", null)), 409,
                "InvalidBodyParameter", "/data/relationships/receiver/data/id");
        Map<String, Object> nullReceiver = new LinkedHashMap<>(email(patient, coach, "invite", "2017-01-01T00:00:00Z", null));
        Map<String, Object> relationships = new LinkedHashMap<>();
        relationships.put("receiver", java.util.Collections.singletonMap("data", null));
        nullReceiver.put("relationships", relationships);
        refused(record(tenant.token(), nullReceiver), 409, "InvalidBodyParameter", "/data/relationships/receiver/data");
        // A coach of another organization, and ids of the other type, answer like missing ones.
        refused(record(tenant.token(), email("coach", strangerCoach, coach, "invite", "2017-01-01T00:00:00Z", null)), 403,
                "Forbidden", "/data/relationships/receiver/data/id");
        refused(record(tenant.token(), email("coach", patient, coach, "invite", "2017-01-01T00:00:00Z", null)), 403,
                "Forbidden", "/data/relationships/receiver/data/id");
        refused(record(tenant.token(), email("patient", coach, coach, "invite", "2017-01-01T00:00:00Z", null)), 403,
                "Forbidden", "/data/relationships/receiver/data/id");
        // The sender stays a coach.
        Map<String, Object> patientSender = new LinkedHashMap<>(email(patient, null, "invite", "2017-01-01T00:00:00Z", null));
        patientSender.put("relationships", Map.of("receiver", Map.of("data", Map.of("type", "coach", "id", coach)),
                "sender", Map.of("data", Map.of("type", "patient", "id", patient))));
        refused(record(tenant.token(), patientSender), 409, "InvalidBodyParameter", "/data/relationships/sender/data/type");
        assertThat(api.get("/pub/email_history?filter[receiver]=" + strangerCoach, stranger.token()).at("/meta/count")
                .asInt()).isZero();
    }

    @Test
    void aGroupScopedClientSeesCoachReceiversItCanSee() {
        String sender = fixtures().coach(tenant.organizationId(), "Gus", "Scoped", group);
        String toGroupCoach = record(tenant.token(), email("coach", coach, sender, "coach_digest", "2020-01-01T00:00:00Z",
                null)).at("/data/id").asText();
        String toPatientsCoach = record(tenant.token(), email("coach", patientsCoach, sender, "coach_digest",
                "2020-01-02T00:00:00Z", null)).at("/data/id").asText();
        String toHiddenCoach = record(tenant.token(), email("coach", otherCoach, sender, "coach_digest",
                "2020-01-03T00:00:00Z", null)).at("/data/id").asText();

        Api.Response listed = api.get("/pub/email_history?filter[sender]=" + sender + "&sort=send_time&include=receiver",
                groupScopedToken);
        assertThat(listed.status()).as(listed.body()).isEqualTo(200);
        assertThat(listed.ids()).containsExactly(toGroupCoach, toPatientsCoach);
        assertThat(listed.at("/meta/count").asInt()).isEqualTo(2);
        assertThat(listed.body()).doesNotContain(otherCoach);
        assertThat(api.get("/pub/email_history/" + toPatientsCoach, groupScopedToken).status()).isEqualTo(200);
        Api.Response hidden = api.get("/pub/email_history/" + toHiddenCoach, groupScopedToken);
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(hidden.at("/errors/0/code").asText()).isEqualTo("ResourceNotFound");
        Api.Response hiddenFilter = api.get("/pub/email_history?filter[receiver]=" + otherCoach, groupScopedToken);
        assertThat(hiddenFilter.status()).isEqualTo(403);
        assertThat(hiddenFilter.at("/errors/0/source/parameter").asText()).isEqualTo("filter[receiver]");
        assertThat(api.get("/pub/email_history?filter[receiver]=" + patientsCoach, groupScopedToken).ids())
                .containsExactly(toPatientsCoach);

        refused(record(groupScopedToken, email("coach", otherCoach, null, "coach_digest", "2020-01-04T00:00:00Z", null)),
                403, "Forbidden", "/data/relationships/receiver/data/id");
        Api.Response recorded = record(groupScopedToken, email("coach", patientsCoach, null, "coach_digest",
                "2020-01-04T00:00:00Z", null));
        assertThat(recorded.status()).as(recorded.body()).isEqualTo(201);
        assertThat(recorded.at("/data/relationships/receiver/data/type").asText()).isEqualTo("coach");
        Api.Response hiddenPatch = patch(groupScopedToken, toHiddenCoach,
                Map.of("status_times", Map.of("open", "2020-01-05T00:00:00Z")));
        assertThat(hiddenPatch.status()).isEqualTo(404);
        assertThat(hiddenPatch.at("/errors/0/code").asText()).isEqualTo("ResourceNotFound");
        assertThat(api.get("/pub/email_history/" + toHiddenCoach, tenant.token()).at("/data/attributes/status_times"))
                .isEmpty();
    }

    static Fixtures fixtures() {
        return new Fixtures(TestServer.get());
    }
}
