package dev.openplus.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Questionnaire;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import dev.openplus.support.Api;
import dev.openplus.support.CarePlans;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * FHIR R4 at /fhir/r4 over HTTP against the real database: every resource the server produces passes HAPI's
 * validator (R4 and the vital-signs profiles) with no error, the searches of issue 29 answer what they should, a
 * real FHIR client (HAPI's generic client) reads, searches and pages, and scopes hold (another organization's id
 * is a 404 OperationOutcome, a group-scoped client sees its groups' patients only).
 */
class FhirApiTest {
    static Api api;
    static Fixtures fixtures;
    static Fixtures.Tenant tenant;
    static Fixtures.Tenant other;
    static String groupA;
    static String groupB;
    static String coach;
    static String patient;
    static String patientB;
    static String otherPatient;
    static String groupScopedToken;
    static Map<String, String> metrics = new LinkedHashMap<>();
    static String metricB;
    static String plan;
    static String event;
    static String allDayEvent;
    static String answer;

    @BeforeAll
    static void data() {
        TestServer server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Fhir clinic");
        other = fixtures.tenant("Fhir elsewhere");
        groupA = fixtures.group(tenant.organizationId(), "Fhir cohort A");
        groupB = fixtures.group(tenant.organizationId(), "Fhir cohort B");
        coach = fixtures.coach(tenant.organizationId(), "Casey", "Coachman", groupA);
        patient = created("/pub/patient", Map.of("type", "patient", "attributes", Map.of(
                "first_name", "Ada", "last_name", "Lovelace", "email_address", "ada@example.org",
                "gender", "female", "birth_date", "1980-02-03",
                "phone_numbers", List.of(Map.of("type", "mobile", "value", "+1 555 0100", "primary", true),
                        Map.of("type", "work-fax", "value", "+1 555 0199", "primary", false)),
                "addresses", List.of(Map.of("lines", List.of("12 Analytical Way"), "city", "London",
                        "postal_code", "N1", "country", "GB", "use", "home")),
                "identifiers", List.of(Map.of("system", "DemoEHR", "value", "MRN-1001"),
                        Map.of("system", "urn:oid:1.2.36.146", "value", "77"))),
                "relationships", Map.of("groups", Map.of("data", List.of(CarePlans.ref("group", groupA))),
                        "coaches", Map.of("data", List.of(Map.of("type", "coach", "id", coach,
                                "meta", Map.of("primary", true)))))), tenant.token());
        patientB = new CarePlans(api).patient(tenant.token(), groupB);
        String otherGroup = fixtures.apiGroup(other, "Fhir elsewhere cohort");
        otherPatient = new CarePlans(api).patient(other.token(), otherGroup);
        groupScopedToken = fixtures.token(fixtures.client(tenant.organizationId(), groupA));

        List<Map<String, Object>> measured = List.of(
                metric("weight", Map.of("value", 150.5, "unit", "lb"), "2024-03-05T10:00:00Z"),
                metric("blood_pressure", Map.of("systolic", 120, "diastolic", 80, "unit", "mmHg"), "2024-03-06T10:00:00Z"),
                metric("heart_rate", Map.of("value", 62, "unit", "bpm"), "2024-03-07T10:00:00Z"),
                metric("hemoglobin_a1c", Map.of("value", 6.1, "unit", "%"), "2024-03-08T10:00:00Z"),
                metric("body_temperature", Map.of("value", 98.6, "unit", "F"), "2024-03-09T10:00:00Z"),
                metric("oxygen_saturation", Map.of("value", 97), "2024-03-10T10:00:00Z"),
                metric("ldl_cholesterol", Map.of("value", 121, "unit", "mg/dl",
                        "code", Map.of("system", "LOINC", "value", "13457-7")), "2024-03-11T10:00:00Z"),
                metric("pain_level", Map.of("value", 3), "2024-03-12T10:00:00Z"),
                metric("lean_body_mass", Map.of("value", 120, "unit", "stone-ish"), "2024-03-13T10:00:00Z"));
        Api.Response bulk = api.post("/pub/patient_health_metric", tenant.token(), Api.json(Map.of("data", measured)));
        assertThat(bulk.status()).as(bulk.body()).isEqualTo(200);
        for (int i = 0; i < measured.size(); i++) {
            @SuppressWarnings("unchecked")
            Map<String, Object> attributes = (Map<String, Object>) measured.get(i).get("attributes");
            metrics.put((String) attributes.get("type"), bulk.at("/data/" + i + "/id").asText());
        }
        metricB = api.post("/pub/patient_health_metric", tenant.token(), Api.json(Map.of("data",
                CarePlans.metric(patientB, "weight", 180, "2024-03-05T10:00:00Z")))).at("/data/id").asText();

        CarePlans plans = new CarePlans(api);
        plan = plans.planOf(tenant.token(), patient);
        plans.createAction(tenant.token(), plan, Map.of("frequency_goal", Map.of("weeks", Map.of("days", List.of(1, 3)))));
        plans.createAction(tenant.token(), plan, Map.of("type", "sleep", "title", "Sleep eight hours",
                "effective_to", "2099-01-01T00:00:00Z"));

        event = created("/pub/calendar_event", Map.of("type", "calendar_event", "attributes", Map.of(
                "type", "office-visit", "title", "Quarterly review", "start_at", "2024-04-02T09:00:00Z",
                "end_at", "2024-04-02T09:30:00Z", "description", "Bring the glucose log",
                "attendees", List.of(Map.of("user", coach), Map.of("user", patient, "response_status", "accepted"))),
                "relationships", Map.of("owner", Map.of("data", CarePlans.ref("patient", patient)))), tenant.token());
        String patientAttendee = api.get("/pub/calendar_event/" + event, tenant.token()).at("/data/attributes/attendees/1/_id")
                .asText();
        Api.Response accepted = api.post("/pub/calendar_event_response", tenant.token(), Api.json(Map.of("data", Map.of(
                "type", "calendar_event_response",
                "attributes", Map.of("attendee", patientAttendee, "response_status", "accepted"),
                "relationships", Map.of("user", Map.of("data", CarePlans.ref("patient", patient)),
                        "calendar_event", Map.of("data", CarePlans.ref("calendar_event", event)))))));
        assertThat(accepted.status()).as(accepted.body()).isIn(200, 201);
        allDayEvent = created("/pub/calendar_event", Map.of("type", "calendar_event", "attributes", Map.of(
                "type", "reminder", "title", "Fasting day", "start_at", "2024-04-05T00:00:00Z", "all_day", true,
                "attendees", List.of(Map.of("user", patient))),
                "relationships", Map.of("owner", Map.of("data", CarePlans.ref("patient", patient)))), tenant.token());
        answer = created("/pub/health_profile_answer", Map.of("type", "health_profile_answer", "attributes",
                Map.of("question_id", "1", "value", "2", "answered_at", "2024-03-01T08:00:00Z"),
                "relationships", Map.of("patient", Map.of("data", CarePlans.ref("patient", patient)))), tenant.token());
    }

    private static Map<String, Object> metric(String type, Map<String, Object> values, String occurredAt) {
        Map<String, Object> attributes = new LinkedHashMap<>(values);
        attributes.put("type", type);
        attributes.put("occurred_at", occurredAt);
        return Map.of("type", "patient_health_metric", "attributes", attributes,
                "relationships", Map.of("patient", Map.of("data", CarePlans.ref("patient", patient))));
    }

    private static String created(String path, Map<String, Object> data, String token) {
        Api.Response response = api.post(path, token, Api.json(Map.of("data", data)));
        assertThat(response.status()).as(response.body()).isIn(200, 201);
        return response.at("/data/id").asText();
    }

    static Api.Response fhir(String path, String token) {
        return api.sendOutsideContract("GET", path, token, null, null, List.of("Accept", "application/fhir+json"));
    }

    /** A 200 answer of FHIR JSON that the validator finds no error in. */
    static JsonNode valid(String path, String token) {
        Api.Response response = fhir(path, token);
        assertThat(response.status()).as(path + " → " + response.body()).isEqualTo(200);
        assertThat(response.header("Content-Type").orElseThrow()).startsWith("application/fhir+json");
        assertThat(FhirValidation.errors(response.body())).as(path + " → " + response.body()).isEmpty();
        return response.json();
    }

    /** An error answer: the status, an OperationOutcome with an issue of this code. */
    static JsonNode outcome(Api.Response response, int status, String issueCode) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Type").orElseThrow()).startsWith("application/fhir+json");
        assertThat(response.at("/resourceType").asText()).isEqualTo("OperationOutcome");
        assertThat(response.at("/issue/0/severity").asText()).isEqualTo("error");
        assertThat(response.at("/issue/0/code").asText()).isEqualTo(issueCode);
        assertThat(FhirValidation.errors(response.body())).isEmpty();
        return response.json();
    }

    @Test
    void theCapabilityStatementListsExactlyWhatIsServed() {
        JsonNode statement = valid("/fhir/r4/metadata", null);
        assertThat(statement.at("/resourceType").asText()).isEqualTo("CapabilityStatement");
        assertThat(statement.at("/fhirVersion").asText()).isEqualTo("4.0.1");
        List<String> types = new ArrayList<>();
        statement.at("/rest/0/resource").forEach(resource -> types.add(resource.get("type").asText()));
        assertThat(types).containsExactly("Patient", "Practitioner", "Organization", "Group", "Observation",
                "CarePlan", "Appointment", "Questionnaire", "QuestionnaireResponse");
        JsonNode observation = statement.at("/rest/0/resource/4");
        List<String> parameters = new ArrayList<>();
        observation.get("searchParam").forEach(parameter -> parameters.add(parameter.get("name").asText()));
        assertThat(parameters).containsExactly("_id", "_lastUpdated", "patient", "subject", "code", "date");
        assertThat(observation.at("/searchInclude/0").asText()).isEqualTo("Observation:patient");
        assertThat(observation.at("/supportedProfile").toString()).contains("http://hl7.org/fhir/StructureDefinition/bp");
        assertThat(statement.at("/rest/0/resource/0/interaction").toString()).contains("read").contains("search-type");
        assertThat(statement.at("/rest/0/resource/0/operation/0/definition").asText())
                .isEqualTo("http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export");
        assertThat(statement.at("/rest/0/resource/3/operation/0/definition").asText())
                .isEqualTo("http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export");
        assertThat(statement.at("/rest/0/resource/4/operation").isMissingNode()).isTrue();
    }

    @Test
    void everyResourceTheServerProducesIsValidR4() {
        JsonNode ada = valid("/fhir/r4/Patient/" + patient, tenant.token());
        assertThat(ada.at("/identifier/0/system").asText()).isEqualTo("https://openplus.dev/fhir/identifier-system/DemoEHR");
        assertThat(ada.at("/identifier/0/value").asText()).isEqualTo("MRN-1001");
        assertThat(ada.at("/identifier/1/system").asText()).isEqualTo("urn:oid:1.2.36.146");
        assertThat(ada.at("/name/0/family").asText()).isEqualTo("Lovelace");
        assertThat(ada.at("/name/0/given/0").asText()).isEqualTo("Ada");
        assertThat(ada.at("/active").asBoolean()).isTrue();
        assertThat(ada.at("/gender").asText()).isEqualTo("female");
        assertThat(ada.at("/birthDate").asText()).isEqualTo("1980-02-03");
        assertThat(ada.at("/telecom/0/system").asText()).isEqualTo("email");
        assertThat(ada.at("/telecom/1/use").asText()).isEqualTo("mobile");
        assertThat(ada.at("/telecom/1/rank").asInt()).isEqualTo(1);
        assertThat(ada.at("/telecom/2/system").asText()).isEqualTo("fax");
        assertThat(ada.at("/address/0/city").asText()).isEqualTo("London");
        assertThat(ada.at("/managingOrganization/reference").asText()).isEqualTo("Organization/" + tenant.organizationId());
        assertThat(ada.at("/generalPractitioner/0/reference").asText()).isEqualTo("Practitioner/" + coach);

        assertThat(valid("/fhir/r4/Practitioner/" + coach, tenant.token()).at("/name/0/family").asText())
                .isEqualTo("Coachman");
        assertThat(valid("/fhir/r4/Organization/" + tenant.organizationId(), tenant.token()).at("/name").asText())
                .isEqualTo("Fhir clinic");
        JsonNode group = valid("/fhir/r4/Group/" + groupA, tenant.token());
        assertThat(group.at("/quantity").asInt()).isEqualTo(1);
        assertThat(group.at("/member/0/entity/reference").asText()).isEqualTo("Patient/" + patient);

        JsonNode weight = valid("/fhir/r4/Observation/" + metrics.get("weight"), tenant.token());
        assertThat(weight.at("/meta/profile/0").asText()).isEqualTo("http://hl7.org/fhir/StructureDefinition/bodyweight");
        assertThat(weight.at("/code/coding/0/code").asText()).isEqualTo("29463-7");
        assertThat(weight.at("/category/0/coding/0/code").asText()).isEqualTo("vital-signs");
        assertThat(weight.at("/valueQuantity/code").asText()).isEqualTo("[lb_av]");
        assertThat(weight.at("/valueQuantity/value").decimalValue()).isEqualByComparingTo("150.5");
        assertThat(weight.at("/effectiveDateTime").asText()).isEqualTo("2024-03-05T10:00:00.000Z");
        assertThat(weight.at("/subject/reference").asText()).isEqualTo("Patient/" + patient);
        // The validator does hold the resource to the profile it claims: a weight in metres is an error.
        assertThat(FhirValidation.errors(weight.toString().replace("\"[lb_av]\"", "\"m\""))).isNotEmpty();
        JsonNode pressure = valid("/fhir/r4/Observation/" + metrics.get("blood_pressure"), tenant.token());
        assertThat(pressure.at("/meta/profile/0").asText()).isEqualTo("http://hl7.org/fhir/StructureDefinition/bp");
        assertThat(pressure.at("/code/coding/0/code").asText()).isEqualTo("85354-9");
        assertThat(pressure.at("/component/0/code/coding/0/code").asText()).isEqualTo("8480-6");
        assertThat(pressure.at("/component/0/valueQuantity/value").asInt()).isEqualTo(120);
        assertThat(pressure.at("/component/1/code/coding/0/code").asText()).isEqualTo("8462-4");
        assertThat(pressure.at("/component/1/valueQuantity/code").asText()).isEqualTo("mm[Hg]");
        assertThat(valid("/fhir/r4/Observation/" + metrics.get("heart_rate"), tenant.token())
                .at("/valueQuantity/code").asText()).isEqualTo("/min");
        JsonNode a1c = valid("/fhir/r4/Observation/" + metrics.get("hemoglobin_a1c"), tenant.token());
        assertThat(a1c.at("/code/coding/0/code").asText()).isEqualTo("4548-4");
        assertThat(a1c.at("/category/0/coding/0/code").asText()).isEqualTo("laboratory");
        assertThat(valid("/fhir/r4/Observation/" + metrics.get("body_temperature"), tenant.token())
                .at("/valueQuantity/code").asText()).isEqualTo("[degF]");
        assertThat(valid("/fhir/r4/Observation/" + metrics.get("oxygen_saturation"), tenant.token())
                .at("/meta/profile/0").asText()).isEqualTo("http://hl7.org/fhir/StructureDefinition/oxygensat");
        JsonNode ldl = valid("/fhir/r4/Observation/" + metrics.get("ldl_cholesterol"), tenant.token());
        assertThat(ldl.at("/code/coding")).hasSize(2); // the stored LOINC code is the type's own: not repeated
        assertThat(ldl.at("/valueQuantity/code").asText()).isEqualTo("mg/dL");
        JsonNode pain = valid("/fhir/r4/Observation/" + metrics.get("pain_level"), tenant.token());
        assertThat(pain.at("/valueQuantity/code").asText()).isEqualTo("{score}");
        JsonNode lean = valid("/fhir/r4/Observation/" + metrics.get("lean_body_mass"), tenant.token());
        assertThat(lean.at("/code/coding/0/system").asText()).isEqualTo("https://openplus.dev/fhir/CodeSystem/metric-type");
        assertThat(lean.at("/valueQuantity/unit").asText()).isEqualTo("stone-ish");
        assertThat(lean.at("/valueQuantity/system").isMissingNode()).isTrue();

        JsonNode carePlan = valid("/fhir/r4/CarePlan/" + plan, tenant.token());
        assertThat(carePlan.at("/subject/reference").asText()).isEqualTo("Patient/" + patient);
        assertThat(carePlan.at("/activity")).hasSize(2);
        assertThat(carePlan.at("/extension/0/url").asText()).isEqualTo("https://openplus.dev/fhir/StructureDefinition/adherence");
        // Activities are in action id order; two actions created in one second order by their random part.
        JsonNode weighing = activity(carePlan, "weight");
        JsonNode sleeping = activity(carePlan, "sleep");
        assertThat(weighing.at("/extension/0/extension/0/url").asText()).isEqualTo("due");
        assertThat(weighing.at("/detail/code/coding/0/code").asText()).isEqualTo("29463-7");
        assertThat(weighing.at("/detail/scheduledTiming/repeat/dayOfWeek").toString()).isEqualTo("[\"mon\",\"wed\"]");
        assertThat(sleeping.at("/detail/status").asText()).isEqualTo("in-progress");
        assertThat(sleeping.at("/detail/description").asText()).isEqualTo("Sleep eight hours");

        JsonNode visit = valid("/fhir/r4/Appointment/" + event, tenant.token());
        assertThat(visit.at("/status").asText()).isEqualTo("booked");
        assertThat(visit.at("/start").asText()).isEqualTo("2024-04-02T09:00:00.000Z");
        assertThat(visit.at("/participant/0/actor/reference").asText()).isEqualTo("Practitioner/" + coach);
        assertThat(visit.at("/participant/0/status").asText()).isEqualTo("needs-action");
        assertThat(visit.at("/participant/1/actor/reference").asText()).isEqualTo("Patient/" + patient);
        assertThat(visit.at("/participant/1/status").asText()).isEqualTo("accepted");
        JsonNode allDay = valid("/fhir/r4/Appointment/" + allDayEvent, tenant.token());
        assertThat(allDay.at("/extension/0/valueBoolean").asBoolean()).isTrue();
        assertThat(allDay.at("/end").asText()).isEqualTo("2024-04-06T00:00:00.000Z");

        JsonNode question = valid("/fhir/r4/Questionnaire/1", tenant.token());
        FhirValidation.know(FhirJson.context().newJsonParser().parseResource(Questionnaire.class, question.toString()));
        assertThat(question.at("/item/0/answerOption")).hasSize(4);
        JsonNode response = valid("/fhir/r4/QuestionnaireResponse/" + answer, tenant.token());
        assertThat(response.at("/questionnaire").asText()).isEqualTo("https://openplus.dev/fhir/Questionnaire/health-question-1");
        assertThat(response.at("/item/0/answer/0/valueCoding/code").asText()).isEqualTo("2");
        assertThat(response.at("/item/0/answer/0/valueCoding/display").asText()).isEqualTo("Three or four days");
    }

    @Test
    void searchesAnswerWhatTheyAskFor() {
        JsonNode byIdentifier = valid("/fhir/r4/Patient?identifier="
                + "https://openplus.dev/fhir/identifier-system/DemoEHR%7CMRN-1001", tenant.token());
        assertThat(byIdentifier.at("/type").asText()).isEqualTo("searchset");
        assertThat(byIdentifier.at("/total").asInt()).isEqualTo(1);
        assertThat(byIdentifier.at("/entry/0/resource/id").asText()).isEqualTo(patient);
        assertThat(byIdentifier.at("/entry/0/search/mode").asText()).isEqualTo("match");
        assertThat(byIdentifier.at("/entry/0/fullUrl").asText()).endsWith("/fhir/r4/Patient/" + patient);
        assertThat(valid("/fhir/r4/Patient?identifier=urn:oid:1.2.36.146%7C77", tenant.token()).at("/total").asInt())
                .isEqualTo(1);
        // The stored system as it is: what else could a system that is not a URI name.
        assertThat(valid("/fhir/r4/Patient?identifier=DemoEHR%7CMRN-1001", tenant.token()).at("/total").asInt())
                .isEqualTo(1);
        assertThat(valid("/fhir/r4/Patient?identifier=OtherEHR%7CMRN-1001", tenant.token()).at("/total").asInt())
                .isZero();
        assertThat(ids(valid("/fhir/r4/Patient?name=love", tenant.token()))).containsExactly(patient);
        assertThat(ids(valid("/fhir/r4/Patient?name=ADA,nobody", tenant.token()))).containsExactly(patient);
        assertThat(ids(valid("/fhir/r4/Patient?_id=" + patient + "," + patientB, tenant.token())))
                .containsExactlyInAnyOrder(patient, patientB);

        assertThat(ids(valid("/fhir/r4/Observation?patient=" + patient + "&code=http://loinc.org%7C29463-7",
                tenant.token()))).containsExactly(metrics.get("weight"));
        assertThat(ids(valid("/fhir/r4/Observation?subject=Patient/" + patient + "&code=85354-9,4548-4",
                tenant.token()))).containsExactlyInAnyOrder(metrics.get("blood_pressure"), metrics.get("hemoglobin_a1c"));
        assertThat(ids(valid("/fhir/r4/Observation?patient=" + patient + "&date=ge2024-03-06&date=lt2024-03-08",
                tenant.token()))).containsExactlyInAnyOrder(metrics.get("blood_pressure"), metrics.get("heart_rate"));
        assertThat(ids(valid("/fhir/r4/Observation?patient=" + patient + "&date=2024-03-07", tenant.token())))
                .containsExactly(metrics.get("heart_rate"));
        assertThat(ids(valid("/fhir/r4/Observation?patient=" + patient + "&date=gt2024-03-12T10:00:00Z",
                tenant.token()))).containsExactly(metrics.get("lean_body_mass"));
        assertThat(ids(valid("/fhir/r4/Observation?code=https://openplus.dev/fhir/CodeSystem/metric-type%7Cweight",
                tenant.token()))).containsExactlyInAnyOrder(metrics.get("weight"), metricB);
        JsonNode included = valid("/fhir/r4/Observation?patient=" + patient + "&code=29463-7&_include=Observation:patient",
                tenant.token());
        assertThat(included.at("/total").asInt()).isEqualTo(1);
        assertThat(included.at("/entry")).hasSize(2);
        assertThat(included.at("/entry/1/resource/resourceType").asText()).isEqualTo("Patient");
        assertThat(included.at("/entry/1/search/mode").asText()).isEqualTo("include");

        assertThat(ids(valid("/fhir/r4/CarePlan?patient=" + patient, tenant.token()))).containsExactly(plan);
        // Patient B's plan has no action: a CarePlan without activities.
        JsonNode allPlans = valid("/fhir/r4/CarePlan", tenant.token());
        assertThat(allPlans.at("/total").asInt()).isEqualTo(2);
        assertThat(ids(valid("/fhir/r4/Appointment?patient=" + patient, tenant.token())))
                .containsExactlyInAnyOrder(event, allDayEvent);
        assertThat(ids(valid("/fhir/r4/Appointment?patient=" + patient + "&date=ge2024-04-03", tenant.token())))
                .containsExactly(allDayEvent);
        assertThat(ids(valid("/fhir/r4/Group?name=fhir%20cohort%20a", tenant.token()))).containsExactly(groupA);
        assertThat(ids(valid("/fhir/r4/QuestionnaireResponse?patient=" + patient, tenant.token()))).containsExactly(answer);
        assertThat(valid("/fhir/r4/Questionnaire", tenant.token()).at("/total").asInt()).isGreaterThan(20);
        assertThat(valid("/fhir/r4/Practitioner", tenant.token()).at("/total").asInt()).isEqualTo(1);
        assertThat(ids(valid("/fhir/r4/Organization", tenant.token()))).containsExactly(tenant.organizationId());
        assertThat(valid("/fhir/r4/Patient?_lastUpdated=ge2000-01-01&_lastUpdated=lt2999-01-01", tenant.token())
                .at("/total").asInt()).isEqualTo(2);
        assertThat(valid("/fhir/r4/Patient?_lastUpdated=lt2000-01-01", tenant.token()).at("/total").asInt()).isZero();
        JsonNode countOnly = valid("/fhir/r4/Observation?patient=" + patient + "&_count=0", tenant.token());
        assertThat(countOnly.at("/total").asInt()).isEqualTo(metrics.size());
        assertThat(countOnly.at("/entry").isMissingNode()).isTrue();
    }

    @Test
    void aFhirClientReadsSearchesAndPages() {
        var context = FhirJson.context();
        context.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        IGenericClient client = context.newRestfulGenericClient(TestServer.get().baseUrl + "/fhir/r4");
        client.registerInterceptor(new BearerTokenAuthInterceptor(tenant.token()));
        Patient read = client.read().resource(Patient.class).withId(patient).execute();
        assertThat(read.getNameFirstRep().getFamily()).isEqualTo("Lovelace");

        Bundle page = client.search().forResource(Observation.class).where(Observation.PATIENT.hasId(patient))
                .count(2).returnBundle(Bundle.class).execute();
        assertThat(page.getTotal()).isEqualTo(metrics.size());
        List<String> seen = new ArrayList<>();
        int pages = 0;
        while (true) {
            pages++;
            page.getEntry().forEach(entry -> seen.add(entry.getResource().getIdElement().getIdPart()));
            if (page.getLink(Bundle.LINK_NEXT) == null) {
                break;
            }
            page = client.loadPage().next(page).execute();
        }
        assertThat(pages).isEqualTo((metrics.size() + 1) / 2);
        // Id order (creation order: ids of one second order by their random part), each metric once.
        assertThat(seen).containsExactlyInAnyOrderElementsOf(metrics.values()).isSorted();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.read().resource(Patient.class)
                .withId(otherPatient).execute()).isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void errorsAreOperationOutcomesWithTheirStatus() {
        Api.Response noToken = fhir("/fhir/r4/Patient/" + patient, null);
        outcome(noToken, 401, "login");
        assertThat(noToken.header("WWW-Authenticate").orElseThrow()).startsWith("Bearer");
        outcome(fhir("/fhir/r4/Patient/" + otherPatient, tenant.token()), 404, "not-found");
        outcome(fhir("/fhir/r4/Observation/" + metrics.get("weight"), other.token()), 404, "not-found");
        outcome(fhir("/fhir/r4/Patient/not-an-id", tenant.token()), 404, "not-found");
        outcome(fhir("/fhir/r4/Medication/" + patient, tenant.token()), 404, "not-found");
        JsonNode unknown = outcome(fhir("/fhir/r4/Patient?birthdate=1980", tenant.token()), 400, "invalid");
        assertThat(unknown.at("/issue/0/expression/0").asText()).isEqualTo("birthdate");
        outcome(fhir("/fhir/r4/Patient?name:exact=Ada", tenant.token()), 400, "invalid");
        outcome(fhir("/fhir/r4/Observation?date=yesterday", tenant.token()), 400, "invalid");
        outcome(fhir("/fhir/r4/Observation?date=sa2024-01-01", tenant.token()), 400, "invalid");
        outcome(fhir("/fhir/r4/Observation?_count=501", tenant.token()), 400, "invalid");
        outcome(fhir("/fhir/r4/Observation?_cursor=abc", tenant.token()), 400, "invalid");
        outcome(fhir("/fhir/r4/Observation?_include=Observation:performer", tenant.token()), 400, "invalid");
        outcome(fhir("/fhir/r4/Patient?identifier=MRN-1001", tenant.token()), 400, "invalid");
        outcome(fhir("/fhir/r4/Patient?name=a&name=b", tenant.token()), 400, "invalid");
        outcome(fhir("/fhir/r4/Observation?patient=" + otherPatient, tenant.token()), 403, "forbidden");
        outcome(fhir("/fhir/r4/Patient?_format=xml", tenant.token()), 406, "not-supported");
        outcome(api.sendOutsideContract("GET", "/fhir/r4/Patient", tenant.token(), null, null,
                List.of("Accept", "application/fhir+xml")), 406, "not-supported");
        Api.Response post = api.sendOutsideContract("POST", "/fhir/r4/Patient", tenant.token(), "application/fhir+json",
                "{}", List.of());
        outcome(post, 405, "not-supported");
        assertThat(post.header("Allow").orElseThrow()).contains("GET");
        Api.Response json = api.sendOutsideContract("GET", "/fhir/r4/Patient/" + patient, tenant.token(), null, null,
                List.of("Accept", "application/json"));
        assertThat(json.status()).isEqualTo(200);
    }

    @Test
    void aGroupScopedClientSeesItsGroupsPatientsAndTheirDataOnly() {
        assertThat(ids(valid("/fhir/r4/Patient", groupScopedToken))).containsExactly(patient);
        assertThat(ids(valid("/fhir/r4/Group", groupScopedToken))).containsExactly(groupA);
        outcome(fhir("/fhir/r4/Patient/" + patientB, groupScopedToken), 404, "not-found");
        outcome(fhir("/fhir/r4/Group/" + groupB, groupScopedToken), 404, "not-found");
        outcome(fhir("/fhir/r4/Observation/" + metricB, groupScopedToken), 404, "not-found");
        outcome(fhir("/fhir/r4/Observation?patient=" + patientB, groupScopedToken), 403, "forbidden");
        JsonNode observations = valid("/fhir/r4/Observation?code=29463-7&_include=Observation:patient", groupScopedToken);
        assertThat(ids(observations)).containsExactly(metrics.get("weight"));
        assertThat(observations.toString()).doesNotContain(patientB).doesNotContain(metricB);
        assertThat(valid("/fhir/r4/Observation", groupScopedToken).at("/total").asInt()).isEqualTo(metrics.size());
    }

    /** The activity of a CarePlan whose action has this type (the OpenPlus action-type coding). */
    static JsonNode activity(JsonNode carePlan, String actionType) {
        for (JsonNode activity : carePlan.path("activity")) {
            for (JsonNode coding : activity.at("/detail/code/coding")) {
                if (coding.path("system").asText().endsWith("/action-type") && coding.path("code").asText().equals(actionType)) {
                    return activity;
                }
            }
        }
        throw new AssertionError("no activity of type " + actionType + " in " + carePlan);
    }

    /** The ids of a searchset's matches, in order. */
    static List<String> ids(JsonNode bundle) {
        List<String> ids = new ArrayList<>();
        bundle.path("entry").forEach(entry -> {
            if (entry.at("/search/mode").asText().equals("match")) {
                ids.add(entry.at("/resource/id").asText());
            }
        });
        return ids;
    }
}
