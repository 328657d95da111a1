package dev.openplus.healthprofile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.ZoneOffset;
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
 * The question catalogue, per-patient profiles (questions decided from birth date and gender at read time, at the
 * exact age boundaries), stats, profile questions, and answers with their history, all through HTTP.
 */
class HealthProfileTest {
    static Api api;
    static Fixtures fixtures;
    static Fixtures.Tenant tenant;
    static String group;
    static String otherGroup;
    static String groupScopedToken;
    static Fixtures.Tenant stranger;
    static String strangerPatient;

    /** Catalogue ids used below: colorectal screening (age 45–75), cervical (female 21–65), PSA (male 55–69). */
    static final String COLORECTAL = "20";
    static final String CERVICAL = "21";
    static final String MAMMOGRAM = "22";
    static final String PSA = "28";
    static final String ALCOHOL = "7";
    static final String SLEEP = "4";

    @BeforeAll
    static void setUp() {
        TestServer server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Health Profile Org");
        group = fixtures.group(tenant.organizationId(), "Wellness");
        otherGroup = fixtures.group(tenant.organizationId(), "Elsewhere");
        groupScopedToken = fixtures.token(fixtures.client(tenant.organizationId(), group));
        stranger = fixtures.tenant("Health Profile Stranger Org");
        String strangerGroup = fixtures.group(stranger.organizationId(), "Theirs");
        strangerPatient = patient(stranger, strangerGroup, "1970-01-01", "female");
    }

    static String patient(Fixtures.Tenant owner, String groupId, String birthDate, String gender) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("first_name", "Hp");
        attributes.put("birth_date", birthDate);
        attributes.put("gender", gender);
        Api.Response response = api.post("/pub/patient", owner.token(), Api.json(Map.of("data", Map.of("type", "patient",
                "attributes", attributes,
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", groupId))))))));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.at("/data/id").asText();
    }

    static String patient(String birthDate, String gender) {
        return patient(tenant, group, birthDate, gender);
    }

    static JsonNode profile(String patientId) {
        Api.Response response = api.get("/pub/health_profile?filter[patient]=" + patientId, tenant.token());
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.at("/meta/count").asLong()).isEqualTo(1);
        return response.at("/data/0");
    }

    /** The catalogue ids of the questions in the patient's profile. */
    static List<String> questionDefinitions(String patientId) {
        Api.Response response = api.get("/pub/health_profile_question?filter[patient]=" + patientId
                + "&page[limit]=500", tenant.token());
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        response.at("/data").forEach(q -> ids.add(q.at("/relationships/question_definition/data/id").asText()));
        return ids;
    }

    static Api.Response answer(String token, String patientId, String questionId, String value, String answeredAt) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("question_id", questionId);
        attributes.put("value", value);
        if (answeredAt != null) {
            attributes.put("answered_at", answeredAt);
        }
        return api.post("/pub/health_profile_answer", token, Api.json(Map.of("data", Map.of("type",
                "health_profile_answer", "attributes", attributes,
                "relationships", Map.of("patient", Map.of("data", Map.of("type", "patient", "id", patientId)))))));
    }

    /** The type of each resource object. */
    static List<String> types(JsonNode resources) {
        List<String> types = new ArrayList<>();
        resources.forEach(resource -> types.add(resource.get("type").asText()));
        return types;
    }

    static LocalDate today() {
        return LocalDate.now(ZoneOffset.UTC);
    }

    // ---- the catalogue ------------------------------------------------------------------------------------------

    @Test
    void theCatalogueIsOneDefaultPageInNumericOrderWithRequirements() {
        Api.Response list = api.get("/pub/health_question_definition", groupScopedToken);
        assertThat(list.status()).as(list.body()).isEqualTo(200);
        assertThat(list.at("/meta/count").asInt()).isEqualTo(30);
        assertThat(list.ids()).hasSize(30);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            expected.add(String.valueOf(i));
        }
        assertThat(list.ids()).as("numeric order: 2 before 10").isEqualTo(expected);
        List<String> categories = list.json().get("data").findValuesAsText("category");
        assertThat(categories).contains("lifestyle_behaviors", "mental_wellbeing", "preventative_care");
        assertThat(categories.stream().filter("lifestyle_behaviors"::equals)).hasSize(12);
        assertThat(categories.stream().filter("mental_wellbeing"::equals)).hasSize(6);
        assertThat(categories.stream().filter("preventative_care"::equals)).hasSize(12);

        Api.Response cervical = api.get("/pub/health_question_definition/" + CERVICAL, tenant.token());
        assertThat(cervical.status()).as(cervical.body()).isEqualTo(200);
        assertThat(cervical.at("/data/type").asText()).isEqualTo("health_question_definition");
        assertThat(cervical.at("/data/id").asText()).isEqualTo(CERVICAL);
        assertThat(cervical.at("/data/links/self").asText()).isEqualTo("/pub/health_question_definition/21");
        assertThat(cervical.at("/data/attributes/category").asText()).isEqualTo("preventative_care");
        assertThat(cervical.at("/data/attributes/text").asText()).contains("cervical");
        assertThat(cervical.at("/data/attributes/format/type").asText()).isEqualTo("last_occurrence");
        assertThat(cervical.at("/data/attributes/format/data/0/label").asText()).isEqualTo("I don't know");
        assertThat(cervical.at("/data/attributes/format/data/0/value").asText()).isEqualTo("0");
        assertThat(cervical.at("/data/attributes/requirements")).hasSize(2);
        assertThat(cervical.at("/data/attributes/requirements/0/property").asText()).isEqualTo("gender");
        assertThat(cervical.at("/data/attributes/requirements/0/shouldBeEqual").asBoolean()).isTrue();
        assertThat(cervical.at("/data/attributes/requirements/0/value").asText()).isEqualTo("female");
        assertThat(cervical.at("/data/attributes/requirements/1/property").asText()).isEqualTo("age");
        assertThat(cervical.at("/data/attributes/requirements/1/shouldBeGreaterThan").asInt()).isEqualTo(20);
        assertThat(cervical.at("/data/attributes/requirements/1/shouldBeLessThan").asInt()).isEqualTo(66);
        Api.Response colorectal = api.get("/pub/health_question_definition/" + COLORECTAL, tenant.token());
        assertThat(colorectal.at("/data/attributes/requirements")).hasSize(1);
        assertThat(colorectal.at("/data/attributes/requirements/0/shouldBeGreaterThan").asInt()).isEqualTo(44);
        assertThat(colorectal.at("/data/attributes/requirements/0/shouldBeLessThan").asInt()).isEqualTo(76);
    }

