package dev.openplus.metric;

import java.sql.PreparedStatement;
import java.util.List;

import org.jooq.DSLContext;

import dev.openplus.db.Ids;

/** Results written by the server: one per new metric, in one statement for the batch. */
final class ResultWriter {
    /**
     * Each metric's result: its value as {@code data.value} ({systolic, diastolic} for a blood pressure), linked
     * to the patient's action tracking that metric type at that time (started at or before it, not ended by
     * then; the latest started wins), whose {@code _thread} it takes; without such an action the thread is the
     * metric type.
     */
    private static final String INSERT = "insert into result (id, organization_id, patient_id, action_id, metric_id,"
            + " type, metric_type, data, occurred_at, thread, created_by, updated_by)"
            + " select q.result_id, m.organization_id, m.patient_id, a.id, m.id, m.type, m.type,"
            + " case when m.type = 'blood_pressure'"
            + " then jsonb_build_object('value', jsonb_build_object('systolic', m.systolic, 'diastolic', m.diastolic))"
            + " else jsonb_build_object('value', m.value) end,"
            + " m.occurred_at, coalesce(a.thread, m.type), m.created_by, m.created_by"
            + " from unnest(?::bpchar[], ?::bpchar[]) as q(metric_id, result_id)"
            + " join patient_health_metric m on m.id = q.metric_id"
            + " left join lateral (select a.id, a.thread from action a where a.patient_id = m.patient_id"
            + " and a.type = m.type and a.tracking and a.effective_from <= m.occurred_at"
            + " and (a.effective_to is null or a.effective_to > m.occurred_at)"
            + " order by a.effective_from desc, a.id desc limit 1) a on true";

    private ResultWriter() {
    }

    static void forMetrics(DSLContext dsl, List<String> metricIds) {
        if (metricIds.isEmpty()) {
            return;
        }
        String[] resultIds = metricIds.stream().map(id -> Ids.newId()).toArray(String[]::new);
        dsl.connection(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(INSERT)) {
                statement.setArray(1, connection.createArrayOf("bpchar", metricIds.toArray()));
                statement.setArray(2, connection.createArrayOf("bpchar", resultIds));
                statement.executeUpdate();
            }
        });
    }
}
