package dev.openplus.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.db.Ids;
import dev.openplus.jsonapi.DerivedId;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * Ids derived from columns ({@link DerivedId}), through HTTP on the test-only shelves and their slots (which are
 * not stored): fetch by id, includes and linkage of an inverse to-many relationship, both paging modes with and
 * without a requested sort, id filters, and ids that cannot exist, each at a constant statement count.
 */
class DerivedIdTest {
    static TestServer server;
    static Api api;
    static Fixtures.Tenant tenant;
    static Fixtures.Tenant other;
    static List<String> shelves = new ArrayList<>();
    static Map<String, String> names = new HashMap<>();
    static String otherShelf;

    @BeforeAll
    static void setUp() {
        server = TestServer.get();
        api = server.api();
        Fixtures fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Derived Id Org");
        other = fixtures.tenant("Derived Id Other Org");
        for (int i = 0; i < 3; i++) {
            shelves.add(shelf(tenant, "Shelf " + i));
        }
        shelves.sort(null);
        otherShelf = shelf(other, "Theirs");
    }

    static String shelf(Fixtures.Tenant owner, String name) {
        String id = Ids.newId().substring(0, 20) + "0000";
        names.put(id, name);
        server.database.dsl().execute("insert into engine_shelf (id, organization_id, name) values (?, ?, ?)", id,
                owner.organizationId(), name);
        return id;
    }

    /** The ids of a shelf's slots, written out by hand: the shelf id's first 20 characters, the number in hex. */
    static List<String> slotsOf(String shelf) {
        List<String> ids = new ArrayList<>();
        for (int number : ProbeShelfResource.SLOT_NUMBERS) {
            ids.add(shelf.substring(0, 20) + String.format("%04x", number));
        }
        return ids;
    }

    static List<String> allSlots() {
        List<String> ids = new ArrayList<>();
        shelves.forEach(shelf -> ids.addAll(slotsOf(shelf)));
        return ids;
    }

    static long statements(Supplier<Api.Response> request, int status) {
        request.get();
        long before = server.database.statementCount();
        Api.Response response = request.get();
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        return server.database.statementCount() - before;
    }

    @Test
    void aSlotIsFetchedByItsIdInOneStatement() {
        String shelf = shelves.get(1);
        for (String slot : slotsOf(shelf)) {
            Api.Response fetched = api.get("/pub/probe_shelf_slot/" + slot + "?include=shelf", tenant.token());
            assertThat(fetched.status()).as(fetched.body()).isEqualTo(200);
            assertThat(fetched.at("/data/id").asText()).isEqualTo(slot);
            assertThat(fetched.at("/data/links/self").asText()).isEqualTo("/pub/probe_shelf_slot/" + slot);
            assertThat(fetched.at("/data/relationships/shelf/data/id").asText()).isEqualTo(shelf);
            assertThat(fetched.at("/data/attributes/label").asText())
                    .isEqualTo(names.get(shelf) + " #" + Integer.parseInt(slot.substring(20), 16));
            assertThat(fetched.at("/included/0/id").asText()).isEqualTo(shelf);
        }
        assertThat(statements(() -> api.get("/pub/probe_shelf_slot/" + slotsOf(shelf).get(3), tenant.token()), 200))
                .isEqualTo(1);
    }

    @Test
    void idsNoSlotCanHaveAre404WithoutAQuery() {
        String shelf = shelves.get(0);
        List<String> impossible = List.of(shelf, shelf.toUpperCase(), shelf.substring(0, 23), "zz", shelf + "1",
                shelf.substring(0, 20) + "000g");
        for (String id : impossible) {
            Api.Response response = api.get("/pub/probe_shelf_slot/" + id, tenant.token());
            assertThat(response.status()).as(id).isEqualTo(404);
            assertThat(response.at("/errors/0/code").asText()).isEqualTo("ResourceNotFound");
            assertThat(statements(() -> api.get("/pub/probe_shelf_slot/" + id, tenant.token()), 404)).as(id).isZero();
        }
        String unused = shelf.substring(0, 20) + "0003";
        assertThat(api.get("/pub/probe_shelf_slot/" + unused, tenant.token()).status()).isEqualTo(404);
        String foreign = slotsOf(otherShelf).get(0);
        Api.Response hidden = api.get("/pub/probe_shelf_slot/" + foreign, tenant.token());
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(api.get("/pub/probe_shelf_slot/" + foreign, other.token()).status()).isEqualTo(200);
    }

