package dev.openplus.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
                Probe.of(patient, token, "Accept-Encoding", "gzip"),
                Probe.of(patient + "/", token),
                Probe.of("/pub/patient/%36" + patientId.substring(1), token),
                Probe.of(patient + "/groups", token),
                Probe.of("/pub/nowhere/" + patientId, token),
                Probe.of("/pub/patient", token));
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

    @Test
    void onlyPlainFetchesTakeTheDirectPath() {
        double before = directReads();
        for (Probe probe : directProbes()) {
            send(direct, probe);
        }
        assertThat(directReads() - before).isEqualTo(directProbes().size());
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

    /** Every header but the date and the request id, names in lower case. */
    private static Map<String, List<String>> headers(Api.Response response) {
        Map<String, List<String>> headers = new TreeMap<>();
        response.headers().map().forEach((name, values) -> {
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
