package dev.openplus.patient;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jooq.DSLContext;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.auth.Principal;
import dev.openplus.db.Ids;
import dev.openplus.jsonapi.BodyReader;

/** Demo patients for {@code serve --demo}, written through the same checks and batched inserts as the API. */
public final class DemoPatients {
    private static final String[] FIRST = {"Fiona", "Jack", "Amara", "Luis", "Mei", "Noah", "Priya", "Omar", "Sofia", "Ken"};
    private static final String[] LAST = {"Reeves", "Frost", "Okoye", "Garcia", "Chen", "Smith", "Patel", "Haddad", "Rossi", "Sato"};

    private DemoPatients() {
    }

    /** Seeds {@code count} patients round-robin across the groups, each with an EHR identifier. */
    public static void seed(DSLContext dsl, String organizationId, List<String> groupIds, int count) {
        Principal operator = new Principal(null, organizationId, false, Set.of(), null, null);
        List<PatientStore.NewPatient> patients = new ArrayList<>();
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
            PatientDraft draft = PatientDraft.of(BodyReader.resource(data, "/data", PatientResource.TYPE,
                    BodyReader.Mode.CREATE, null), true);
            patients.add(new PatientStore.NewPatient(Ids.newId(), draft, List.of(groupIds.get(i % groupIds.size())),
                    draft.identifiers(), BodyReader.mapper().createArrayNode()));
        }
        PatientStore.insert(dsl, operator, patients);
    }
}