    @Test
    void listsOrderByTheDerivedIdInBothPagingModes() {
        String base = "/pub/probe_shelf_slot?filter[organization]=" + tenant.organizationId();
        List<String> expected = allSlots();
        List<String> sorted = new ArrayList<>(expected);
        sorted.sort(null);
        assertThat(expected).as("the order by (shelf, number) is the order of the ids").isEqualTo(sorted);
        Api.Response all = api.get(base + "&page[size]=50", tenant.token());
        assertThat(all.ids()).isEqualTo(expected);
        assertThat(all.at("/meta/count").asInt()).isEqualTo(expected.size());
        assertThat(api.pageThrough(base + "&page[limit]=4", tenant.token())).isEqualTo(expected);
        assertThat(api.pageThrough(base + "&page[size]=4", tenant.token())).isEqualTo(expected);
        assertThat(api.pageThrough("/pub/probe_shelf_slot?filter[shelf]=" + shelves.get(2) + "&page[limit]=3",
                tenant.token())).isEqualTo(slotsOf(shelves.get(2)));

        // A requested sort first, then the derived id's columns as tie-breakers: the cursor carries the label and
        // the id, and the keyset condition decodes the id into its columns.
        List<String> byLabel = api.get(base + "&page[size]=50&sort=-label", tenant.token()).ids();
        assertThat(byLabel).containsExactlyInAnyOrderElementsOf(expected).isNotEqualTo(expected);
        assertThat(api.pageThrough(base + "&page[limit]=5&sort=-label", tenant.token())).isEqualTo(byLabel);
        assertThat(statements(() -> api.get(base + "&page[limit]=1", tenant.token()), 200))
                .isEqualTo(statements(() -> api.get(base + "&page[limit]=30", tenant.token()), 200));
    }

