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
 * the PostgreSQL driver): getting a token, seeding patients through the API, finding a deep cursor, and the
 * bulk-create measurement beside its plain-JDBC baseline.
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
}
