package dev.openplus.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.Application;
import dev.openplus.client.model.OpenPlusResources;
import dev.openplus.client.model.Patient;
import dev.openplus.client.model.Resource;
import dev.openplus.client.model.ResourceKind;
import dev.openplus.jsonapi.ResourceType;

/**
 * Every type, against the demo organization: a list paged to the end (small pages) holds exactly {@code meta.count}
 * distinct resources, each fetched by id equals its listed record, and every attribute and relationship the
 * server sends is one the generated record knows.
 */
class EveryTypeTest {
    private static final OpenPlusClient CLIENT = TestSupport.client();

    @TestFactory
    Stream<DynamicTest> listsToTheEndAndFetchesEachType() {
        List<String> patientIds = CLIENT.patients().list(Query.organization(TestSupport.ORGANIZATION)).stream()
                .map(Patient::id).toList();
        List<DynamicTest> tests = new ArrayList<>();
        for (ResourceKind<?> kind : OpenPlusResources.KINDS) {
            if (!kind.supports(ResourceKind.Operation.LIST)) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(kind.type(), () -> listAndFetch(kind, query(kind, patientIds))));
        }
        assertThat(tests).hasSize(17);
        return tests.stream();
    }

    private static Query query(ResourceKind<?> kind, List<String> patientIds) {
        ResourceType type = Application.registry().get(kind.type());
        List<List<String>> required = type.requiredFilterChoices();
        Query query = Query.all().pageSize(7);
        if (required.isEmpty() || required.stream().anyMatch(choice -> choice.contains("organization"))) {
            return required.isEmpty() ? query : query.filter("organization", TestSupport.ORGANIZATION);
        }
        String filter = required.stream().flatMap(List::stream)
                .filter(name -> name.equals("patient") || name.equals("receiver")).findFirst().orElseThrow();
        return query.filter(filter, String.join(",", patientIds));
    }

    private static <T extends Resource> void listAndFetch(ResourceKind<T> kind, Query query) {
        Endpoint<T> endpoint = endpoint(kind);
        Results<T> results = endpoint.list(query);
        List<T> all = results.toList();
        Set<String> ids = new HashSet<>();
        all.forEach(resource -> ids.add(resource.id()));
        assertThat(all).as(kind.type()).isNotEmpty();
        assertThat((long) all.size()).as(kind.type() + ": read to the end = meta.count").isEqualTo(results.count());
        assertThat(ids).as(kind.type() + ": no resource twice").hasSize(all.size());
        if (kind.supports(ResourceKind.Operation.FETCH)) {
            T first = all.get(0);
            assertThat(endpoint.get(first.id())).as(kind.type()).isEqualTo(first);
        }
        // Drift: every member the server sends has a field in the generated record.
        JsonNode raw = CLIENT.request("GET", "/pub/" + kind.type() + query.encode(true), null).path("data").get(0);
        assertThat(names(raw.path("attributes"))).as(kind.type() + " attributes").isSubsetOf(kind.attributeNames());
        assertThat(names(raw.path("relationships"))).as(kind.type() + " relationships")
                .isSubsetOf(kind.relationshipNames());
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        Iterator<String> fields = object.fieldNames();
        fields.forEachRemaining(names::add);
        return names;
    }

    private static <T extends Resource> Endpoint<T> endpoint(ResourceKind<T> kind) {
        return CLIENT.endpointOf(kind);
    }
}