    @Test
    void aCursorMustNameAnIdOfTheType() {
        String base = "/pub/probe_shelf_slot?filter[organization]=" + tenant.organizationId() + "&page[limit]=2";
        String next = api.get(base, tenant.token()).at("/links/next").asText();
        assertThat(api.get(next, tenant.token()).ids()).isEqualTo(allSlots().subList(2, 4));
        for (String id : List.of(shelves.get(0), "nope")) {
            String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    ("{\"s\":\"\",\"v\":[],\"i\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
            Api.Response refused = api.get(base + "&page[after]=" + forged, tenant.token());
            assertThat(refused.status()).as(refused.body()).isEqualTo(409);
            assertThat(refused.at("/errors/0/source/parameter").asText()).isEqualTo("page[after]");
        }
    }

    @Test
    void anInverseToManyLinksTheTargetsInIdOrderAndIncludesThemInOneStatement() {
        String shelf = shelves.get(0);
        Api.Response fetched = api.get("/pub/probe_shelf/" + shelf + "?include=slots", tenant.token());
        assertThat(fetched.status()).as(fetched.body()).isEqualTo(200);
        List<String> linked = new ArrayList<>();
        fetched.at("/data/relationships/slots/data").forEach(slot -> {
            assertThat(slot.get("type").asText()).isEqualTo("probe_shelf_slot");
            linked.add(slot.get("id").asText());
        });
        assertThat(linked).as("the SQL encoding agrees with the Java one").isEqualTo(slotsOf(shelf));
        List<String> included = new ArrayList<>();
        fetched.json().get("included").forEach(slot -> included.add(slot.get("id").asText()));
        assertThat(included).isEqualTo(slotsOf(shelf));
        assertThat(statements(() -> api.get("/pub/probe_shelf/" + shelf + "?include=slots", tenant.token()), 200))
                .isEqualTo(2);

        String list = "/pub/probe_shelf?filter[organization]=" + tenant.organizationId() + "&include=slots";
        Api.Response page = api.get(list + "&page[size]=10", tenant.token());
        assertThat(page.ids()).isEqualTo(shelves);
        assertThat(page.json().get("included")).hasSize(allSlots().size());
        assertThat(statements(() -> api.get(list + "&page[size]=1", tenant.token()), 200))
                .isEqualTo(statements(() -> api.get(list + "&page[size]=10", tenant.token()), 200)).isEqualTo(3);
    }

    @Test
    void idFiltersOverDerivedIdsCheckEveryIdInScope() {
        String base = "/pub/probe_shelf?filter[organization]=" + tenant.organizationId() + "&filter[slot]=";
        Api.Response found = api.get(base + slotsOf(shelves.get(1)).get(5) + "," + slotsOf(shelves.get(2)).get(0),
                tenant.token());
        assertThat(found.status()).as(found.body()).isEqualTo(200);
        assertThat(found.ids()).isEqualTo(shelves.subList(1, 3));
        for (String refused : List.of(slotsOf(otherShelf).get(0), shelves.get(1).substring(0, 20) + "0003")) {
            Api.Response response = api.get(base + refused, tenant.token());
            assertThat(response.status()).as(response.body()).isEqualTo(403);
            assertThat(response.at("/errors/0/code").asText()).isEqualTo("Forbidden");
            assertThat(response.at("/errors/0/source/parameter").asText()).isEqualTo("filter[slot]");
        }
        Api.Response malformed = api.get(base + shelves.get(1), tenant.token());
        assertThat(malformed.status()).isEqualTo(409);
        assertThat(malformed.at("/errors/0/source/parameter").asText()).isEqualTo("filter[slot]");
    }

    @Test
    void theCodecRoundTripsAndItsSqlFormAgrees() {
        DerivedId codec = ProbeShelfResource.SLOT.derivedId();
        String owner = "0123456789abcdef01230000";
        for (int number : List.of(1, 15, 16, 255, 256, 4095, 4096, 65535)) {
            String id = codec.encode(List.of(owner, number));
            assertThat(id).hasSize(24).startsWith("0123456789abcdef0123").endsWith(String.format("%04x", number));
            assertThat(codec.decode(id)).containsExactly(owner, number);
            String sql = server.database.dsl().select(codec.expression()).from(DSL.select(
                    DSL.val(owner, SQLDataType.CHAR(24)).as("shelf_id"),
                    DSL.val(number).as("slot_number")).asTable("engine_shelf_slot")).fetchOne(0, String.class);
            assertThat(sql).isEqualTo(id);
        }
        assertThat(codec.decode(owner)).as("the owner's own id").isNull();
        assertThat(codec.decode("0123456789ABCDEF01230001")).isNull();
        assertThatThrownBy(() -> codec.encode(List.of("0123456789abcdef01230001", 1)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> codec.encode(List.of(owner, 65536))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> codec.encode(List.of(owner, 0))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void typesWithDerivedIdsAndInverseRelationshipsAreReadOnly() {
        DerivedId codec = ProbeShelfResource.SLOT.derivedId();
        assertThatThrownBy(() -> ResourceType.builder("probe_written_slot", "engine_shelf_slot").derivedId(codec)
                .deletable().scope(caller -> DSL.trueCondition()).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot be written");
        assertThatThrownBy(() -> Relationship.toManyInverse("slots", "probe_shelf_slot",
                DSL.field(DSL.name("engine_shelf_slot", "shelf_id"), SQLDataType.CHAR(24))).writable())
                .isInstanceOf(IllegalStateException.class);
    }
}
