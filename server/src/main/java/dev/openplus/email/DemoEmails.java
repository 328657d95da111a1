package dev.openplus.email;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.jooq.DSLContext;
import org.jooq.Record;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.DocumentWriter;
import dev.openplus.jsonapi.ResourceWriter;
import dev.openplus.jsonapi.WriteBatch;

/**
 * Demo email records for {@code serve --demo}, in one batch: invitations and reminders to the first patients, sent
 * by a coach, and a system email (no sender) to that coach, so that both kinds of receiver appear.
 */
public final class DemoEmails {
    private static final int COUNT = 6;

    private DemoEmails() {
    }

    public static void seed(ResourceWriter writer, DSLContext dsl, String organizationId) {
        Record coachRow = dsl.fetchOne("select id, first_name from coach where organization_id = ? order by id limit 1",
                organizationId);
        String coach = coachRow.get("id", String.class);
        List<Record> patients = dsl.fetch("select id, first_name from patient where organization_id = ? order by id limit ?",
                organizationId, COUNT);
        OffsetDateTime sent = OffsetDateTime.now(ZoneOffset.UTC).minusDays(14);
        List<BodyReader.ResourceInput> inputs = new ArrayList<>();
        for (int i = 0; i < patients.size(); i++) {
            Record patient = patients.get(i);
            OffsetDateTime at = sent.plusHours(i);
            ObjectNode data = BodyReader.mapper().createObjectNode().put("type", "email_history");
            ObjectNode attributes = data.putObject("attributes")
                    .put("email_address", patient.get("first_name", String.class).toLowerCase() + "@example.com")
                    .put("email_type", i % 3 == 2 ? "reminder" : "invite")
                    .put("send_time", DocumentWriter.timestamp(at));
            ObjectNode times = attributes.putObject("status_times")
                    .put("processed", DocumentWriter.timestamp(at.plusSeconds(1)));
            if (i % 4 != 3) {
                times.put("delivered", DocumentWriter.timestamp(at.plusSeconds(3)));
            } else {
                times.put("bounce", DocumentWriter.timestamp(at.plusSeconds(3)));
            }
            if (i % 2 == 0) {
                times.put("open", DocumentWriter.timestamp(at.plusMinutes(45)));
            }
            ObjectNode relationships = data.putObject("relationships");
            relationships.putObject("receiver").putObject("data").put("type", "patient")
                    .put("id", patient.get("id", String.class));
            relationships.putObject("sender").putObject("data").put("type", "coach").put("id", coach);
            inputs.add(BodyReader.resource(data, "/data/" + i, EmailHistoryResource.TYPE, WriteBatch.Mode.CREATE, null));
        }
        OffsetDateTime digest = sent.plusDays(1);
        ObjectNode data = BodyReader.mapper().createObjectNode().put("type", "email_history");
        ObjectNode attributes = data.putObject("attributes")
                .put("email_address", coachRow.get("first_name", String.class).toLowerCase() + "@example.com")
                .put("email_type", "coach_digest")
                .put("send_time", DocumentWriter.timestamp(digest));
        attributes.putObject("status_times").put("processed", DocumentWriter.timestamp(digest.plusSeconds(1)))
                .put("delivered", DocumentWriter.timestamp(digest.plusSeconds(2)));
        data.putObject("relationships").putObject("receiver").putObject("data").put("type", "coach").put("id", coach);
        inputs.add(BodyReader.resource(data, "/data/" + inputs.size(), EmailHistoryResource.TYPE,
                WriteBatch.Mode.CREATE, null));
        writer.insert(dsl, Caller.operator(organizationId), EmailHistoryResource.TYPE, inputs, null, false);
    }
}
