package dev.openplus.fhir;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.openplus.plan.MetricTypes;

/**
 * How each of the reference's 42 metric types is coded in FHIR: its LOINC code where one names the measurement
 * (else only the OpenPlus code system's code, which every metric carries), its Observation category, its
 * default UCUM unit, and the R4 vital-signs profile it conforms to, if any. The table in docs/fhir.md is this
 * one.
 */
final class MetricCodes {
    static final String CODE_SYSTEM = FhirUris.CODE_SYSTEM + "metric-type";
    static final String VITAL_SIGNS = "vital-signs";
    static final String LABORATORY = "laboratory";
    static final String EXAM = "exam";
    static final String SURVEY = "survey";
    static final String PROFILE = "http://hl7.org/fhir/StructureDefinition/";

    /**
     * @param loinc       null where no LOINC code is used
     * @param unit        the UCUM code of a value stored without a unit
     * @param profile     the vital-signs profile's id (bp, bodyweight, …), or null
     * @param profileUnits the UCUM codes the profile allows (empty: any UCUM unit)
     */
    record Coding(String type, String loinc, String display, String category, String unit, String profile,
            List<String> profileUnits) {
    }

    private static final Map<String, Coding> CODINGS = new LinkedHashMap<>();

    private static void lab(String type, String loinc, String display, String unit) {
        CODINGS.put(type, new Coding(type, loinc, display, LABORATORY, unit, null, List.of()));
    }

    private static void vital(String type, String loinc, String display, String unit, String profile,
            String... profileUnits) {
        CODINGS.put(type, new Coding(type, loinc, display, VITAL_SIGNS, unit, profile, List.of(profileUnits)));
    }

    private static void other(String type, String loinc, String display, String category, String unit) {
        CODINGS.put(type, new Coding(type, loinc, display, category, unit, null, List.of()));
    }

