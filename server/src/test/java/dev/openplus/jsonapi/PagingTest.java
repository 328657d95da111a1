package dev.openplus.jsonapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.db.Ids;
import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/** Skip and cursor paging: links, counts, count-only pages, and cursors that neither skip nor repeat rows. */
class PagingTest {
    static TestServer server;
    static Api api;
    static Fixtures fixtures;
    static Fixtures.Tenant tenant;
    static List<String> groupIds = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        tenant = fixtures.tenant("Paging Org");
        for (int i = 0; i < 23; i++) {
            groupIds.add(fixtures.apiGroup(tenant, String.format("Group %02d", (i * 7) % 23)));
        }
    }

    private static String groups(String query) {
        return "/pub/group?filter[organization]=" + tenant.organizationId() + query;
    }


    @Test
    void skipPagingLinksAndCount() {
        Api.Response first = api.get(groups("&page[size]=10"), tenant.token());
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.at("/meta/count").asLong()).isEqualTo(23);
        assertThat(first.at("/data").size()).isEqualTo(10);
        String base = "/pub/group?filter[organization]=" + tenant.organizationId();
        assertThat(first.at("/links/self").asText()).isEqualTo(base + "&page[number]=1&page[size]=10");
        assertThat(first.at("/links/first").asText()).isEqualTo(base + "&page[number]=1&page[size]=10");
        assertThat(first.at("/links/last").asText()).isEqualTo(base + "&page[number]=3&page[size]=10");
        assertThat(first.at("/links/next").asText()).isEqualTo(base + "&page[number]=2&page[size]=10");
        assertThat(first.at("/links/prev").isMissingNode()).isTrue();

        Api.Response last = api.get(first.at("/links/last").asText(), tenant.token());
        assertThat(last.at("/data").size()).isEqualTo(3);
        assertThat(last.at("/links/next").isMissingNode()).isTrue();
        assertThat(last.at("/links/prev").asText()).isEqualTo(base + "&page[number]=2&page[size]=10");

        List<String> all = new ArrayList<>(first.ids());
        all.addAll((api.get(first.at("/links/next").asText(), tenant.token())).ids());
        all.addAll(last.ids());
        assertThat(all).containsExactlyElementsOf(groupIds.stream().sorted().toList());

        Api.Response beyond = api.get(groups("&page[number]=9&page[size]=10"), tenant.token());
        assertThat(beyond.at("/data").size()).isZero();
        assertThat(beyond.at("/meta/count").asLong()).isEqualTo(23);
    }

    @Test
    void defaultPageIsTenByIdAscending() {
        Api.Response response = api.get(groups(""), tenant.token());
        assertThat(response.ids()).containsExactlyElementsOf(groupIds.stream().sorted().limit(10).toList());
    }

    @Test
    void countOnly() {
        for (String page : List.of("&page[size]=0", "&page[limit]=0")) {
            Api.Response response = api.get(groups(page), tenant.token());
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.at("/data").isArray()).isTrue();
            assertThat(response.at("/data").size()).isZero();
            assertThat(response.at("/meta/count").asLong()).isEqualTo(23);
            assertThat(response.at("/links/next").isMissingNode()).isTrue();
        }
    }

    @Test
    void cursorPagingFollowsNextLinksToTheEnd() {
        List<String> seen = new ArrayList<>();
        String link = groups("&page[limit]=5&sort=name");
        int pages = 0;
        while (link != null) {
            Api.Response page = api.get(link, tenant.token());
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            assertThat(page.at("/meta/count").asLong()).isEqualTo(23);
            seen.addAll(page.ids());
            link = page.at("/links/next").isMissingNode() ? null : page.at("/links/next").asText();
            pages++;
        }
        assertThat(pages).isEqualTo(5);
        assertThat(seen).hasSize(23).doesNotHaveDuplicates();
        List<String> names = new ArrayList<>();
        api.get(groups("&page[limit]=50&sort=name"), tenant.token()).at("/data")
                .forEach(g -> names.add(g.at("/attributes/name").asText()));
        assertThat(names).isSorted();
    }

    @Test
    void pageCursorIsAnAliasOfPageAfterAndCursorsBelongToTheirSort() {
        Api.Response first = api.get(groups("&page[limit]=4"), tenant.token());
        String next = first.at("/links/next").asText();
        String cursor = next.substring(next.indexOf("page[after]=") + "page[after]=".length());
        Api.Response viaAfter = api.get(groups("&page[limit]=4&page[after]=" + cursor), tenant.token());
        Api.Response viaCursor = api.get(groups("&page[limit]=4&page[cursor]=" + cursor), tenant.token());
        assertThat(viaCursor.ids()).isEqualTo(viaAfter.ids()).hasSize(4);
        assertThat(viaAfter.ids()).doesNotContainAnyElementsOf(first.ids());

        Api.Response otherSort = api.get(groups("&page[limit]=4&sort=name&page[after]=" + cursor), tenant.token());
        assertThat(otherSort.status()).isEqualTo(409);
        assertThat(otherSort.at("/errors/0/source/parameter").asText()).isEqualTo("page[after]");
    }

    /**
     * Pages through with every sort while new groups are inserted between pages: every group that existed
     * at the start is seen exactly once, and nothing is seen twice.
     */
    @Test
    void cursorsAreStableUnderConcurrentInserts() {
        Fixtures.Tenant own = fixtures.tenant("Cursor Stability Org");
        Set<String> original = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            original.add(fixtures.apiGroup(own, "Stable " + (char) ('a' + (i * 5) % 12)));
        }
        int inserted = 0;
        for (String sort : List.of("", "&sort=name", "&sort=-name", "&sort=created_at", "&sort=-created_at",
                "&sort=-updated_at,name")) {
            List<String> seen = new ArrayList<>();
            String link = "/pub/group?filter[organization]=" + own.organizationId() + "&page[limit]=3" + sort;
            while (link != null) {
                Api.Response page = api.get(link, own.token());
                assertThat(page.status()).as(page.body()).isEqualTo(200);
                seen.addAll(page.ids());
                // Insert one group that sorts first and one that sorts last by name.
                fixtures.apiGroup(own, "Stable " + (char) ('a' - 1) + inserted);
                fixtures.apiGroup(own, "Stable z" + inserted);
                inserted++;
                link = page.at("/links/next").isMissingNode() ? null : page.at("/links/next").asText();
            }
            assertThat(seen).as("sort " + sort).doesNotHaveDuplicates().containsAll(original);
        }
    }

    /** Nullable sort keys: NULLs last ascending, first descending, and cursors step over them correctly. */
    @Test
    void cursorPagingOverNullableSortKeys() {
        Fixtures.Tenant own = fixtures.tenant("Nullable Sort Org");
        String group = fixtures.group(own.organizationId(), "Coached");
        List<String> expectedAscending = new ArrayList<>();
        String[] lastNames = {"Baker", null, "Adams", null, "Baker", "Clark", null};
        for (String lastName : lastNames) {
            String id = Ids.newId();
            server.database.dsl().execute("insert into coach (id, organization_id, first_name, last_name) values ({0}, {1}, {2}, {3})",
                    DSL.val(id), DSL.val(own.organizationId()), DSL.val("F"), DSL.val(lastName, String.class));
            server.database.dsl().execute("insert into coach_group (coach_id, group_id, organization_id) values ({0}, {1}, {2})",
                    DSL.val(id), DSL.val(group), DSL.val(own.organizationId()));
            expectedAscending.add(id);
        }
        for (String sort : List.of("last_name", "-last_name", "last_name,-created_at", "-last_name,first_name")) {
            List<String> paged = new ArrayList<>();
            List<JsonNode> rows = new ArrayList<>();
            String link = "/pub/coach?filter[groups]=" + group + "&page[limit]=2&sort=" + sort;
            while (link != null) {
                Api.Response page = api.get(link, own.token());
                assertThat(page.status()).as(page.body()).isEqualTo(200);
                paged.addAll(page.ids());
                page.at("/data").forEach(rows::add);
                link = page.at("/links/next").isMissingNode() ? null : page.at("/links/next").asText();
            }
            Api.Response whole = api.get("/pub/coach?filter[groups]=" + group + "&page[limit]=50&sort=" + sort, own.token());
            assertThat(paged).as(sort).hasSize(7).doesNotHaveDuplicates().containsExactlyElementsOf(whole.ids());
            List<String> names = rows.stream().map(r -> r.at("/attributes/last_name").isNull() ? null
                    : r.at("/attributes/last_name").asText()).toList();
            if (sort.startsWith("-")) {
                assertThat(names.subList(0, 3)).containsOnlyNulls();
                assertThat(names.subList(3, 7)).containsExactly("Clark", "Baker", "Baker", "Adams");
            } else {
                assertThat(names.subList(0, 4)).containsExactly("Adams", "Baker", "Baker", "Clark");
                assertThat(names.subList(4, 7)).containsOnlyNulls();
            }
        }
    }

    @Test
    void cursorLinksKeepFiltersSortAndIncludes() {
        Api.Response page = api.get(groups("&page[limit]=2&sort=-name&include=organization&fields[group]=name"),
                tenant.token());
        String next = page.at("/links/next").asText();
        assertThat(next).startsWith("/pub/group?filter[organization]=" + tenant.organizationId()
                + "&sort=-name&include=organization&fields[group]=name&page[limit]=2&page[after]=");
        assertThat(page.at("/links/self").asText()).isEqualTo("/pub/group?filter[organization]=" + tenant.organizationId()
                + "&sort=-name&include=organization&fields[group]=name&page[limit]=2");
        Api.Response second = api.get(next, tenant.token());
        assertThat(second.at("/links/self").asText()).isEqualTo(next);
        assertThat(second.at("/included/0/type").asText()).isEqualTo("organization");
    }
}
