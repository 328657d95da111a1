package dev.openplus.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.Application;
import dev.openplus.support.Api;
import dev.openplus.support.CarePlans;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * Fetches by id answered in front of Javalin ({@code DirectReads}) answer exactly what Javalin answers: each
 * request goes to the test server and to a second server on the same database with
 * {@code OPENPLUS_HTTP_DIRECT_READS=false}, and status, headers and body must match but for the request id and
 * the date. The test server's counter of direct reads shows which requests took the direct path.
 */
class DirectReadsTest {
    static TestServer server;
    static Api direct;
    static Application javalinOnly;
    static Api viaJavalin;
    static Fixtures.Tenant tenant;
    static String patientId;
    /** A patient whose document is larger than the answers Javalin leaves uncompressed (1500 bytes). */
    static String largePatientId;
    static String groupId;
    static String otherTenantsPatient;

    @BeforeAll
    static void setUp() throws Exception {
        server = TestServer.get();
        direct = server.api();
        Fixtures fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Direct Reads Org");
        groupId = fixtures.apiGroup(tenant, "Direct");
        CarePlans plans = new CarePlans(direct);
        patientId = plans.patient(tenant.token(), groupId);
        Api.Response large = direct.post("/pub/patient", tenant.token(), Api.json(Map.of("data", Map.of(
                "type", "patient", "attributes", Map.of("first_name", "Large", "note", "A long note. ".repeat(200)),
                "relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", groupId))))))));
        assertThat(large.status()).as(large.body()).isEqualTo(201);
        largePatientId = large.at("/data/id").asText();
        Fixtures.Tenant other = fixtures.tenant("Direct Reads Other Org");
        otherTenantsPatient = plans.patient(other.token(), fixtures.apiGroup(other, "Elsewhere"));
        javalinOnly = Application.start(server.config.withPort(0).withDirectReads(false), server.database);
        viaJavalin = new Api("http://127.0.0.1:" + javalinOnly.port());
    }

    @AfterAll
    static void tearDown() {
        if (javalinOnly != null) {
            javalinOnly.close();
        }
    }

    private record Probe(String path, String token, List<String> headers) {
        static Probe of(String path, String token, String... headers) {
            return new Probe(path, token, List.of(headers));
        }
    }

    /** Requests for the direct path: found, filtered, refused before and after the route handler. */
    private static List<Probe> directProbes() {
        String token = tenant.token();
        String patient = "/pub/patient/" + patientId;
        return List.of(
                Probe.of(patient, token),
                Probe.of(patient + "?include=groups", token),
                Probe.of(patient + "?include=groups,coaches&fields%5Bpatient%5D=first_name,groups", token),
                Probe.of(patient + "?fields%5Bgroup%5D=name&include=groups", token),
                Probe.of(patient + "?include=nothing", token),
                Probe.of(patient + "?include=groups&include=coaches", token),
                Probe.of(patient + "?page%5Blimit%5D=5", token),
                Probe.of(patient + "?unknown=1", token),
                Probe.of(patient + "?include=%E0%A4", token),
                Probe.of("/pub/patient/" + otherTenantsPatient, token),
                Probe.of("/pub/patient/not-an-id", token),
                Probe.of("/pub/patient/" + patientId.substring(0, patientId.length() - 1) + "0", token),
                Probe.of(patient, null),
                Probe.of(patient, "not-a-token"),
                Probe.of(patient, token, "Accept", "application/vnd.api+json; ext=bulk"),
                Probe.of(patient, token, "Accept", "application/vnd.api+json, application/vnd.api+json; ext=x"),
                Probe.of(patient, token, "Accept", "text/html"),
                Probe.of("/pub/group/" + groupId, token),
                Probe.of("/pub/organization/" + tenant.organizationId(), token),
                Probe.of("/pub/organization/" + tenant.organizationId() + "?include=groups", token),
                Probe.of("/pub/coach/" + groupId, token));
    }

    /** Requests that Javalin answers on the test server too. */
    private static List<Probe> javalinProbes() {
        String token = tenant.token();
        String patient = "/pub/patient/" + patientId;
        return List.of(
                Probe.of(patient + "/", token),
                Probe.of("/pub/patient/%36" + patientId.substring(1), token),
                Probe.of(patient + "/groups", token),
                Probe.of("/pub/nowhere/" + patientId, token),
                Probe.of("/pub/patient", token));
    }

    /** What clients send as {@code Accept-Encoding}, Javalin's items and not, with quality values and without. */
    private static final List<List<String>> ENCODINGS = List.of(
            List.of("gzip, deflate"), List.of("gzip"), List.of("deflate"), List.of("br"), List.of("zstd"),
            List.of("identity"), List.of("gzip;q=0"), List.of("gzip;q=1.0"), List.of("*"), List.of(""),
            List.of("GZIP"), List.of("  br ,  gzip  "), List.of("gzip, deflate, br, zstd"),
            List.of("deflate, gzip;q=0.5"), List.of("identity;q=0"), List.of("x-gzip"),
            List.of("identity", "gzip"), List.of("gzip", "identity"));

    /**
     * The entries of {@link #ENCODINGS} on which Javalin compresses: "gzip" (any case, without a quality value)
     * among the items of the first {@code Accept-Encoding} header.
     */
    private static final int GZIP_ACCEPTED = 6;

    /** Fetches whose answers are above and below the size Javalin compresses from, found and refused. */
    private static List<Probe> encodedProbes() {
        String token = tenant.token();
        String patient = "/pub/patient/" + patientId;
        String largePatient = "/pub/patient/" + largePatientId;
        List<Probe> bases = List.of(
                Probe.of(largePatient, token),
                Probe.of(largePatient + "?include=groups", token),
                Probe.of(largePatient + "?fields%5Bpatient%5D=first_name", token),
                Probe.of(patient, token),
                Probe.of(patient + "?include=groups,coaches", token),
                Probe.of(patient + "?fields%5Bpatient%5D=first_name", token),
                Probe.of("/pub/patient/" + otherTenantsPatient, token),
                Probe.of("/pub/organization/" + tenant.organizationId() + "?include=groups", token),
                Probe.of(patient, "not-a-token"),
                Probe.of(patient, token, "Accept", "text/html"));
        List<Probe> probes = new ArrayList<>();
        for (Probe base : bases) {
            for (List<String> values : ENCODINGS) {
                List<String> headers = new ArrayList<>(base.headers());
                for (String value : values) {
                    headers.add("Accept-Encoding");
                    headers.add(value);
                }
                probes.add(new Probe(base.path(), base.token(), headers));
            }
        }
        return probes;
    }

    @Test
    void everyFetchAnswersAsJavalinWould() {
        for (Probe probe : directProbes()) {
            assertSameAnswer(probe);
        }
        for (Probe probe : javalinProbes()) {
            assertSameAnswer(probe);
        }
    }

    /**
     * With any {@code Accept-Encoding}, an answer is compressed (or not) as Javalin compresses it: the same status,
     * headers ({@code Content-Encoding}, {@code Content-Length}, {@code Vary: Accept-Encoding}) and, decompressed, the same bytes.
     */
    @Test
    void everyEncodedFetchAnswersAsJavalinWould() throws Exception {
        Map<String, Integer> encodings = new TreeMap<>();
        for (Probe probe : encodedProbes()) {
            Raw expected = sendRaw(viaJavalin, probe);
            Raw actual = sendRaw(direct, probe);
            String what = probe.path() + " " + probe.headers();
            assertThat(actual.status()).as(what).isEqualTo(expected.status());
            // A compressed length depends on the request id compressed with the rest: each must be its body's.
            assertThat(actual.headersButLength()).as(what).isEqualTo(expected.headersButLength());
            assertThat(actual.headers().allValues("Vary")).as(what).containsExactly("Accept-Encoding");
            String reqId = actual.headers().firstValue("X-Request-Id").orElseThrow();
            String expectedReqId = expected.headers().firstValue("X-Request-Id").orElseThrow();
            byte[] body = actual.decoded();
            assertThat(new String(body, StandardCharsets.UTF_8)).as(what).contains(reqId);
            assertThat(replace(body, reqId)).as(what).isEqualTo(replace(expected.decoded(), expectedReqId));
            encodings.merge(actual.headers().firstValue("Content-Encoding").orElse("none"), 1, Integer::sum);
        }
        // Both kinds of answer were compared: large ones compressed, small ones and other encodings not.
        assertThat(encodings).containsOnlyKeys("gzip", "none");
        assertThat(encodings.get("gzip")).isEqualTo(2 * GZIP_ACCEPTED);
    }

    @Test
    void onlyPlainFetchesTakeTheDirectPath() throws Exception {
        double before = directReads();
        for (Probe probe : directProbes()) {
            send(direct, probe);
        }
        assertThat(directReads() - before).isEqualTo(directProbes().size());
        before = directReads();
        for (Probe probe : encodedProbes()) {
            sendRaw(direct, probe);
        }
        assertThat(directReads() - before).isEqualTo(encodedProbes().size());
        before = directReads();
        for (Probe probe : javalinProbes()) {
            send(direct, probe);
        }
        assertThat(directReads() - before).isZero();
    }

    @Test
    void directFetchesAreTimedByRouteAndStatusLikeTheRest() {
        String found = "http_server_requests_seconds_count{method=\"GET\",route=\"/pub/patient/{id}\",status=\"200\"}";
        String missing = "http_server_requests_seconds_count{method=\"GET\",route=\"/pub/patient/{id}\",status=\"404\"}";
        String refused = "http_server_requests_seconds_count{method=\"GET\",route=\"unmatched\",status=\"401\"}";
        double[] before = {metric(found), metric(missing), metric(refused)};
        send(direct, Probe.of("/pub/patient/" + patientId, tenant.token()));
        send(direct, Probe.of("/pub/patient/" + patientId, tenant.token()));
        send(direct, Probe.of("/pub/patient/" + otherTenantsPatient, tenant.token()));
        send(direct, Probe.of("/pub/patient/" + patientId, null));
        assertThat(metric(found) - before[0]).isEqualTo(2);
        assertThat(metric(missing) - before[1]).isEqualTo(1);
        assertThat(metric(refused) - before[2]).isEqualTo(1);
    }

    @Test
    void headAndOtherMethodsAreLeftToJavalin() {
        Api.Response head = direct.send("HEAD", "/pub/patient/" + patientId, tenant.token(), null, null, List.of());
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.header("X-Request-Id")).isPresent();
        Api.Response delete = direct.send("DELETE", "/pub/patient/" + patientId, tenant.token(), null, null,
                List.of());
        assertThat(delete.status()).isEqualTo(405);
        assertThat(delete.header("Allow").orElseThrow()).isEqualTo("GET, PATCH");
    }

    private static void assertSameAnswer(Probe probe) {
        Api.Response expected = send(viaJavalin, probe);
        Api.Response actual = send(direct, probe);
        String what = probe.path() + " " + probe.headers();
        assertThat(actual.status()).as(what).isEqualTo(expected.status());
        assertThat(headers(actual)).as(what).isEqualTo(headers(expected));
        assertThat(withoutReqId(actual)).as(what).isEqualTo(withoutReqId(expected));
        assertThat(actual.at("/meta/req_id").asText()).as(what).isEqualTo(actual.header("X-Request-Id").orElseThrow());
    }

    private static Api.Response send(Api api, Probe probe) {
        return api.send("GET", probe.path(), probe.token(), null, null, probe.headers());
    }

    /** An answer as bytes, as they came over the wire. */
    private record Raw(int status, HttpHeaders headers, byte[] body) {
        /** The headers but the date and the request id, with a Content-Length that must be the body's own. */
        Map<String, List<String>> headersButLength() {
            Map<String, List<String>> all = DirectReadsTest.headers(headers);
            assertThat(all.get("content-length")).containsExactly(String.valueOf(body.length));
            all.put("content-length", List.of("<the body's>"));
            return all;
        }

        /** The body, decompressed as its {@code Content-Encoding} says. */
        byte[] decoded() throws IOException {
            String encoding = headers.firstValue("Content-Encoding").orElse("identity");
            return switch (encoding) {
                case "identity" -> body;
                case "gzip" -> new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();
                case "deflate" -> new InflaterInputStream(new ByteArrayInputStream(body)).readAllBytes();
                default -> throw new AssertionError("unexpected Content-Encoding " + encoding);
            };
        }
    }

    private static final HttpClient RAW = HttpClient.newHttpClient();

    /** A request as a client that can decompress sends it: the body is not decoded on the way. */
    private static Raw sendRaw(Api api, Probe probe) throws Exception {
        String base = api == direct ? server.baseUrl : "http://127.0.0.1:" + javalinOnly.port();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + probe.path()))
                .timeout(Duration.ofSeconds(30)).GET();
        if (probe.token() != null) {
            request.header("Authorization", "Bearer " + probe.token());
        }
        for (int i = 0; i + 1 < probe.headers().size(); i += 2) {
            request.header(probe.headers().get(i), probe.headers().get(i + 1));
        }
        HttpResponse<byte[]> response = RAW.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Raw(response.statusCode(), response.headers(), response.body());
    }

    private static String replace(byte[] body, String reqId) {
        return new String(body, StandardCharsets.UTF_8).replace(reqId, "<req_id>");
    }

    /** Every header but the date and the request id, names in lower case. */
    private static Map<String, List<String>> headers(Api.Response response) {
        return headers(response.headers());
    }

    private static Map<String, List<String>> headers(HttpHeaders all) {
        Map<String, List<String>> headers = new TreeMap<>();
        all.map().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!lower.equals("date") && !lower.equals("x-request-id")) {
                headers.put(lower, new ArrayList<>(values));
            }
        });
        return headers;
    }

    private static String withoutReqId(Api.Response response) {
        String reqId = response.header("X-Request-Id").orElseThrow();
        assertThat(response.body()).contains(reqId);
        return response.body().replace(reqId, "<req_id>");
    }

    private static double directReads() {
        return metric("openplus_http_direct_reads_total");
    }

    private static double metric(String series) {
        String metrics = direct.get("/metrics", null).body();
        Matcher line = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        return line.find() ? Double.parseDouble(line.group(1)) : 0;
    }
}
