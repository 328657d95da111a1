package dev.openplus.plan;

import java.util.ArrayList;
import java.util.List;

/** The reference's 42 metric types, and the lifestyle action types (actions that track no metric). */
public final class MetricTypes {
    public static final List<String> METRIC = List.of("blood_pressure_systolic", "blood_pressure_diastolic",
            "hemoglobin_a1c", "hdl_cholesterol", "ldl_cholesterol", "total_cholesterol", "triglycerides",
            "blood_urea_nitrogen", "creatinine", "hemoglobin", "hematocrit", "total_serum_iron",
            "thyroid_stimulating_hormone", "free_thyroxine", "free_triiodothyronine", "total_triiodothyronine",
            "cd4_cell_count", "hiv_viral_load", "inr", "free_testosterone", "total_testosterone",
            "c_reactive_protein", "prostate_specific_antigen", "cotinine", "c_peptide", "blood_pressure",
            "blood_glucose", "weight", "heart_rate", "body_fat_percentage", "body_mass_index", "body_temperature",
            "forced_expiratory_volume1", "forced_vital_capacity", "lean_body_mass", "nausea_level",
            "oxygen_saturation", "pain_level", "peak_expiratory_flow_rate", "peripheral_perfusion_index",
            "respiratory_rate", "inhaler_usage");

    public static final List<String> LIFESTYLE = List.of("other_lifestyle", "medication", "physical_activity",
            "nutrition", "sleep", "stress_management");

    /** Every action type: a metric type (a tracking action) or a lifestyle type. */
    public static final List<String> ACTION;

    static {
        List<String> all = new ArrayList<>(METRIC);
        all.addAll(LIFESTYLE);
        ACTION = List.copyOf(all);
    }

    private MetricTypes() {
    }

    public static boolean isMetric(String type) {
        return METRIC.contains(type);
    }
}
