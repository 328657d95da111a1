package dev.openplus.fhir;

import java.math.BigDecimal;
import java.util.Optional;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Resource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.jsonapi.ResourceRow;

/**
 * Observation from a patient health metric: LOINC (or OpenPlus) code, category, UCUM value, and the R4
 * vital-signs profile where the metric type has one and its unit is one the profile allows.
 */
final class ObservationMapping {
    static final String CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category";
    static final String DATA_ABSENT_SYSTEM = "http://terminology.hl7.org/CodeSystem/data-absent-reason";
    static final ResourceMapping MAPPING = ResourceMapping.perRow((row, context) -> observation(row));

    private ObservationMapping() {
    }

    private static Resource observation(ResourceRow row) {
        SourceRow source = new SourceRow(row);
        MetricCodes.Coding coding = MetricCodes.of(source.text("type"));
        Observation observation = Elements.identify(new Observation(), source);
        observation.setStatus(Observation.ObservationStatus.FINAL);
        observation.addCategory().addCoding(new Coding(CATEGORY_SYSTEM, coding.category(), null));
        observation.setCode(code(coding));
        JsonNode stored = source.json("code");
        if (stored.hasNonNull("system") && stored.hasNonNull("value")) {
            String system = FhirUris.system(stored.get("system").asText());
            String value = stored.get("value").asText();
            boolean known = observation.getCode().getCoding().stream()
                    .anyMatch(c -> c.getSystem().equals(system) && c.getCode().equals(value));
            if (!known) {
                observation.getCode().addCoding(new Coding(system, value, null));
            }
        }
        observation.setSubject(Elements.reference("Patient", source.linked("patient")));
        observation.setEffective(Elements.dateTime(source.time("occurred_at")));
        observation.setIssuedElement(Elements.instant(source.time("created_at")));
        String unit = source.text("unit");
        boolean conforms = coding.profile() != null;
        if (coding.type().equals("blood_pressure")) {
            conforms &= component(observation, MetricCodes.SYSTOLIC, source.number("systolic"), unit);
            conforms &= component(observation, MetricCodes.DIASTOLIC, source.number("diastolic"), unit);
        } else if (source.number("value") == null) {
            observation.setDataAbsentReason(dataAbsent());
        } else {
            Quantity quantity = quantity(coding, source.number("value"), unit);
            observation.setValue(quantity);
            conforms &= allowed(coding, quantity);
        }
        if (conforms) {
            observation.getMeta().addProfile(MetricCodes.PROFILE + coding.profile());
        }
        return observation;
    }

    static CodeableConcept code(MetricCodes.Coding coding) {
        CodeableConcept code = new CodeableConcept().setText(coding.display());
        if (coding.loinc() != null) {
            code.addCoding(new Coding(FhirUris.LOINC, coding.loinc(), coding.display()));
        }
        code.addCoding(new Coding(MetricCodes.CODE_SYSTEM, coding.type(), null));
        return code;
    }

    /** A component of the blood pressure panel; false when its unit keeps the panel out of the bp profile. */
    private static boolean component(Observation observation, MetricCodes.Coding coding, BigDecimal value,
            String unit) {
        Observation.ObservationComponentComponent component = observation.addComponent().setCode(code(coding));
        if (value == null) {
            component.setDataAbsentReason(dataAbsent());
            return true;
        }
        Quantity quantity = quantity(coding, value, unit);
        component.setValue(quantity);
        return allowed(coding, quantity);
    }

    /**
     * The value in UCUM: the stored unit's UCUM code where the spelling is known, the type's default unit when
     * none is stored, and otherwise the stored unit as text only (no UCUM code is guessed).
     */
    private static Quantity quantity(MetricCodes.Coding coding, BigDecimal value, String unit) {
        Quantity quantity = new Quantity().setValue(value);
        Optional<MetricCodes.Unit> ucum = unit == null || unit.isBlank() ? Optional.of(MetricCodes.defaultUnit(coding))
                : MetricCodes.unit(unit);
        if (ucum.isPresent()) {
            quantity.setUnit(ucum.get().display()).setSystem(FhirUris.UCUM).setCode(ucum.get().code());
        } else {
            quantity.setUnit(unit);
        }
        return quantity;
    }

    private static boolean allowed(MetricCodes.Coding coding, Quantity quantity) {
        return quantity.hasCode() && (coding.profileUnits().isEmpty() || coding.profileUnits().contains(quantity.getCode()));
    }

    private static CodeableConcept dataAbsent() {
        return new CodeableConcept().addCoding(new Coding(DATA_ABSENT_SYSTEM, "unknown", "Unknown"));
    }
}