    @Test
    void catalogueIdsAreNumericOnPathsAndInCursors() {
        for (String id : List.of("abc", "021", "0", "999", "000000000000000000000000")) {
            Api.Response response = api.get("/pub/health_question_definition/" + id, tenant.token());
            assertThat(response.status()).as(id).isEqualTo(404);
            assertThat(response.at("/errors/0/code").asText()).isEqualTo("ResourceNotFound");
        }
        List<String> paged = api.pageThrough("/pub/health_question_definition?page[limit]=7", tenant.token());
        assertThat(paged).hasSize(30).startsWith("1", "2", "3").endsWith("29", "30");
        List<String> skipped = api.pageThrough("/pub/health_question_definition?page[size]=8", tenant.token());
        assertThat(skipped).isEqualTo(paged);
        Api.Response malformed = api.get("/pub/health_question_definition?page[size]=101", tenant.token());
        assertThat(malformed.status()).isEqualTo(409);
        assertThat(malformed.at("/errors/0/source/parameter").asText()).isEqualTo("page[size]");
    }

    @Test
    void theCatalogueIsReadOnly() {
        Api.Response post = api.post("/pub/health_question_definition", tenant.token(),
                "{\"data\":{\"type\":\"health_question_definition\",\"attributes\":{\"text\":\"?\"}}}");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.at("/errors/0/code").asText()).isEqualTo("MethodNotAllowed");
    }

    // ---- profiles and their questions ---------------------------------------------------------------------------

    @Test
    void everyPatientHasOneProfileWithStatsAndIncludes() {
        String patientId = patient("1976-05-17", "female");
        JsonNode profile = profile(patientId);
        String profileId = profile.get("id").asText();
        assertThat(profile.at("/type").asText()).isEqualTo("health_profile");
        assertThat(profile.at("/relationships/patient/data/id").asText()).isEqualTo(patientId);
        assertThat(profile.at("/relationships/patient/data/type").asText()).isEqualTo("patient");
        JsonNode stats = profile.at("/attributes/stats");
        assertThat(stats.findValuesAsText("category"))
                .containsExactly("lifestyle_behaviors", "mental_wellbeing", "preventative_care", "overall");
        List<String> questions = questionDefinitions(patientId);
        assertThat(profile.at("/relationships/questions/data")).hasSize(questions.size());
        int total = 0;
        for (int i = 0; i < 3; i++) {
            assertThat(stats.get(i).get("answered").asInt()).isZero();
            total += stats.get(i).get("total").asInt();
        }
        assertThat(stats.get(3).get("total").asInt()).isEqualTo(total).isEqualTo(questions.size());
        assertThat(stats.get(0).get("total").asInt()).isEqualTo(12);
        assertThat(stats.get(1).get("total").asInt()).isEqualTo(6);

        Api.Response fetched = api.get("/pub/health_profile/" + profileId + "?include=patient,questions", tenant.token());
        assertThat(fetched.status()).as(fetched.body()).isEqualTo(200);
        assertThat(fetched.at("/data/links/self").asText()).isEqualTo("/pub/health_profile/" + profileId);
        List<String> includedTypes = types(fetched.json().get("included"));
        assertThat(includedTypes.stream().filter("patient"::equals)).hasSize(1);
        assertThat(includedTypes.stream().filter("health_profile_question"::equals)).hasSize(questions.size());

        Api.Response byGroup = api.get("/pub/health_profile?filter[groups]=" + group + "&page[size]=50", tenant.token());
        assertThat(byGroup.ids()).contains(profileId);
        Api.Response byAlias = api.get("/pub/health_profile?filter[group]=" + otherGroup, tenant.token());
        assertThat(byAlias.ids()).doesNotContain(profileId);
        Api.Response byOrganization = api.get("/pub/health_profile?filter[organization]=" + tenant.organizationId()
                + "&page[limit]=500", tenant.token());
        assertThat(byOrganization.ids()).contains(profileId);
        assertThat(byOrganization.at("/meta/count").asLong()).isEqualTo(byOrganization.ids().size());
    }

    @Test
    void profileIdsEndInZerosAndATakenOneIsDrawnAgain() {
        String taken = profile(patient("1981-01-01", "female")).get("id").asText();
        assertThat(taken).matches("[0-9a-f]{20}0000");
        var dsl = TestServer.get().database.dsl();
        String original = dsl.fetchOne("select pg_get_functiondef('openplus_new_id()'::regprocedure)").get(0, String.class);
        // The next id drawn in SQL is the taken one (as if two profiles drew the same id in one second).
        dsl.execute("create sequence health_profile_test_draws");
        dsl.execute("create or replace function openplus_new_id() returns char(24) language sql volatile as $$"
                + " select case when nextval('health_profile_test_draws') = 1 then '" + taken + "'"
                + " else lpad(to_hex(floor(extract(epoch from clock_timestamp()))::bigint), 8, '0')"
                + " || substr(md5(gen_random_uuid()::text), 1, 16) end $$");
        Api.Response created;
        try {
            Map<String, Object> patient = Map.of("type", "patient", "attributes", Map.of("first_name", "Drawn"),
                    "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group)))));
            created = api.post("/pub/patient", tenant.token(), Api.json(Map.of("data", List.of(patient, patient))));
        } finally {
            dsl.execute(original);
            dsl.execute("drop sequence health_profile_test_draws");
        }
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        List<String> profiles = new ArrayList<>();
        for (JsonNode patient : created.at("/data")) {
            profiles.add(profile(patient.get("id").asText()).get("id").asText());
        }
        assertThat(profiles).allMatch(id -> id.matches("[0-9a-f]{20}0000")).doesNotContain(taken)
                .doesNotHaveDuplicates();
        assertThat(profile(patient("1981-01-01", "female")).get("id").asText()).as("the function is restored")
                .isNotEqualTo(taken);
    }

    @Test
    void aFemaleOfFiftyGetsHerScreeningsAndNoMaleOnes() {
        String patientId = patient(today().minusYears(50).minusDays(100).toString(), "female");
        assertThat(questionDefinitions(patientId)).contains(COLORECTAL, CERVICAL, MAMMOGRAM, ALCOHOL, SLEEP)
                .doesNotContain(PSA, "27", "26");
        String man = patient(today().minusYears(60).toString(), "male");
        assertThat(questionDefinitions(man)).contains(COLORECTAL, PSA).doesNotContain(CERVICAL, MAMMOGRAM);
    }

    @Test
    void ageBoundariesAreExactOnTheBirthday() {
        // Colorectal screening: older than 44 and younger than 76.
        LocalDate fortyFifth = today().minusYears(45);
        assertThat(questionDefinitions(patient(fortyFifth.plusDays(1).toString(), "male")))
                .as("the day before the 45th birthday").doesNotContain(COLORECTAL);
        assertThat(questionDefinitions(patient(fortyFifth.toString(), "male")))
                .as("on the 45th birthday").contains(COLORECTAL);
        assertThat(questionDefinitions(patient(fortyFifth.minusDays(1).toString(), "male")))
                .as("the day after the 45th birthday").contains(COLORECTAL);
        LocalDate seventySixth = today().minusYears(76);
        assertThat(questionDefinitions(patient(seventySixth.plusDays(1).toString(), "male")))
                .as("the day before the 76th birthday").contains(COLORECTAL);
        assertThat(questionDefinitions(patient(seventySixth.toString(), "male")))
                .as("on the 76th birthday").doesNotContain(COLORECTAL);
        assertThat(questionDefinitions(patient(seventySixth.minusDays(1).toString(), "male")))
                .as("the day after the 76th birthday").doesNotContain(COLORECTAL);
    }

    @Test
    void aRequirementOnAnUnknownPropertyExcludesTheQuestion() {
        Api.Response created = api.post("/pub/patient", tenant.token(), Api.json(Map.of("data", Map.of("type", "patient",
                "attributes", Map.of("first_name", "Unknown"),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group))))))));
        String patientId = created.at("/data/id").asText();
        List<String> questions = questionDefinitions(patientId);
        assertThat(questions).as("questions without requirements only").contains(SLEEP, "1", "13", "29", "30")
                .doesNotContain(ALCOHOL, COLORECTAL, CERVICAL, PSA);
        assertThat(questions).as("9 lifestyle questions for all ages, 6 mental, 2 preventative").hasSize(9 + 6 + 2);
        String noGender = patient(today().minusYears(50).toString(), null);
        assertThat(questionDefinitions(noGender)).contains(COLORECTAL, ALCOHOL).doesNotContain(CERVICAL, MAMMOGRAM, PSA);
    }

    @Test
    void questionsFollowBirthDateAndGenderChangesAndAnsweredOnesStay() {
        String patientId = patient(today().minusYears(30).toString(), "female");
        assertThat(questionDefinitions(patientId)).contains(CERVICAL).doesNotContain(COLORECTAL, PSA);
        assertThat(answer(tenant.token(), patientId, CERVICAL, "2", null).status()).isEqualTo(201);

        Api.Response older = api.send("PATCH", "/pub/patient/" + patientId, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "id", patientId,
                        "attributes", Map.of("birth_date", today().minusYears(58).toString())))), List.of());
        assertThat(older.status()).as(older.body()).isEqualTo(200);
        assertThat(questionDefinitions(patientId)).contains(CERVICAL, COLORECTAL, MAMMOGRAM).doesNotContain(PSA);

        Api.Response male = api.send("PATCH", "/pub/patient/" + patientId, tenant.token(), Api.JSON_API,
                Api.json(Map.of("data", Map.of("type", "patient", "id", patientId,
                        "attributes", Map.of("gender", "male")))), List.of());
        assertThat(male.status()).as(male.body()).isEqualTo(200);
        assertThat(questionDefinitions(patientId)).as("the answered cervical question stays")
                .contains(CERVICAL, PSA, COLORECTAL).doesNotContain(MAMMOGRAM);
        JsonNode stats = profile(patientId).at("/attributes/stats");
        assertThat(stats.get(2).get("answered").asInt()).isEqualTo(1);
        assertThat(stats.get(3).get("answered").asInt()).isEqualTo(1);
    }

    @Test
    void aProfileQuestionRelatesItsDefinitionAnswerAndProfile() {
        String patientId = patient("1960-02-10", "male");
        String profileId = profile(patientId).get("id").asText();
        Api.Response questions = api.get("/pub/health_profile_question?filter[patient]=" + patientId
                + "&page[size]=50&include=question_definition,answer", tenant.token());
        assertThat(questions.status()).as(questions.body()).isEqualTo(200);
        JsonNode sleep = null;
        for (JsonNode question : questions.at("/data")) {
            if (question.at("/relationships/question_definition/data/id").asText().equals(SLEEP)) {
                sleep = question;
            }
        }
        assertThat(sleep).isNotNull();
        assertThat(sleep.at("/relationships/question_definition/data/type").asText()).isEqualTo("health_question_definition");
        assertThat(sleep.at("/relationships/answer/data").isNull()).isTrue();
        assertThat(sleep.at("/relationships/profile/data/id").asText()).isEqualTo(profileId);
        assertThat(sleep.at("/relationships/profile/data/type").asText()).isEqualTo("health_profile");
        assertThat(types(questions.json().get("included")))
                .containsOnly("health_question_definition").hasSize(questions.ids().size());

        Api.Response answered = answer(tenant.token(), patientId, SLEEP, "2", null);
        String answerId = answered.at("/data/id").asText();
        String questionId = sleep.get("id").asText();
        Api.Response fetched = api.get("/pub/health_profile_question/" + questionId + "?include=question_definition,answer",
                tenant.token());
        assertThat(fetched.status()).as(fetched.body()).isEqualTo(200);
        assertThat(fetched.at("/data/relationships/answer/data/id").asText()).isEqualTo(answerId);
        assertThat(fetched.at("/data/relationships/answer/data/type").asText()).isEqualTo("health_profile_answer");
        assertThat(types(fetched.json().get("included")))
                .containsExactlyInAnyOrder("health_question_definition", "health_profile_answer");

        Api.Response cursor = api.get("/pub/health_profile_question?filter[patient]=" + patientId + "&page[limit]=5",
                tenant.token());
        assertThat(cursor.ids()).hasSize(5);
        assertThat(api.pageThrough("/pub/health_profile_question?filter[patient]=" + patientId + "&page[limit]=4",
                tenant.token())).isEqualTo(questions.ids());
        assertThat(api.pageThrough("/pub/health_profile_question?filter[patient]=" + patientId + "&page[size]=4",
                tenant.token())).isEqualTo(questions.ids());
    }

    // ---- answers ------------------------------------------------------------------------------------------------

    @Test
    void answersAppendToTheHistoryAndMoveLatest() {
        String patientId = patient("1980-07-01", "female");
        Api.Response first = answer(tenant.token(), patientId, SLEEP, "1", "2026-01-10T08:00:00Z");
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        String answerId = first.at("/data/id").asText();
        assertThat(first.at("/data/type").asText()).isEqualTo("health_profile_answer");
        assertThat(first.at("/data/attributes/question_id").asText()).isEqualTo(SLEEP);
        assertThat(first.at("/data/attributes/history")).hasSize(1);
        assertThat(first.at("/data/attributes/history/0/value").asText()).isEqualTo("1");
        assertThat(first.at("/data/attributes/history/0/answered_at").asText()).isEqualTo("2026-01-10T08:00:00.000Z");
        assertThat(first.at("/data/attributes/history/0/_created_by").asText()).isEqualTo(tenant.client().get("client_id"));
        assertThat(first.at("/data/attributes/history/0/_id").asText()).matches("[0-9a-f]{24}");
        assertThat(first.at("/data/attributes/latest/value").asText()).isEqualTo("1");
        assertThat(first.at("/data/relationships/patient/data/id").asText()).isEqualTo(patientId);

        Api.Response second = answer(tenant.token(), patientId, SLEEP, "2", "2026-02-10T08:00:00Z");
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.at("/data/id").asText()).as("one answer resource per question").isEqualTo(answerId);
        assertThat(second.at("/data/attributes/history")).hasSize(2);
        assertThat(second.at("/data/attributes/latest/value").asText()).isEqualTo("2");
        assertThat(second.at("/data/attributes/latest/answered_at").asText()).isEqualTo("2026-02-10T08:00:00.000Z");
        assertThat(second.at("/data/attributes/value").asText()).isEqualTo("2");

        Api.Response backfilled = answer(tenant.token(), patientId, SLEEP, "3", "2025-12-01T08:00:00Z");
        assertThat(backfilled.at("/data/attributes/history")).hasSize(3);
        assertThat(backfilled.at("/data/attributes/history/2/value").asText()).isEqualTo("3");
        assertThat(backfilled.at("/data/attributes/latest/value").asText()).as("an older answer does not move latest")
                .isEqualTo("2");

        Api.Response now = answer(tenant.token(), patientId, "1", "0", null);
        assertThat(now.status()).isEqualTo(201);
        assertThat(now.at("/data/attributes/latest/answered_at").asText()).startsWith(today().toString().substring(0, 7));
        JsonNode stats = profile(patientId).at("/attributes/stats");
        assertThat(stats.get(0).get("answered").asInt()).isEqualTo(2);
        assertThat(stats.get(3).get("answered").asInt()).isEqualTo(2);

        Api.Response fetched = api.get("/pub/health_profile_answer/" + answerId + "?include=patient", tenant.token());
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.at("/included/0/id").asText()).isEqualTo(patientId);
        assertThat(fetched.at("/data/links/self").asText()).isEqualTo("/pub/health_profile_answer/" + answerId);
    }

    @Test
    void anAnswerIsCheckedAgainstTheQuestionAndThePatient() {
        String patientId = patient("1990-03-03", "male");
        record Refusal(Api.Response response, int status, String code, String pointer) {
        }
        List<Refusal> refusals = List.of(
                new Refusal(answer(tenant.token(), patientId, SLEEP, "9", null), 409, "InvalidBodyParameter",
                        "/data/attributes/value"),
                new Refusal(answer(tenant.token(), patientId, "999", "1", null), 409, "InvalidBodyParameter",
                        "/data/attributes/question_id"),
                new Refusal(answer(tenant.token(), patientId, "x1", "1", null), 409, "InvalidBodyParameter",
                        "/data/attributes/question_id"),
                new Refusal(answer(tenant.token(), patientId, CERVICAL, "1", null), 409, "InvalidBodyParameter",
                        "/data/attributes/question_id"),
                new Refusal(answer(tenant.token(), patientId, SLEEP, "1", "2999-01-01T00:00:00Z"), 409,
                        "InvalidBodyParameter", "/data/attributes/answered_at"),
                new Refusal(answer(tenant.token(), patientId, SLEEP, "1", "yesterday"), 409, "InvalidBodyParameter",
                        "/data/attributes/answered_at"),
                new Refusal(answer(tenant.token(), strangerPatient, SLEEP, "1", null), 403, "Forbidden",
                        "/data/relationships/patient/data/id"),
                new Refusal(api.post("/pub/health_profile_answer", tenant.token(), Api.json(Map.of("data", Map.of(
                        "type", "health_profile_answer", "attributes", Map.of("question_id", SLEEP, "value", "1"))))),
                        409, "InvalidBodyParameter", "/data/relationships/patient"),
                new Refusal(api.post("/pub/health_profile_answer", tenant.token(), Api.json(Map.of("data", Map.of(
                        "type", "health_profile_answer", "attributes", Map.of("question_id", SLEEP),
                        "relationships", Map.of("patient", Map.of("data", Map.of("type", "patient", "id", patientId))))))),
                        409, "InvalidBodyParameter", "/data/attributes/value"));
        for (Refusal refusal : refusals) {
            assertThat(refusal.response().status()).as(refusal.response().body()).isEqualTo(refusal.status());
            assertThat(refusal.response().at("/errors/0/code").asText()).isEqualTo(refusal.code());
            assertThat(refusal.response().at("/errors/0/source/pointer").asText()).as(refusal.response().body())
                    .isEqualTo(refusal.pointer());
        }
        Api.Response none = api.get("/pub/health_profile_answer?filter[patient]=" + patientId, tenant.token());
        assertThat(none.at("/meta/count").asInt()).as("nothing was recorded").isZero();
    }

    @Test
    void answerListsPageFiftyByDefaultAndUpToAHundred() {
        String patientId = patient("1970-08-08", "female");
        List<String> recorded = new ArrayList<>();
        for (String question : List.of("1", "2", "3", SLEEP, "5", "13", "14", "15")) {
            Api.Response response = answer(tenant.token(), patientId, question, "1", null);
            assertThat(response.status()).as(response.body()).isEqualTo(201);
            recorded.add(response.at("/data/id").asText());
        }
        recorded.sort(null); // default order: id
        String base = "/pub/health_profile_answer?filter[patient]=" + patientId;
        Api.Response all = api.get(base, tenant.token());
        assertThat(all.ids()).isEqualTo(recorded);
        assertThat(all.at("/links/self").asText()).contains("page[size]=50");
        assertThat(api.get(base + "&page[size]=100", tenant.token()).status()).isEqualTo(200);
        Api.Response tooLarge = api.get(base + "&page[size]=101", tenant.token());
        assertThat(tooLarge.status()).isEqualTo(409);
        assertThat(tooLarge.at("/errors/0/source/parameter").asText()).isEqualTo("page[size]");
        assertThat(api.pageThrough(base + "&page[size]=3", tenant.token())).isEqualTo(recorded);
        assertThat(api.pageThrough(base + "&page[limit]=3", tenant.token())).isEqualTo(recorded);
        assertThat(api.pageThrough(base + "&page[limit]=3&sort=-created_at", tenant.token()))
                .containsExactlyInAnyOrderElementsOf(recorded);
        assertThat(api.get("/pub/health_profile_answer?filter[groups]=" + group + "&page[size]=100", tenant.token()).ids())
                .containsAll(recorded);
        assertThat(api.get("/pub/health_profile_answer?filter[organization]=" + tenant.organizationId()
                + "&page[size]=100", tenant.token()).ids()).containsAll(recorded);
    }

    @Test
    void listsRequireAPatientGroupOrOrganizationFilter() {
        for (String type : List.of("health_profile", "health_profile_question", "health_profile_answer")) {
            Api.Response response = api.get("/pub/" + type, tenant.token());
            assertThat(response.status()).isEqualTo(409);
            assertThat(response.at("/errors/0/code").asText()).isEqualTo("InvalidParameter");
            assertThat(response.at("/errors/0/source/parameter").asText()).isEqualTo("filter[patient]");
            Api.Response badId = api.get("/pub/" + type + "?filter[patient]=nope", tenant.token());
            assertThat(badId.status()).isEqualTo(409);
            assertThat(badId.at("/errors/0/source/parameter").asText()).isEqualTo("filter[patient]");
        }
    }

    @Test
    void aGroupScopedClientSeesAndAnswersOnlyForItsPatients() {
        String inside = patient("1985-01-01", "female");
        String outside = patient(tenant, otherGroup, "1985-01-01", "female");
        String outsideProfile = profile(outside).get("id").asText();
        String outsideAnswer = answer(tenant.token(), outside, SLEEP, "1", null).at("/data/id").asText();
        assertThat(answer(groupScopedToken, inside, SLEEP, "1", null).status()).isEqualTo(201);
        Api.Response refused = answer(groupScopedToken, outside, SLEEP, "2", null);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.at("/errors/0/source/pointer").asText()).isEqualTo("/data/relationships/patient/data/id");

        for (String type : List.of("health_profile", "health_profile_question", "health_profile_answer")) {
            Api.Response listed = api.get("/pub/" + type + "?filter[organization]=" + tenant.organizationId()
                    + "&page[limit]=500" + (type.equals("health_profile_question") ? "&include=profile" : "&include=patient"),
                    groupScopedToken);
            assertThat(listed.status()).as(listed.body()).isEqualTo(200);
            assertThat(listed.body()).doesNotContain(outside);
            Api.Response byPatient = api.get("/pub/" + type + "?filter[patient]=" + outside, groupScopedToken);
            assertThat(byPatient.status()).isEqualTo(403);
            assertThat(byPatient.at("/errors/0/source/parameter").asText()).isEqualTo("filter[patient]");
        }
        Api.Response profile = api.get("/pub/health_profile?filter[patient]=" + inside + "&include=questions",
                groupScopedToken);
        assertThat(profile.at("/meta/count").asInt()).isEqualTo(1);
        assertThat(api.get("/pub/health_profile/" + outsideProfile, groupScopedToken).status()).isEqualTo(404);
        assertThat(api.get("/pub/health_profile_answer/" + outsideAnswer, groupScopedToken).status()).isEqualTo(404);
    }
}
