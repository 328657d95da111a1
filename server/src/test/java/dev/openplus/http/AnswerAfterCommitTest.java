package dev.openplus.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.RawHttp;
import dev.openplus.support.TestServer;

/**
 * DESIGN §3: the answer is built inside the transaction and sent after COMMIT, so a client never sees a 2xx for a
 * write that did not commit. A deferred constraint trigger makes COMMIT itself fail, after every statement of the
 * request succeeded and its answer was built; a bulk answer is far larger than Jetty's output buffer, which is
 * what let its 201 leave before the COMMIT.
 */
class AnswerAfterCommitTest {
    /** Patients with this first name make COMMIT fail as a serialization failure; the other marker, as a bug. */
    private static final String CONFLICT = "commit-fails-as-a-conflict";
    private static final String BROKEN = "commit-fails-as-a-bug";

    private static final TestServer SERVER = TestServer.get();
    private static Fixtures.Tenant tenant;
    private static String group;

    @BeforeAll
    static void installTrigger() {
        tenant = new Fixtures(SERVER).tenant("Commit Failure Org");
        group = new Fixtures(SERVER).apiGroup(tenant, "commit");
        SERVER.database.dsl().execute("""
                create or replace function test_fail_commit() returns trigger language plpgsql as $$
                begin
                    if new.first_name = '%s' then
                        raise exception 'the test fails this commit' using errcode = 'serialization_failure';
                    elsif new.first_name = '%s' then
                        raise exception 'the test fails this commit';
                    end if;
                    return null;
                end $$""".formatted(CONFLICT, BROKEN));
        SERVER.database.dsl().execute("""
                create constraint trigger test_fail_commit after insert on patient
                deferrable initially deferred for each row execute function test_fail_commit()""");
    }

    @AfterAll
    static void dropTrigger() {
        SERVER.database.dsl().execute("drop trigger if exists test_fail_commit on patient");
        SERVER.database.dsl().execute("drop function if exists test_fail_commit()");
    }

    @Test
    void aBulkCreateWhoseCommitFailsNeverAnswers2xxAndStoresNothing() {
        RawHttp.Response response = post(bulk(300, "Conflict", CONFLICT));
        assertThat(response.statusLine()).startsWith("HTTP/1.1 503 ");
        assertThat(response.header("Content-Type")).isEqualTo(Api.JSON_API);
        assertThat(response.header("Retry-After")).isEqualTo("1");
        assertThat(response.at("/errors").size()).isEqualTo(1);
        assertThat(response.at("/errors/0/status").asText()).isEqualTo("503");
        assertThat(response.at("/errors/0/code").asText()).isEqualTo("ServiceUnavailable");
        assertThat(response.at("/meta/req_id").asText()).isEqualTo(response.header("X-Request-Id"));
        assertThat(storedPatients("Conflict")).isZero();
    }

    @Test
    void anyOtherFailedCommitIsAnInternalErrorAndStoresNothing() {
        RawHttp.Response bulkResponse = post(bulk(300, "Broken", BROKEN));
        assertThat(bulkResponse.statusLine()).startsWith("HTTP/1.1 500 ");
        assertThat(bulkResponse.at("/errors/0/code").asText()).isEqualTo("InternalError");

        // A small answer fits the output buffer, but was written to it all the same: the error document followed it.
        RawHttp.Response single = post(Api.json(Map.of("data", patient(BROKEN, "Broken"))));
        assertThat(single.statusLine()).startsWith("HTTP/1.1 500 ");
        assertThat(single.json().fieldNames()).toIterable().containsExactlyInAnyOrder("meta", "errors");
        assertThat(single.at("/errors/0/code").asText()).isEqualTo("InternalError");
        assertThat(storedPatients("Broken")).isZero();
    }

    @Test
    void aCommitThatSucceedsStillAnswersTheFullDocument() {
        RawHttp.Response response = post(bulk(300, "Committed", null));
        assertThat(response.statusLine()).startsWith("HTTP/1.1 201 ");
        assertThat(response.at("/data").size()).isEqualTo(300);
        assertThat(response.at("/data/299/attributes/first_name").asText()).isEqualTo("P299");
        assertThat(storedPatients("Committed")).isEqualTo(300);
    }

    /**
     * Patients named {@code lastName} (an answer of well over 100 KiB for 300), the last one carrying the marker
     * when there is one.
     */
    private static String bulk(int size, String lastName, String marker) {
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            items.add(patient(marker != null && i == size - 1 ? marker : "P" + i, lastName));
        }
        return Api.json(Map.of("data", items));
    }

    private static Map<String, Object> patient(String firstName, String lastName) {
        Map<String, Object> resource = new LinkedHashMap<>();
        resource.put("type", "patient");
        resource.put("attributes", Map.of("first_name", firstName, "last_name", lastName));
        resource.put("relationships", Map.of("groups", Map.of("data", List.of(Map.of("type", "group", "id", group)))));
        return resource;
    }

    /** The answer exactly as the server sent it first: a status line that went out before COMMIT would show. */
    private static RawHttp.Response post(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST /pub/patient HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + "Authorization: Bearer " + tenant.token() + "\r\nContent-Type: " + Api.JSON_API + "\r\n"
                + "Content-Length: " + bytes.length + "\r\n\r\n";
        byte[] request = new byte[head.length() + bytes.length];
        System.arraycopy(head.getBytes(StandardCharsets.ISO_8859_1), 0, request, 0, head.length());
        System.arraycopy(bytes, 0, request, head.length(), bytes.length);
        return RawHttp.exchange(URI.create(SERVER.baseUrl).getPort(), request, 30_000);
    }

    private static int storedPatients(String lastName) {
        return SERVER.database.dsl().fetchCount(DSL.table("patient"),
                DSL.field("organization_id").eq(tenant.organizationId()).and(DSL.field("last_name").eq(lastName)));
    }
}
