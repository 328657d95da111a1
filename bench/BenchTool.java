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
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Helpers for bench/run, compiled once per run with the server jar on the class path (for Jackson and the
 * PostgreSQL driver; {@code java -cp openplus.jar BenchTool.java ...} runs it in source-file mode as well):
 * getting a token, creating groups, seeding and touching patients and seeding results through the API, the
 * full export and incremental sync client, capturing the server's fetch statement from PostgreSQL's log,
 * checking the COPY baseline against the API, finding deep result cursors, giving a plan actions, and the
 * bulk-create measurements (patients, metrics) beside their plain-JDBC baselines, and the summary of a JDK
 * Flight Recorder profile for bench/profile.
 */
public final class BenchTool {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "token" -> System.out.println(token(args[1], args[2], args[3]));
            case "groups" -> System.out.println(String.join(",", groups(args[1], args[2], args[3],
                    Integer.parseInt(args[4]))));
            case "seed" -> seed(args[1], args[2], args[3].split(","), args[4].split(","), Integer.parseInt(args[5]),
                    Integer.parseInt(args[6]), Path.of(args[7]), args.length > 8 ? args[8] : "seed");
            case "export" -> export(args);
            case "feed" -> feed(args);
            case "fhir-export" -> fhirExport(args);
            case "touch" -> System.out.println(touch(args[1], args[2], Path.of(args[3]), Double.parseDouble(args[4])));
            case "capture-fetch" -> captureFetch(Path.of(args[1]), Long.parseLong(args[2]), args[3], args[4], Path.of(args[5]));
            case "check-copy" -> checkCopy(args[1], args[2]);
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
            case "jfr-profile" -> jfrProfile(Path.of(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]));
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

    /** Creates {@code count} groups named "PREFIX n" through POST /pub/group; their ids in order. */
    static List<String> groups(String base, String token, String prefix, int count) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ObjectNode document = JSON.createObjectNode();
            document.putObject("data").put("type", "group").putObject("attributes").put("name", prefix + " " + i);
            ids.add(send(HttpRequest.newBuilder(URI.create(base + "/pub/group"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/vnd.api+json")
                    .POST(HttpRequest.BodyPublishers.ofString(document.toString())).build(), 201)
                    .at("/data/id").asText());
        }
        return ids;
    }

    /**
     * One bulk document of patients with fresh unique identifiers, in one group, each with that group's coach
     * as primary coach when {@code coachId} is not null.
     */
    static String bulkBody(String groupId, String coachId, int count, String prefix) {
        ObjectNode document = JSON.createObjectNode();
        ArrayNode data = document.putArray("data");
        for (int i = 0; i < count; i++) {
            ObjectNode patient = data.addObject().put("type", "patient");
            ObjectNode attributes = patient.putObject("attributes")
                    .put("first_name", "Bench" + i).put("last_name", "Patient" + (i % 997))
                    .put("birth_date", "1970-01-01").put("gender", i % 2 == 0 ? "female" : "male");
            attributes.putArray("identifiers").addObject().put("system", "BENCH").put("value", prefix + "-" + i);
            ObjectNode relationships = patient.putObject("relationships");
            relationships.putObject("groups").putArray("data").addObject().put("type", "group").put("id", groupId);
            if (coachId != null) {
                relationships.putObject("coaches").putArray("data").addObject().put("type", "coach").put("id", coachId)
                        .putObject("meta").put("primary", true);
            }
        }
        return document.toString();
    }

    static HttpRequest bulkRequest(String base, String token, String body) {
        return HttpRequest.newBuilder(URI.create(base + "/pub/patient"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/vnd.api+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /**
     * Seeds {@code total} patients in bulks of 1000, bulk {@code b} into group {@code b % groups} with that
     * group's coach (none when COACHES is empty), {@code clients} bulks in flight at a time; prints progress to
     * stderr every 10 s and writes the ids in bulk order. Identifiers are unique across organizations, so
     * each seeded organization has a PREFIX of its own for their values.
     */
    static void seed(String base, String token, String[] groups, String[] coaches, int total, int clients,
            Path idsFile, String prefix) throws Exception {
        int bulks = (total + 999) / 1000;
        String[][] idsOfBulk = new String[bulks][];
        java.util.concurrent.atomic.AtomicInteger nextBulk = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        long start = System.nanoTime();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
        List<java.util.concurrent.Future<?>> workers = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            workers.add(pool.submit(() -> {
                for (int bulk; (bulk = nextBulk.getAndIncrement()) < bulks; ) {
                    int count = Math.min(1000, total - bulk * 1000);
                    String coach = coaches[bulk % coaches.length];
                    JsonNode answer = send(bulkRequest(base, token, bulkBody(groups[bulk % groups.length],
                            coach.isEmpty() ? null : coach, count, prefix + "-" + bulk)), 201);
                    String[] ids = new String[count];
                    for (int i = 0; i < count; i++) {
                        ids[i] = answer.get("data").get(i).get("id").asText();
                    }
                    idsOfBulk[bulk] = ids;
                    done.addAndGet(count);
                }
                return null;
            }));
        }
        pool.shutdown();
        while (!pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
            double seconds = (System.nanoTime() - start) / 1e9;
            int created = done.get();
            double rate = created / seconds;
            System.err.printf("[seed] %d of %d patients, %.0f/s, about %.0f s to go%n", created, total, rate,
                    rate > 0 ? (total - created) / rate : 0.0);
            for (java.util.concurrent.Future<?> worker : workers) {
                if (worker.isDone()) {
                    worker.get(); // a failed bulk ends the seeding at once
                }
            }
        }
        for (java.util.concurrent.Future<?> worker : workers) {
            worker.get();
        }
        List<String> ids = new ArrayList<>(total);
        for (String[] bulk : idsOfBulk) {
            ids.addAll(List.of(bulk));
        }
        Files.write(idsFile, ids, StandardCharsets.UTF_8);
        System.err.printf("[seed] %d patients in %.0f s (%.0f/s)%n", total, (System.nanoTime() - start) / 1e9,
                total / ((System.nanoTime() - start) / 1e9));
    }

    // ---- reading an organization's patients in full: export and incremental sync ---------------------------

    /**
     * {@code export BASE TOKEN PATH [FRACTION CURSOR_FILE]}: follows {@code links.next} from PATH to the end,
     * one request at a time, as an export or sync client would. Every answer must be 200, the ids must ascend
     * across all pages (no page repeats or skips a row) and their number must equal the first page's
     * {@code meta.count}; otherwise the run is void: it prints {@code VOID <why>} and exits 1. Prints
     * {@code <rows> <seconds> <first page ms> <pages>}. With FRACTION, writes to CURSOR_FILE the page[after]
     * cursor of the last page boundary within that fraction of the rows, and on a second line how many rows
     * precede it (exactly the fraction when it is a multiple of the page size).
     */
    static void export(String[] args) throws Exception {
        String base = args[1];
        String token = args[2];
        String next = args[3];
        double fraction = args.length > 4 ? Double.parseDouble(args[4]) : -1;
        // The client's own start-up (classes, the first connection) is not the server's time.
        send(HttpRequest.newBuilder(URI.create(base + "/ready")).GET().build(), 200);
        long start = System.nanoTime();
        long firstPageNanos = 0;
        long rows = 0;
        long count = -1;
        int pages = 0;
        String cursor = null;
        long cursorRow = 0;
        String previous = "";
        while (next != null) {
            HttpResponse<byte[]> response = HTTP.send(get(base + next, token), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                voidRun(next + " answered " + response.statusCode());
            }
            JsonNode page = JSON.readTree(response.body());
            pages++;
            if (pages == 1) {
                firstPageNanos = System.nanoTime() - start;
                count = page.at("/meta/count").asLong(-1);
            }
            for (JsonNode row : page.get("data")) {
                String id = row.get("id").asText();
                if (id.compareTo(previous) <= 0) {
                    voidRun("id " + id + " does not follow " + previous + " (page " + pages + ")");
                }
                previous = id;
                rows++;
            }
            JsonNode link = page.at("/links/next");
            next = link.isTextual() ? link.asText() : null;
            if (fraction >= 0 && next != null && rows <= (long) (count * fraction)) {
                cursor = afterOf(next);
                cursorRow = rows;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (rows != count) {
            voidRun(rows + " rows read but meta.count said " + count);
        }
        if (fraction >= 0) {
            if (cursor == null) {
                voidRun("no page ends within the first " + fraction + " of the rows");
            }
            Files.writeString(Path.of(args[5]), cursor + "\n" + cursorRow + "\n");
        }
        System.out.printf("%d %.3f %.1f %d%n", rows, seconds, firstPageNanos / 1e6, pages);
    }

    /**
     * A FHIR Bulk Data export as a client runs it: args[3] the _type, args[4] the /pub list (page[size]=0 is added)
     * whose meta.count the export must match. Kicks off GET /fhir/r4/Patient/$export?_type=TYPE with Prefer:
     * respond-async, polls the status URL every 100 ms until 200, downloads every file of the manifest (streamed,
     * lines counted, each checked to be a resource of the type), then DELETEs the export (its files leave the data
     * directory). Prints "resources seconds written_seconds files": seconds from the kick-off to the last file
     * downloaded, written_seconds to the manifest. Void if a request fails or the count differs from meta.count.
     */
    static void fhirExport(String[] args) throws Exception {
        String base = args[1];
        String token = args[2];
        String type = args[3];
        send(HttpRequest.newBuilder(URI.create(base + "/ready")).GET().build(), 200);
        HttpResponse<byte[]> counted = HTTP.send(get(base + args[4] + "&page[size]=0", token),
                HttpResponse.BodyHandlers.ofByteArray());
        if (counted.statusCode() != 200) {
            voidRun(args[4] + " answered " + counted.statusCode());
        }
        long expected = JSON.readTree(counted.body()).at("/meta/count").asLong(-1);
        String prefix = "{\"resourceType\":\"" + type + "\"";
        long start = System.nanoTime();
        HttpResponse<byte[]> kickOff = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/fhir/r4/Patient/$export?_type="
                + type)).header("Authorization", "Bearer " + token).header("Accept", "application/fhir+json")
                .header("Prefer", "respond-async").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (kickOff.statusCode() != 202) {
            voidRun("the kick-off answered " + kickOff.statusCode() + ": " + new String(kickOff.body()));
        }
        String status = kickOff.headers().firstValue("Content-Location").orElse(null);
        if (status == null) {
            voidRun("the kick-off's 202 has no Content-Location");
        }
        JsonNode manifest = null;
        while (manifest == null) {
            HttpResponse<byte[]> polled = HTTP.send(get(status, token), HttpResponse.BodyHandlers.ofByteArray());
            if (polled.statusCode() == 200) {
                manifest = JSON.readTree(polled.body());
            } else if (polled.statusCode() == 202) {
                Thread.sleep(100);
            } else {
                voidRun("the status answered " + polled.statusCode() + ": " + new String(polled.body()));
            }
        }
        double written = (System.nanoTime() - start) / 1e9;
        long resources = 0;
        int files = 0;
        for (JsonNode output : manifest.get("output")) {
            HttpResponse<java.io.InputStream> file = HTTP.send(get(output.get("url").asText(), token),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (file.statusCode() != 200) {
                voidRun(output.get("url").asText() + " answered " + file.statusCode());
            }
            long lines = 0;
            try (java.io.BufferedReader reader = new java.io.BufferedReader(new java.io.InputStreamReader(file.body(),
                    java.nio.charset.StandardCharsets.UTF_8), 1 << 16)) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (!line.startsWith(prefix)) {
                        voidRun("a line of " + output.get("url").asText() + " is not a " + type + ": "
                                + line.substring(0, Math.min(80, line.length())));
                    }
                    lines++;
                }
            }
            if (lines != output.get("count").asLong()) {
                voidRun(output.get("url").asText() + " has " + lines + " lines, its count says " + output.get("count"));
            }
            resources += lines;
            files++;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        HTTP.send(HttpRequest.newBuilder(URI.create(status)).header("Authorization", "Bearer " + token).DELETE().build(),
                HttpResponse.BodyHandlers.discarding());
        if (resources != expected) {
            voidRun("the export holds " + resources + " " + type + " resources, " + args[4] + " counts " + expected);
        }
        System.out.printf("%d %.3f %.3f %d%n", resources, seconds, written, files);
    }

    private static void voidRun(String why) {
        System.out.println("VOID " + why);
        System.exit(1);
    }

    /**
     * Follows the change feed from PATH (args[3]) to its end (the first empty page: the feed's links.next is always
     * present), one client; prints "changes resources seconds first_page_ms pages", where resources counts the
     * included resources (include=resource). Writes to args[4] the page[after] of the last page that held changes
     * (the feed's last page, for the latency line). Void if a change comes twice or a page of changes includes no
     * resource.
     */
    static void feed(String[] args) throws Exception {
        String base = args[1];
        String token = args[2];
        String next = args[3];
        send(HttpRequest.newBuilder(URI.create(base + "/ready")).GET().build(), 200);
        long start = System.nanoTime();
        long firstPageNanos = 0;
        long changes = 0;
        long resources = 0;
        int pages = 0;
        java.util.Set<Long> seen = new java.util.HashSet<>();
        String lastFull = null;
        while (true) {
            HttpResponse<byte[]> response = HTTP.send(get(base + next, token), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                voidRun(next + " answered " + response.statusCode());
            }
            JsonNode page = JSON.readTree(response.body());
            pages++;
            if (pages == 1) {
                firstPageNanos = System.nanoTime() - start;
            }
            long expected = 0;
            for (JsonNode change : page.get("data")) {
                // Feed order is (position, id), not id order: only a change served twice is an error.
                if (!seen.add(Long.parseLong(change.get("id").asText()))) {
                    voidRun("change " + change.get("id").asText() + " twice (page " + pages + ")");
                }
                changes++;
                if (!change.at("/attributes/action").asText().equals("deleted")) {
                    expected++;
                }
            }
            resources += page.path("included").size();
            if (page.path("included").size() < Math.min(expected, 1)) {
                voidRun("page " + pages + " includes no resource of its " + expected + " changes");
            }
            if (page.get("data").isEmpty()) {
                break;
            }
            lastFull = next;
            next = page.at("/links/next").asText();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Files.writeString(Path.of(args[4]), (lastFull.contains("page[after]=") ? afterOf(lastFull) : "") + "\n");
        System.out.printf("%d %d %.3f %.1f %d%n", changes, resources, seconds, firstPageNanos / 1e6, pages);
    }

    /** The page[after] value of a links.next URL. */
    private static String afterOf(String next) {
        String cursor = next.substring(next.indexOf("page[after]=") + "page[after]=".length());
        int end = cursor.indexOf('&');
        return end < 0 ? cursor : cursor.substring(0, end);
    }

    /**
     * Touches the last {@code fraction} of the seeded patients (at least one) by a PATCH of their note, 16
     * requests in flight (a PATCH is a transaction of its own, and concurrent commits share their WAL flush);
     * prints the {@code filter[updated_at]} range {@code start..end} that holds exactly
     * those patients: 1 ms either side of the earliest and latest {@code updated_at} the answers give, as
     * nothing else writes patients meanwhile.
     */
    static String touch(String base, String token, Path idsFile, double fraction) throws Exception {
        List<String> ids = Files.readAllLines(idsFile, StandardCharsets.UTF_8);
        int count = Math.max(1, (int) Math.round(ids.size() * fraction));
        List<String> touched = ids.subList(ids.size() - count, ids.size());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
        List<java.util.concurrent.Future<java.time.Instant>> answers = new ArrayList<>();
        for (String id : touched) {
            ObjectNode document = JSON.createObjectNode();
            document.putObject("data").put("type", "patient").put("id", id).putObject("attributes")
                    .put("note", "touched for the incremental sync");
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/pub/patient/" + id))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/vnd.api+json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString(document.toString())).build();
            answers.add(pool.submit(() -> java.time.Instant.parse(
                    send(request, 200).at("/data/attributes/updated_at").asText())));
        }
        pool.shutdown();
        java.time.Instant earliest = java.time.Instant.MAX;
        java.time.Instant latest = java.time.Instant.MIN;
        for (java.util.concurrent.Future<java.time.Instant> answer : answers) {
            java.time.Instant at = answer.get();
            earliest = at.isBefore(earliest) ? at : earliest;
            latest = at.isAfter(latest) ? at : latest;
        }
        System.err.printf("[touch] %d patients updated between %s and %s (%.0f/s)%n", count, earliest, latest,
                count / Math.max(0.001, java.time.Duration.between(earliest, latest).toNanos() / 1e9));
        return earliest.minusMillis(1) + ".." + latest.plusMillis(1);
    }

    private static final java.util.regex.Pattern EXECUTE = java.util.regex.Pattern.compile(
            " LOG:  duration: [0-9.]+ ms  execute [^:]*: (.*)$");
    private static final java.util.regex.Pattern PARAMETER = java.util.regex.Pattern.compile(
            "\\$(\\d+) = (NULL|'((?:[^']|'')*)')");

    /**
     * {@code capture-fetch LOG OFFSET ID IDS OUT}: finds, in the PostgreSQL log after byte OFFSET (written with
     * {@code log_min_duration_statement=0}), the statement the server executed with the patient id ID as a
     * parameter, and writes the pgbench script {@code OUT.sql} that runs that very statement text with the id
     * parameter replaced by {@code (select id from bench_ids where n = :n)} for {@code \set n random(1, IDS)}
     * and every other parameter as a pgbench variable, {@code OUT.defs} with their {@code -D} definitions (the
     * values the server bound), {@code OUT.check.sql} (the same for n = 1 with the values inlined, which must
     * answer one row) and {@code OUT.captured.txt} (the statement and parameters as logged). More than one
     * distinct statement with the id is an error: the bench cannot tell which one is the fetch.
     */
    static void captureFetch(Path log, long offset, String id, String ids, Path out) throws Exception {
        List<String> lines;
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(log.toFile(), "r")) {
            file.seek(offset);
            byte[] rest = new byte[(int) (file.length() - offset)];
            file.readFully(rest);
            lines = new String(rest, StandardCharsets.UTF_8).lines().toList();
        }
        java.util.Map<String, java.util.Map<Integer, String>> found = new java.util.LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            java.util.regex.Matcher execute = EXECUTE.matcher(lines.get(i));
            if (!execute.find()) {
                continue;
            }
            StringBuilder sql = new StringBuilder(execute.group(1));
            int j = i + 1;
            while (j < lines.size() && lines.get(j).startsWith("\t")) {
                sql.append('\n').append(lines.get(j).substring(1));
                j++;
            }
            if (j >= lines.size() || !lines.get(j).contains(" DETAIL:  Parameters: ")) {
                continue;
            }
            java.util.Map<Integer, String> parameters = new java.util.TreeMap<>();
            java.util.regex.Matcher parameter = PARAMETER.matcher(lines.get(j));
            while (parameter.find()) {
                parameters.put(Integer.parseInt(parameter.group(1)),
                        parameter.group(3) == null ? null : parameter.group(3).replace("''", "'"));
            }
            if (parameters.containsValue(id)) {
                found.putIfAbsent(sql.toString(), parameters);
            }
        }
        if (found.size() != 1) {
            throw new IllegalStateException("expected one statement with the patient id " + id + " in " + log
                    + ", found " + found.size() + ": " + found.keySet());
        }
        String sql = found.keySet().iterator().next();
        java.util.Map<Integer, String> parameters = found.get(sql);
        String pick = "(select id from bench_ids where n = :n)";
        java.util.regex.Matcher placeholder = java.util.regex.Pattern.compile("\\$(\\d+)").matcher(sql);
        StringBuilder script = new StringBuilder();
        StringBuilder check = new StringBuilder();
        int copied = 0;
        while (placeholder.find()) {
            int index = Integer.parseInt(placeholder.group(1));
            String value = parameters.get(index);
            boolean isId = id.equals(value);
            String text = sql.substring(copied, placeholder.start());
            script.append(text).append(isId ? pick : ":p" + index);
            check.append(text).append(isId ? pick.replace(":n", "1")
                    : value == null ? "null" : "'" + value.replace("'", "''") + "'");
            copied = placeholder.end();
        }
        script.append(sql.substring(copied));
        check.append(sql.substring(copied));
        List<String> definitions = new ArrayList<>();
        parameters.forEach((index, value) -> {
            if (!id.equals(value)) {
                if (value == null) {
                    throw new IllegalStateException("the fetch statement binds NULL to $" + index);
                }
                definitions.add("-Dp" + index + "=" + value);
            }
        });
        Files.writeString(Path.of(out + ".sql"), "\\set n random(1, " + ids + ")\n" + script + ";\n");
        Files.write(Path.of(out + ".defs"), definitions, StandardCharsets.UTF_8);
        Files.writeString(Path.of(out + ".check.sql"), check + ";\n");
        Files.writeString(Path.of(out + ".captured.txt"), sql + "\n" + parameters + "\n");
    }

    /**
     * Reads the first line of the COPY export (text format) from stdin and checks that it is, as JSON, exactly
     * the {@code data} of {@code GET /pub/patient/{its id}}: the baseline must produce what the API does.
     */
    static void checkCopy(String base, String token) throws Exception {
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8))
                .readLine();
        if (line == null) {
            throw new IllegalStateException("the COPY export wrote no row");
        }
        JsonNode copied = JSON.readTree(unescapeCopyText(line));
        JsonNode served = send(get(base + "/pub/patient/" + copied.get("id").asText(), token), 200).get("data");
        if (!copied.equals(served)) {
            System.out.println("MISMATCH\nCOPY: " + copied + "\nAPI:  " + served);
            System.exit(1);
        }
        System.out.println("same");
    }

    /** Undoes COPY's text-format escapes (backslash sequences) of one field. */
    private static String unescapeCopyText(String field) {
        StringBuilder text = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c != '\\' || i + 1 == field.length()) {
                text.append(c);
                continue;
            }
            char escaped = field.charAt(++i);
            text.append(switch (escaped) {
                case 'n' -> '\n';
                case 't' -> '\t';
                case 'r' -> '\r';
                case 'b' -> '\b';
                case 'f' -> '\f';
                case 'v' -> '\u000b';
                default -> escaped;
            });
        }
        return text.toString();
    }

    private static HttpRequest get(String url, String token) {
        return HttpRequest.newBuilder(URI.create(url.replace("[", "%5B").replace("]", "%5D")))
                .header("Authorization", "Bearer " + token).GET().build();
    }

    /** Patients per second created through POST /pub/patient, {@code requests} bulks of {@code size}. */
    static double bulkApi(String base, String token, String groupId, int requests, int size) throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            bodies.add(bulkBody(groupId, null, size, "api-" + UUID.randomUUID()));
        }
        long start = System.nanoTime();
        for (String body : bodies) {
            send(bulkRequest(base, token, body), 201);
        }
        return requests * (double) size / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * The baseline: the same rows (patient, its group membership, its identifier) inserted by a plain JDBC
     * batch, one transaction per bulk, as fast as the driver and PostgreSQL allow. Where the patient row
     * stores its group linkage (V12), it is written with the row, as the server writes it; otherwise the join
     * table's trigger would update every patient a second time and slow the baseline down.
     */
    static double bulkJdbc(String jdbcUrl, String organizationId, String groupId, int requests, int size)
            throws Exception {
        try (Connection connection = DriverManager.getConnection(batched(jdbcUrl), "postgres", null)) {
            boolean storedLinkage;
            try (Statement check = connection.createStatement();
                    ResultSet column = check.executeQuery("select count(*) from information_schema.columns"
                            + " where table_name = 'patient' and column_name = 'group_ids'")) {
                column.next();
                storedLinkage = column.getLong(1) > 0;
            }
            connection.setAutoCommit(false);
            long start = System.nanoTime();
            for (int r = 0; r < requests; r++) {
                String prefix = "jdbc-" + UUID.randomUUID();
                List<String> ids = new ArrayList<>(size);
                try (PreparedStatement patient = connection.prepareStatement(storedLinkage
                        ? "insert into patient (id, organization_id, first_name, last_name, birth_date, gender, identifiers,"
                                + " group_ids) values (?, ?, ?, ?, ?::date, ?, ?::jsonb, array[?]::char(24)[])"
                        : "insert into patient (id, organization_id, first_name, last_name, birth_date, gender, identifiers)"
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
                        if (storedLinkage) {
                            patient.setString(8, groupId);
                        }
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

    /** The URL with the driver's multi-row rewriting of batched inserts on (the server's pool has it on too). */
    static String batched(String jdbcUrl) {
        return jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
    }

    /** The baseline: the same rows (the metric and its result) by a plain JDBC batch, one transaction per bulk. */
    static double metricBulkJdbc(String jdbcUrl, String organizationId, String patientId, int requests, int size)
            throws Exception {
        try (Connection connection = DriverManager.getConnection(batched(jdbcUrl), "postgres", null)) {
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

    /** Where the running (top) frame of an execution sample belongs; the first pattern that matches wins. */
    private static final String[][] LAYERS = {
        {"PostgreSQL JDBC driver", "org.postgresql."},
        {"HikariCP", "com.zaxxer."},
        {"jOOQ", "org.jooq."},
        {"Jackson (JSON)", "com.fasterxml."},
        {"logging (logback, slf4j)", "ch.qos.", "org.slf4j."},
        {"Micrometer (metrics)", "io.micrometer."},
        {"Javalin (and Kotlin runtime)", "io.javalin.", "kotlin."},
        {"Jetty", "org.eclipse.jetty."},
        {"OpenPlus", "dev.openplus."},
        {"JDK: locks, queues, thread hand-offs", "java.util.concurrent.", "jdk.internal.misc.Unsafe", "java.lang.Thread"},
        {"JDK: NIO, sockets", "sun.nio.", "java.nio.", "sun.net."},
        {"JDK: regular expressions", "java.util.regex."},
        {"JDK: other", "java.", "jdk.", "sun."},
    };

    /**
     * {@code jfr-profile FILE REQUESTS TOP}: a Markdown summary of a recording taken while the server answered
     * REQUESTS requests: the TOP methods by execution samples in which they were the running frame, the share
     * of samples by library, the bytes allocated per request (the allocation samples' weights, which JFR scales
     * to stand for all allocation) and the collections with their pauses.
     */
    static void jfrProfile(Path file, long requests, int top) throws Exception {
        java.util.Map<String, Integer> methods = new java.util.HashMap<>();
        java.util.Map<String, Integer> layers = new java.util.LinkedHashMap<>();
        for (String[] layer : LAYERS) {
            layers.put(layer[0], 0);
        }
        layers.put("other", 0);
        int samples = 0;
        long allocated = 0;
        int collections = 0;
        double pauseMillis = 0;
        for (jdk.jfr.consumer.RecordedEvent event : jdk.jfr.consumer.RecordingFile.readAllEvents(file)) {
            String name = event.getEventType().getName();
            if (name.equals("jdk.ExecutionSample") && event.getStackTrace() != null
                    && !event.getStackTrace().getFrames().isEmpty()) {
                jdk.jfr.consumer.RecordedMethod method = event.getStackTrace().getFrames().get(0).getMethod();
                String running = method.getType().getName() + "." + method.getName();
                methods.merge(running, 1, Integer::sum);
                layers.merge(layerOf(running), 1, Integer::sum);
                samples++;
            } else if (name.equals("jdk.ObjectAllocationSample")) {
                allocated += event.getLong("weight");
            } else if (name.equals("jdk.GarbageCollection")) {
                collections++;
                pauseMillis += event.getDuration("sumOfPauses").toNanos() / 1e6;
            }
        }
        final int total = Math.max(1, samples);
        System.out.printf("%d execution samples; %.1f KiB allocated per request; %d collections, %.0f ms of pauses%n%n",
                samples, allocated / 1024.0 / Math.max(1, requests), collections, pauseMillis);
        System.out.println("| running method | samples |");
        System.out.println("|---|---|");
        methods.entrySet().stream().sorted(java.util.Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(top).forEach(e -> System.out.printf("| `%s` | %.1f %% |%n", e.getKey(), 100.0 * e.getValue() / total));
        System.out.println();
        System.out.println("| library of the running frame | samples |");
        System.out.println("|---|---|");
        layers.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(java.util.Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> System.out.printf("| %s | %.0f %% |%n", e.getKey(), 100.0 * e.getValue() / total));
    }

    private static String layerOf(String method) {
        for (String[] layer : LAYERS) {
            for (int i = 1; i < layer.length; i++) {
                if (method.startsWith(layer[i])) {
                    return layer[0];
                }
            }
        }
        return "other";
    }
}
