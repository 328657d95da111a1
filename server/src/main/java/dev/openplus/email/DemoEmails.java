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

/** Demo email records for {@code serve --demo}: invitations to the first patients, sent by a coach, in one batch. */
public final class DemoEmails {
    private static final int COUNT = 6;

    private DemoEmails() {
    }

    public static void seed(ResourceWriter writer, DSLContext dsl, String organizationId) {
        String coach = dsl.fetchValue("select min(id) from coach where organization_id = ?", organizationId).toString();
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
        writer.insert(dsl, Caller.operator(organizationId), EmailHistoryResource.TYPE, inputs, null, false);
    }
}