    static {
        vital("blood_pressure_systolic", "8480-6", "Systolic blood pressure", "mm[Hg]", "vitalsigns", "mm[Hg]");
        vital("blood_pressure_diastolic", "8462-4", "Diastolic blood pressure", "mm[Hg]", "vitalsigns", "mm[Hg]");
        lab("hemoglobin_a1c", "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%");
        lab("hdl_cholesterol", "2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma", "mg/dL");
        lab("ldl_cholesterol", "13457-7", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation", "mg/dL");
        lab("total_cholesterol", "2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL");
        lab("triglycerides", "2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", "mg/dL");
        lab("blood_urea_nitrogen", "3094-0", "Urea nitrogen [Mass/volume] in Serum or Plasma", "mg/dL");
        lab("creatinine", "2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL");
        lab("hemoglobin", "718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL");
        lab("hematocrit", "4544-3", "Hematocrit [Volume Fraction] of Blood by Automated count", "%");
        lab("total_serum_iron", "2498-4", "Iron [Mass/volume] in Serum or Plasma", "ug/dL");
        lab("thyroid_stimulating_hormone", "3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", "m[IU]/L");
        lab("free_thyroxine", "3024-7", "Thyroxine (T4) free [Mass/volume] in Serum or Plasma", "ng/dL");
        lab("free_triiodothyronine", "3051-0", "Triiodothyronine (T3) Free [Mass/volume] in Serum or Plasma", "pg/mL");
        lab("total_triiodothyronine", "3053-6", "Triiodothyronine (T3) [Mass/volume] in Serum or Plasma", "ng/dL");
        lab("cd4_cell_count", "24467-3", "CD3+CD4+ (T4 helper) cells [#/volume] in Blood", "/uL");
        lab("hiv_viral_load", "20447-9", "HIV 1 RNA [#/volume] (viral load) in Serum or Plasma by NAA with probe detection",
                "{copies}/mL");
        lab("inr", "6301-6", "INR in Platelet poor plasma by Coagulation assay", "{INR}");
        lab("free_testosterone", "2991-8", "Testosterone Free [Mass/volume] in Serum or Plasma", "pg/mL");
        lab("total_testosterone", "2986-8", "Testosterone [Mass/volume] in Serum or Plasma", "ng/dL");
        lab("c_reactive_protein", "1988-5", "C reactive protein [Mass/volume] in Serum or Plasma", "mg/L");
        lab("prostate_specific_antigen", "2857-1", "Prostate specific Ag [Mass/volume] in Serum or Plasma", "ng/mL");
        lab("cotinine", "10365-5", "Cotinine [Mass/volume] in Serum or Plasma", "ng/mL");
        lab("c_peptide", "1986-9", "C peptide [Mass/volume] in Serum or Plasma", "ng/mL");
        vital("blood_pressure", "85354-9", "Blood pressure panel with all children optional", "mm[Hg]", "bp", "mm[Hg]");
        lab("blood_glucose", "2339-0", "Glucose [Mass/volume] in Blood", "mg/dL");
        vital("weight", "29463-7", "Body weight", "[lb_av]", "bodyweight", "kg", "g", "[lb_av]");
        vital("heart_rate", "8867-4", "Heart rate", "/min", "heartrate", "/min");
        other("body_fat_percentage", "41982-0", "Percentage of body fat Measured", EXAM, "%");
        vital("body_mass_index", "39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", "bmi", "kg/m2");
        vital("body_temperature", "8310-5", "Body temperature", "[degF]", "bodytemp", "Cel", "[degF]");
        other("forced_expiratory_volume1", "20150-9", "FEV1", EXAM, "L");
        other("forced_vital_capacity", "19870-5", "Forced vital capacity [Volume] Respiratory system", EXAM, "L");
        other("lean_body_mass", null, "Lean body mass", EXAM, "[lb_av]");
        other("nausea_level", null, "Nausea level", SURVEY, "{score}");
        vital("oxygen_saturation", "2708-6", "Oxygen saturation in Arterial blood", "%", "oxygensat", "%");
        other("pain_level", "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported", SURVEY, "{score}");
        other("peak_expiratory_flow_rate", "19935-6",
                "Maximum expiratory gas flow Respiratory system airway by Peak flow meter", EXAM, "L/min");
        other("peripheral_perfusion_index", null, "Peripheral perfusion index", EXAM, "%");
        vital("respiratory_rate", "9279-1", "Respiratory rate", "/min", "resprate", "/min");
        other("inhaler_usage", null, "Inhaler usage", SURVEY, "{puffs}");
        if (!CODINGS.keySet().equals(new java.util.LinkedHashSet<>(MetricTypes.METRIC))
                || CODINGS.size() != MetricTypes.METRIC.size()) {
            throw new IllegalStateException("every metric type needs exactly one FHIR coding");
        }
    }

    /** The systolic and diastolic components of the blood pressure panel. */
    static final Coding SYSTOLIC = CODINGS.get("blood_pressure_systolic");
    static final Coding DIASTOLIC = CODINGS.get("blood_pressure_diastolic");

    private MetricCodes() {
    }

    static Coding of(String metricType) {
        Coding coding = CODINGS.get(metricType);
        if (coding == null) {
            throw new IllegalArgumentException("not a metric type: " + metricType);
        }
        return coding;
    }

    static java.util.Collection<Coding> all() {
        return CODINGS.values();
    }

    /**
     * The metric types a token of Observation?code= names: {@code system|code}, {@code code} (any system) or
     * {@code |code} (no system, which nothing here has). Empty when no metric type has that code.
     */
    static List<String> typesOf(String system, String code) {
        return CODINGS.values().stream().filter(coding -> {
            boolean loinc = coding.loinc() != null && coding.loinc().equals(code)
                    && (system == null || system.equals(FhirUris.LOINC));
            boolean own = coding.type().equals(code) && (system == null || system.equals(CODE_SYSTEM));
            return loinc || own;
        }).map(Coding::type).toList();
    }

    /** A stored unit's UCUM code and the unit's display text, when the spelling is one this table knows. */
    record Unit(String code, String display) {
    }

    private static final Map<String, Unit> UNITS = new LinkedHashMap<>();

    private static void unit(String code, String display, String... spellings) {
        Unit unit = new Unit(code, display);
        UNITS.put(code.toLowerCase(Locale.ROOT), unit);
        for (String spelling : spellings) {
            UNITS.put(spelling.toLowerCase(Locale.ROOT), unit);
        }
    }

    static {
        unit("mm[Hg]", "mmHg", "mmhg", "mm hg");
        unit("[lb_av]", "lb", "lb", "lbs", "pound", "pounds");
        unit("kg", "kg", "kgs", "kilogram", "kilograms");
        unit("g", "g", "gram", "grams");
        unit("/min", "/min", "bpm", "beats/min", "breaths/min", "per minute", "min-1", "{beats}/min", "{breaths}/min");
        unit("%", "%", "percent");
        unit("mg/dL", "mg/dL");
        unit("g/dL", "g/dL");
        unit("mg/L", "mg/L");
        unit("ng/mL", "ng/mL");
        unit("pg/mL", "pg/mL");
        unit("ng/dL", "ng/dL");
        unit("ug/dL", "ug/dL", "mcg/dl", "µg/dl");
        unit("m[IU]/L", "mIU/L", "miu/l", "mu/l", "uiu/ml", "µiu/ml", "u[iu]/ml");
        unit("mmol/L", "mmol/L");
        unit("umol/L", "umol/L", "µmol/l");
        unit("/uL", "/uL", "cells/ul", "cells/mm3", "/mm3", "cells/µl");
        unit("{copies}/mL", "copies/mL", "copies/ml");
        unit("Cel", "°C", "c", "°c", "celsius", "degc");
        unit("[degF]", "°F", "f", "°f", "fahrenheit", "degf");
        unit("kg/m2", "kg/m2", "kg/m^2", "kg/m²");
        unit("L", "L", "l", "liter", "liters", "litre", "litres");
        unit("L/min", "L/min", "l/min", "lpm");
        unit("mL", "mL");
        unit("{INR}", "INR", "inr", "ratio");
        unit("{score}", "score", "points");
        unit("{puffs}", "puffs", "puff");
    }

    /** The UCUM unit of a stored unit, or empty when the spelling is not one this table knows. */
    static Optional<Unit> unit(String stored) {
        return Optional.ofNullable(UNITS.get(stored.trim().toLowerCase(Locale.ROOT)));
    }

    static Unit defaultUnit(Coding coding) {
        return UNITS.get(coding.unit().toLowerCase(Locale.ROOT));
    }
}
