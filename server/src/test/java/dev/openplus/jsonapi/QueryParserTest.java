package dev.openplus.jsonapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.openplus.Application;

/**
 * Query parsing and paging without a database or a server (the fast tier): the application's own descriptions,
 * parsed the way a request's parameters are. The wire answers for the same rules are in PagingTest and
 * MalformedInputTest.
 */
@Tag("fast")
class QueryParserTest {
    private static final ResourceRegistry REGISTRY = Application.registry();
    private static final QueryParser PARSER = new QueryParser(REGISTRY);
    private static final ResourceType COACH = REGISTRY.get("coach");
    private static final String ORG = "5a0c1e0f0000000000000001";

    private static CollectionQuery coaches(String... pairs) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            parameters.put(pairs[i], List.of(pairs[i + 1]));
        }
        return PARSER.parseCollection(COACH, parameters, true);
    }

    /** The parameters the 409 names, in the order the problems were found. */
    private static List<String> refused(String... pairs) {
        try {
            coaches(pairs);
        } catch (ApiException e) {
            assertThat(e.status()).isEqualTo(409);
            assertThat(e.errors()).allSatisfy(error -> assertThat(error.code()).isEqualTo(ErrorCode.InvalidParameter));
            return e.errors().stream().map(ApiError::parameter).toList();
        }
        throw new AssertionError("accepted: " + String.join(" ", pairs));
    }

    @Test
    void skipPagingIsTheDefault() {
        assertThat(coaches("filter[organization]", ORG).page()).isEqualTo(new Page.Skip(1, 10));
        Page.Skip page = (Page.Skip) coaches("filter[organization]", ORG, "page[number]", "3", "page[size]", "50").page();
        assertThat(page.offset()).isEqualTo(100);
        assertThat(refused("filter[organization]", ORG, "page[size]", "51")).containsExactly("page[size]");
        assertThat(refused("filter[organization]", ORG, "page[number]", "0")).containsExactly("page[number]");
        assertThat(refused("filter[organization]", ORG, "page[number]", "x")).containsExactly("page[number]");
    }

    @Test
    void cursorPagingIsChosenByItsParametersAndIgnoresGeneratedClientsSkipDefaults() {
        assertThat(coaches("filter[organization]", ORG, "page[limit]", "2").page()).isEqualTo(new Page.Cursor(2, null));
        assertThat(coaches("filter[organization]", ORG, "page[number]", "1", "page[size]", "10", "page[limit]", "50")
                .page()).isEqualTo(new Page.Cursor(50, null));
        assertThat(refused("filter[organization]", ORG, "page[number]", "2", "page[limit]", "5"))
                .containsExactly("page[number]");
        assertThat(refused("filter[organization]", ORG, "page[limit]", "501")).containsExactly("page[limit]");
        assertThat(refused("filter[organization]", ORG, "page[after]", "")).containsExactly("page[after]");
        assertThat(refused("filter[organization]", ORG, "page[offset]", "5")).containsExactly("page[offset]");
    }

    @Test
    void aCursorComesBackAsThePositionItWasTakenAtUnderTheSameSortOnly() {
        List<SortOrder> sort = coaches("filter[organization]", ORG, "sort", "-last_name").sort();
        String token = new CursorPosition("-last_name", java.util.Arrays.asList("Okafor"), "5a0c1e0f00000000000000aa")
                .encode();
        assertThat(token).matches("[A-Za-z0-9_-]+");
        Page.Cursor page = (Page.Cursor) coaches("filter[organization]", ORG, "sort", "-last_name", "page[after]", token)
                .page();
        assertThat(page.limit()).isEqualTo(QueryParser.DEFAULT_CURSOR_LIMIT);
        assertThat(page.after()).isEqualTo(new CursorPosition("-last_name", List.of("Okafor"), "5a0c1e0f00000000000000aa"));
        assertThat(CursorPosition.decode("page[after]", token, sort, "-last_name", COACH.idFormat()).values())
                .containsExactly("Okafor");
        // page[cursor] is page[after]'s alias; the two must not disagree.
        assertThat(((Page.Cursor) coaches("filter[organization]", ORG, "sort", "-last_name", "page[cursor]", token)
                .page()).after().id()).isEqualTo("5a0c1e0f00000000000000aa");
        assertThat(refused("filter[organization]", ORG, "sort", "-last_name", "page[after]", token, "page[cursor]",
                "other")).containsExactly("page[cursor]");

        assertThat(refused("filter[organization]", ORG, "sort", "first_name", "page[after]", token))
                .containsExactly("page[after]");
        assertThat(refused("filter[organization]", ORG, "page[after]", "not-a-cursor")).containsExactly("page[after]");
        String badId = new CursorPosition("", List.of(), "NOT-AN-ID").encode();
        assertThat(refused("filter[organization]", ORG, "page[after]", badId)).containsExactly("page[after]");
    }

    @Test
    void filtersAreStrictAndEveryProblemIsReportedTogether() {
        assertThat(refused("filter[organisation]", ORG, "sort", "age", "include", "patients", "page[size]", "99"))
                .containsExactly("filter[organisation]", "filter[groups]", "sort", "include", "page[size]");
        // filter[group] is filter[groups]'s alias, but not beside it.
        assertThat(coaches("filter[group]", "5a0c1e0f0000000000000002").filters()).hasSize(1);
        assertThat(refused("filter[group]", "5a0c1e0f0000000000000002", "filter[groups]", "5a0c1e0f0000000000000002"))
                .containsExactly("filter[groups]");
        assertThat(refused("filter[organization]", "acme")).containsExactly("filter[organization]");
        assertThat(refused("filter[organization]", ORG, "fields[coach]", "first_name,age")).containsExactly("fields[coach]");
        assertThat(refused("filter[organization]", ORG, "fields[planet]", "name")).containsExactly("fields[planet]");
        assertThat(refused("filter[organization]", ORG, "color", "red")).containsExactly("color");
        assertThatThrownBy(() -> PARSER.parseCollection(COACH,
                Map.of("filter[organization]", List.of(ORG, ORG)), true)).isInstanceOf(ApiException.class);
    }

    @Test
    void sortAndIncludeNameTheDescribedFieldsAndRelationships() {
        CollectionQuery query = coaches("filter[organization]", ORG, "sort", "-last_name,first_name", "include", "groups",
                "fields[coach]", "first_name");
        assertThat(query.sortSpec()).isEqualTo("-last_name,first_name");
        assertThat(query.includes()).extracting(Relationship::name).containsExactly("groups");
        assertThat(query.fields()).containsEntry("coach", java.util.Set.of("first_name"));
        assertThat(refused("filter[organization]", ORG, "sort", "last_name,-last_name")).containsExactly("sort");
        // A fetch by id takes neither filters nor paging.
        assertThatThrownBy(() -> PARSER.parseFetch(COACH, Map.of("page[size]", List.of("1"))))
                .isInstanceOfSatisfying(ApiException.class,
                        e -> assertThat(e.errors()).extracting(ApiError::parameter).containsExactly("page[size]"));
    }
}
