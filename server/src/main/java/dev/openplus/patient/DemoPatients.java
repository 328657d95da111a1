package dev.openplus.patient;

import java.util.ArrayList;
import java.util.List;

import org.jooq.DSLContext;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.ResourceWriter;
import dev.openplus.jsonapi.WriteBatch;

/** Demo patients for {@code serve --demo}, written through the same checks and batched inserts as the API. */
public final class DemoPatients {
    private static final String[] FIRST = {"Fiona", "Jack", "Amara", "Luis", "Mei", "Noah", "Priya", "Omar", "Sofia", "Ken"};
    private static final String[] LAST = {"Reeves", "Frost", "Okoye", "Garcia", "Chen", "Smith", "Patel", "Haddad", "Rossi", "Sato"};

    private DemoPatients() {
    }

    /** Seeds {@code count} patients round-robin across the groups, each with an EHR identifier. */
    public static void seed(ResourceWriter writer, DSLContext dsl, String organizationId, List<String> groupIds,
            int count) {
        List<BodyReader.ResourceInput> inputs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ObjectNode data = BodyReader.mapper().createObjectNode().put("type", "patient");
            ObjectNode attributes = data.putObject("attributes")
                    .put("first_name", FIRST[i % FIRST.length])
                    .put("last_name", LAST[(i / FIRST.length + i) % LAST.length])
                    .put("gender", i % 2 == 0 ? "female" : "male")
                    .put("birth_date", String.format("19%02d-%02d-%02d", 40 + i % 50, 1 + i % 12, 1 + i % 28));
            attributes.putArray("identifiers").addObject().put("label", "MRN").put("system", "DemoEHR")
                    .put("value", String.format("MRN-%05d", i + 1));
            data.putObject("relationships").putObject("groups").putArray("data").addObject()
                    .put("type", "group").put("id", groupIds.get(i % groupIds.size()));
            inputs.add(BodyReader.resource(data, "/data/" + i, PatientResource.TYPE, WriteBatch.Mode.CREATE, null));
        }
        writer.insert(dsl, Caller.operator(organizationId), PatientResource.TYPE, inputs, null, false);
    }
}
