import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Helpers for bench/run, run in source-file mode with the server jar on the class path (for Jackson and
 * the PostgreSQL driver): getting a token, seeding patients and results through the API, finding deep
 * cursors, giving a plan actions, and the bulk-create measurements (patients, metrics) beside their plain-JDBC
 * baselines.
 */
public final class BenchTool {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "token" -> System.out.println(token(args[1], args[2], args[3]));
            case "seed" -> seed(args[1], args[2], args[3].split(","), Integer.parseInt(args[4]), Path.of(args[5]));
            case "cursor-at" -> System.out.println(cursorAt(args[1], args[2], args[3], Double.parseDouble(args[4])));
            case "bulk-api" -> System.out.printf("%.1f%n", bulkApi(args[1], args[2], args[3], Integer.parseInt(args[4]),
                    Integer.parseInt(args[5])));
            case "bulk-jdbc" -> System.out.printf("%.1f%n", bulkJdbc(args[1], args[2], args[3], Integer.parseInt(args[4]),
                    Integer.parseInt(args[5])));
            case "metric-bulk-api" -> System.out.printf("%.1f%n", metricBulkApi(args[1], args[2], args[3],
                    Integer.parseInt(args[4]), Integer.parseInt(args[5])));
            case "metric-bulk-jdbc" -> System.out.printf("%.1f%n", metricBulkJdbc(args[1], args[2], args[3],
                    Integer.parseInt(args[4]), Integer.parseInt(args[5])));
            case "seed-results" -> metricBulkApi(args[1], args[2], args[3], Integer.parseInt(args[4]) / 1000, 1000);
            case "result-cursor-at" -> System.out.println(resultCursorAt(args[1], args[2], args[3],
                    Double.parseDouble(args[4])));
            case "plan-with-actions" -> System.out.println(planWithActions(args[1], args[2], args[3],
                    Integer.parseInt(args[4])));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    private static JsonNode send(HttpRequest request, int expected) throws Exception {
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": "
                    + response.body().substring(0, Math.min(500, response.body().length())));
        }
        return JSON.readTree(response.body());
    }

    static String token(String base, String clientId, String secret) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("grant_type", "client_credentials")
                .put("client_id", clientId).put("client_secret", secret);
        JsonNode answer = send(HttpRequest.newBuilder(URI.create(base + "/pub/oauth/token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), 201);
        return answer.at("/data/attributes/access_token").asText();
    }

    /** One bulk document of patients with fresh unique identifiers, in one group. */
    static String bulkBody(String groupId, int count, String prefix) {
        ObjectNode document = JSON.createObjectNode();
        ArrayNode data = document.putArray("data");
        for (int i = 0; i < count; i++) {
            ObjectNode patient = data.addObject().put("type", "patient");
            ObjectNode attributes = patient.putObject("attributes")
                    .put("first_name", "Bench" + i).put("last_name", "Patient" + (i % 997))
                    .put("birth_date", "1970-01-01").put("gender", i % 2 == 0 ? "female" : "male");
            attributes.putArray("identifiers").addObject().put("system", "BENCH").put("value", prefix + "-" + i);
            patient.putObject("relationships").putObject("groups").putArray("data").addObject()
                    .put("type", "group").put("id", groupId);
        }
        return document.toString();
    }

    static HttpRequest bulkRequest(String base, String token, String body) {
        return HttpRequest.newBuilder(URI.create(base + "/pub/patient"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/vnd.api+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** Seeds {@code total} patients round-robin over the groups in bulks of 1000; writes their ids. */
    static void seed(String base, String token, String[] groups, int total, Path idsFile) throws Exception {
        List<String> ids = new ArrayList<>(total);
        for (int done = 0, round = 0; done < total; round++) {
            int count = Math.min(1000, total - done);
            JsonNode answer = send(bulkRequest(base, token, bulkBody(groups[round % groups.length], count,
                    "seed-" + round)), 201);
            answer.get("data").forEach(p -> ids.add(p.get("id").asText()));
            done += count;
        }
        Files.write(idsFile, ids, StandardCharsets.UTF_8);
    }

    /** The page[after] cursor that starts after {@code fraction} of the organization's patients (id order). */
    static String cursorAt(String base, String token, String organizationId, double fraction) throws Exception {
        String first = "/pub/patient?filter[organization]=" + organizationId + "&page[limit]=500";
        JsonNode page = send(get(base + first, token), 200);
        long target = (long) (page.at("/meta/count").asLong() * fraction);
        long seen = page.get("data").size();
        while (seen < target) {
            page = send(get(base + page.at("/links/next").asText(), token), 200);
            seen += page.get("data").size();
        }
        String next = page.at("/links/next").asText();
        return next.substring(next.indexOf("page[after]=") + "page[after]=".length());
    }

    private static HttpRequest get(String url, String token) {
        return HttpRequest.newBuilder(URI.create(url.replace("[", "%5B").replace("]", "%5D")))
                .header("Authorization", "Bearer " + token).GET().build();
    }

    /** Patients per second created through POST /pub/patient, {@code requests} bulks of {@code size}. */
    static double bulkApi(String base, String token, String groupId, int requests, int size) throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            bodies.add(bulkBody(groupId, size, "api-" + UUID.randomUUID()));
        }
        long start = System.nanoTime();
        for (String body : bodies) {
            send(bulkRequest(base, token, body), 201);
        }
        return requests * (double) size / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * The baseline: the same rows (patient, its group membership, its identifier) inserted by a plain JDBC
     * batch, one transaction per bulk, as fast as the driver and PostgreSQL allow.
     */
    static double bulkJdbc(String jdbcUrl, String organizationId, String groupId, int requests, int size)
            throws Exception {
        try (Connection connection = DriverManager.getConnection(jdbcUrl + "?reWriteBatchedInserts=true", "postgres", null)) {
            connection.setAutoCommit(false);
            long start = System.nanoTime();
            for (int r = 0; r < requests; r++) {
                String prefix = "jdbc-" + UUID.randomUUID();
                List<String> ids = new ArrayList<>(size);
                try (PreparedStatement patient = connection.prepareStatement(
                        "insert into patient (id, organization_id, first_name, last_name, birth_date, gender, identifiers)"
                                + " values (?, ?, ?, ?, ?::date, ?, ?::jsonb)")) {
                    for (int i = 0; i < size; i++) {
                        String id = String.format("%08x%016x", (int) (System.currentTimeMillis() / 1000),
                                java.util.concurrent.ThreadLocalRandom.current().nextLong());
                        ids.add(id);
                        patient.setString(1, id);
                        patient.setString(2, organizationId);
                        patient.setString(3, "Bench" + i);
                        patient.setString(4, "Patient" + (i % 997));
                        patient.setString(5, "1970-01-01");
                        patient.setString(6, i % 2 == 0 ? "female" : "male");
                        patient.setString(7, "[{\"system\":\"BENCH\",\"value\":\"" + prefix + "-" + i + "\",\"unique\":true}]");
                        patient.addBatch();
                    }
                    patient.executeBatch();
                }
                try (PreparedStatement member = connection.prepareStatement(
                        "insert into patient_group_member (patient_id, group_id, organization_id) values (?, ?, ?)")) {
                    for (String id : ids) {
                        member.setString(1, id);
                        member.setString(2, groupId);
                        member.setString(3, organizationId);
                        member.addBatch();
                    }
                    member.executeBatch();
                }
                try (PreparedStatement identifier = connection.prepareStatement(
                        "insert into patient_identifier (patient_id, organization_id, position, system, value, is_unique)"
                                + " values (?, ?, 0, 'BENCH', ?, true)")) {
                    for (int i = 0; i < size; i++) {
                        identifier.setString(1, ids.get(i));
                        identifier.setString(2, organizationId);
                        identifier.setString(3, prefix + "-" + i);
                        identifier.addBatch();
                    }
                    identifier.executeBatch();
                }
                connection.commit();
            }
            return requests * (double) size / ((System.nanoTime() - start) / 1e9);
        }
    }

    // ---- care plans and measurements (issue 9) -------------------------------------------------------------

    /** Distinct measurement times across every bulk of a run: one second apart, backwards from now. */
    private static final java.util.concurrent.atomic.AtomicLong SECONDS_BACK = new java.util.concurrent.atomic.AtomicLong();

    private static String occurredAt() {
        return java.time.Instant.now().minusSeconds(SECONDS_BACK.incrementAndGet()).toString();
    }

    /** One bulk document of weight metrics of one patient. */
    static String metricBody(String patientId, int count) {
        ObjectNode document = JSON.createObjectNode();
        ArrayNode data = document.putArray("data");
        for (int i = 0; i < count; i++) {
            ObjectNode metric = data.addObject().put("type", "patient_health_metric");
            metric.putObject("attributes").put("type", "weight").put("value", 60 + i % 40).put("unit", "kg")
                    .put("occurred_at", occurredAt());
            metric.putObject("relationships").putObject("patient").putObject("data").put("type", "patient")
                    .put("id", patientId);
        }
        return document.toString();
    }

    /** Metrics per second created through POST /pub/patient_health_metric (each also writes its result). */
    static double metricBulkApi(String base, String token, String patientId, int requests, int size) throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            bodies.add(metricBody(patientId, size));
        }
        long start = System.nanoTime();
        for (String body : bodies) {
            send(HttpRequest.newBuilder(URI.create(base + "/pub/patient_health_metric"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/vnd.api+json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), 200);
        }
        return requests * (double) size / ((System.nanoTime() - start) / 1e9);
    }

    /** The baseline: the same rows (the metric and its result) by a plain JDBC batch, one transaction per bulk. */
    static double metricBulkJdbc(String jdbcUrl, String organizationId, String patientId, int requests, int size)
            throws Exception {
        try (Connection connection = DriverManager.getConnection(jdbcUrl + "?reWriteBatchedInserts=true", "postgres", null)) {
            connection.setAutoCommit(false);
            long start = System.nanoTime();
            for (int r = 0; r < requests; r++) {
                List<String> ids = new ArrayList<>(size);
                List<String> times = new ArrayList<>(size);
                try (PreparedStatement metric = connection.prepareStatement("insert into patient_health_metric"
                        + " (id, organization_id, patient_id, type, value, unit, occurred_at)"
                        + " values (?, ?, ?, 'weight', ?, 'kg', ?::timestamptz)")) {
                    for (int i = 0; i < size; i++) {
                        String id = newId();
                        String time = occurredAt();
                        ids.add(id);
                        times.add(time);
                        metric.setString(1, id);
                        metric.setString(2, organizationId);
                        metric.setString(3, patientId);
                        metric.setBigDecimal(4, java.math.BigDecimal.valueOf(60 + i % 40));
                        metric.setString(5, time);
                        metric.addBatch();
                    }
                    metric.executeBatch();
                }
                try (PreparedStatement result = connection.prepareStatement("insert into result"
                        + " (id, organization_id, patient_id, metric_id, type, metric_type, data, occurred_at, thread)"
                        + " values (?, ?, ?, ?, 'weight', 'weight', ?::jsonb, ?::timestamptz, 'weight')")) {
                    for (int i = 0; i < size; i++) {
                        result.setString(1, newId());
                        result.setString(2, organizationId);
                        result.setString(3, patientId);
                        result.setString(4, ids.get(i));
                        result.setString(5, "{\"value\":" + (60 + i % 40) + "}");
                        result.setString(6, times.get(i));
                        result.addBatch();
                    }
                    result.executeBatch();
                }
                connection.commit();
            }
            return requests * (double) size / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static String newId() {
        return String.format("%08x%016x", (int) (System.currentTimeMillis() / 1000),
                java.util.concurrent.ThreadLocalRandom.current().nextLong());
    }

    /** The page[after] cursor that starts after {@code fraction} of a patient's results (id order). */
    static String resultCursorAt(String base, String token, String patientId, double fraction) throws Exception {
        String first = "/pub/result?filter[patient]=" + patientId + "&page[limit]=";
        long total = send(get(base + first + "0", token), 200).at("/meta/count").asLong();
        long target = Math.max(1, (long) (total * fraction));
        JsonNode page = send(get(base + first + Math.min(500, target), token), 200);
        long seen = page.get("data").size();
        while (seen < target) {
            // The last step takes just what is left, so that the page ends exactly at the target.
            String next = page.at("/links/next").asText().replaceFirst("page\\[limit\\]=\\d+",
                    "page[limit]=" + Math.min(500, target - seen));
            page = send(get(base + next, token), 200);
            seen += page.get("data").size();
        }
        String next = page.at("/links/next").asText();
        return next.substring(next.indexOf("page[after]=") + "page[after]=".length());
    }

    /** The plan summary of a patient, after giving it {@code actions} weight-tracking actions; prints its id. */
    static String planWithActions(String base, String token, String patientId, int actions) throws Exception {
        String plan = send(get(base + "/pub/patient_plan_summary?filter[patient]=" + patientId, token), 200)
                .at("/data/0/id").asText();
        for (int i = 0; i < actions; i++) {
            ObjectNode document = JSON.createObjectNode();
            ObjectNode action = document.putObject("data").put("type", "action");
            action.putObject("attributes").put("type", "weight").put("title", "Weigh in " + i)
                    .put("effective_from", "2024-01-01T00:00:00Z");
            action.putObject("relationships").putObject("plan").putObject("data").put("type", "patient_plan_summary")
                    .put("id", plan);
            send(HttpRequest.newBuilder(URI.create(base + "/pub/action"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/vnd.api+json")
                    .POST(HttpRequest.BodyPublishers.ofString(document.toString())).build(), 201);
        }
        return plan;
    }
}
