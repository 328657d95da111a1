package dev.openplus.fhir;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.hl7.fhir.r4.model.Enumerations.SearchParamType;

import dev.openplus.calendar.CalendarEventResource;
import dev.openplus.coach.CoachResource;
import dev.openplus.group.GroupResource;
import dev.openplus.healthprofile.HealthProfileAnswerResource;
import dev.openplus.healthprofile.HealthQuestionDefinitionResource;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.metric.MetricResource;
import dev.openplus.organization.OrganizationResource;
import dev.openplus.patient.PatientResource;
import dev.openplus.plan.PlanSummaryResource;

/** Every FHIR type /fhir/r4 serves, in the CapabilityStatement's order; what is not here is not served. */
public final class FhirTypes {
    private static final Map<String, FhirType> TYPES = new LinkedHashMap<>();

    private static void add(FhirType type) {
        TYPES.put(type.name(), type);
    }

    static {
        ResourceType patient = PatientResource.TYPE;
        add(FhirType.of("Patient", patient, DirectoryMappings.PATIENT,
                identifier(),
                SearchParameter.string("name", "The start of the given or family name, ignoring case.",
                        patient.attribute("first_name").orElseThrow(), patient.attribute("last_name").orElseThrow())));
        add(FhirType.of("Practitioner", CoachResource.TYPE, DirectoryMappings.PRACTITIONER));
        add(FhirType.of("Organization", OrganizationResource.TYPE, DirectoryMappings.ORGANIZATION));
        add(FhirType.of("Group", GroupResource.TYPE, DirectoryMappings.GROUP,
                SearchParameter.string("name", "The start of the group's name, ignoring case.",
                        GroupResource.TYPE.attribute("name").orElseThrow())));
        List<String> vitalProfiles = new ArrayList<>();
        MetricCodes.all().stream().map(MetricCodes.Coding::profile).filter(p -> p != null).distinct()
                .forEach(profile -> vitalProfiles.add(MetricCodes.PROFILE + profile));
        add(FhirType.of("Observation", MetricResource.TYPE, ObservationMapping.MAPPING,
                SearchParameter.patient("patient", "patient"),
                SearchParameter.patient("subject", "patient"),
                code(),
                SearchParameter.date("date", "occurred_at", "When the measurement was taken (effectiveDateTime)."))
                .include("Observation:patient", "patient")
                .include("Observation:subject", "patient")
                .supportedProfiles(vitalProfiles));
        add(FhirType.of("CarePlan", PlanSummaryResource.TYPE, CarePlanMapping.MAPPING,
                SearchParameter.patient("patient", "patient"), SearchParameter.patient("subject", "patient"))
                .include("CarePlan:patient", "patient")
                .include("CarePlan:subject", "patient"));
        add(FhirType.of("Appointment", CalendarEventResource.TYPE, AppointmentMapping.MAPPING,
                SearchParameter.patient("patient", "patient"),
                SearchParameter.date("date", "start_at", "When the appointment starts."))
                .include("Appointment:patient", "owner"));
        add(FhirType.of("Questionnaire", HealthQuestionDefinitionResource.TYPE, QuestionnaireMappings.QUESTIONNAIRE));
        add(FhirType.of("QuestionnaireResponse", HealthProfileAnswerResource.TYPE, QuestionnaireMappings.RESPONSE,
                SearchParameter.patient("patient", "patient"), SearchParameter.patient("subject", "patient"))
                .include("QuestionnaireResponse:patient", "patient")
                .include("QuestionnaireResponse:subject", "patient"));
    }

    private FhirTypes() {
    }

    public static List<FhirType> all() {
        return List.copyOf(TYPES.values());
    }

    public static Optional<FhirType> find(String name) {
        return Optional.ofNullable(TYPES.get(name));
    }

    /** The FHIR type a source type maps to (an include's target, an export's type list). */
    public static FhirType get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("no FHIR type " + name));
    }

    /** The FHIR type of a source type (by the source's JSON:API name). */
    public static FhirType bySource(String sourceName) {
        return TYPES.values().stream().filter(type -> type.source().name().equals(sourceName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no FHIR type maps " + sourceName));
    }

    /** {@code identifier=system|value}: the patient's identifier filters, system as {@link FhirUris} writes it. */
    private static SearchParameter identifier() {
        return new SearchParameter("identifier", SearchParamType.TOKEN,
                "system|value, the system as Patient.identifier.system shows it (a bare source system as its URI).",
                false, (value, query) -> {
                    int bar = value.indexOf('|');
                    if (bar <= 0 || bar == value.length() - 1 || value.indexOf('|', bar + 1) >= 0
                            || value.contains(",")) {
                        throw SearchQuery.invalid("identifier", "give one identifier as system|value (both required,"
                                + " no alternatives)");
                    }
                    query.filter("identifier.system", FhirUris.storedSystem(value.substring(0, bar)), "identifier");
                    query.filter("identifier.value", value.substring(bar + 1), "identifier");
                });
    }

    /**
     * {@code code=[system|]code,…}: the LOINC or OpenPlus code of a metric type (each metric carries its type's
     * codes); a code no metric type has matches nothing.
     */
    private static SearchParameter code() {
        var typeColumn = MetricResource.TYPE.attribute("type").orElseThrow().column();
        return new SearchParameter("code", SearchParamType.TOKEN,
                "A LOINC code (http://loinc.org|29463-7) or an OpenPlus metric type (" + MetricCodes.CODE_SYSTEM
                        + "|weight); comma-separated alternatives.", false, (value, query) -> {
                    List<String> types = new ArrayList<>();
                    for (String token : SearchParameter.alternatives("code", value)) {
                        int bar = token.indexOf('|');
                        String system = bar < 0 ? null : token.substring(0, bar);
                        String code = bar < 0 ? token : token.substring(bar + 1);
                        types.addAll(system != null && system.isEmpty() ? List.of() : MetricCodes.typesOf(system, code));
                    }
                    @SuppressWarnings("unchecked")
                    org.jooq.Field<String> column = (org.jooq.Field<String>) typeColumn;
                    query.condition(types.isEmpty() ? org.jooq.impl.DSL.falseCondition() : column.in(types));
                });
    }
}
