package dev.openplus.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.support.Api;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * Nothing crosses organizations, and a group-scoped client sees only its groups and their coaches: ids outside
 * scope are 404, filters naming them 403, and no response carries a byte of the other tenant's data.
 */
class TenantIsolationTest {
    static Api api;
    static Fixtures fixtures;
    static Fixtures.Tenant alpha;
    static Fixtures.Tenant beta;
    static String alphaGroup1;
    static String alphaGroup2;
    static String coachIn1;
    static String coachIn2;
    static String coachInBoth;
    static String betaGroup;
    static String betaCoach;
    static String groupScopedToken;

    @BeforeAll
    static void setUp() {
        TestServer server = TestServer.get();
        api = server.api();
        fixtures = new Fixtures(server);
        alpha = fixtures.tenant("Alpha Health");
        beta = fixtures.tenant("Beta Secret Clinic");
        alphaGroup1 = fixtures.group(alpha.organizationId(), "Alpha One");
        alphaGroup2 = fixtures.group(alpha.organizationId(), "Alpha Two Hidden");
        coachIn1 = fixtures.coach(alpha.organizationId(), "Una", "One", alphaGroup1);
        coachIn2 = fixtures.coach(alpha.organizationId(), "Tess", "TwoHidden", alphaGroup2);
        coachInBoth = fixtures.coach(alpha.organizationId(), "Bo", "Both", alphaGroup1, alphaGroup2);
        betaGroup = fixtures.group(beta.organizationId(), "Beta Group Secret");
        betaCoach = fixtures.coach(beta.organizationId(), "Bea", "BetaSecret", betaGroup);
        Map<String, String> groupClient = fixtures.client(alpha.organizationId(), alphaGroup1);
        groupScopedToken = fixtures.token(groupClient);
    }


    private static void assertNotFound(Api.Response response, String... secrets) {
        assertThat(response.status()).as(response.body()).isEqualTo(404);
        assertThat(response.at("/errors/0/code").asText()).isEqualTo("ResourceNotFound");
        assertThat(response.json().has("data")).isFalse();
        for (String secret : secrets) {
            assertThat(response.body()).doesNotContain(secret);
        }
    }

    private static void assertForbidden(Api.Response response, String parameter) {
        assertThat(response.status()).as(response.body()).isEqualTo(403);
        assertThat(response.at("/errors/0/code").asText()).isEqualTo("Forbidden");
        assertThat(response.at("/errors/0/source/parameter").asText()).isEqualTo(parameter);
        assertThat(response.json().has("data")).isFalse();
    }

    @Test
    void anotherOrganizationsIdsAreNotFound() {
        assertNotFound(api.get("/pub/organization/" + beta.organizationId(), alpha.token()), "Beta Secret Clinic");
        assertNotFound(api.get("/pub/group/" + betaGroup, alpha.token()), "Beta Group Secret");
        assertNotFound(api.get("/pub/coach/" + betaCoach, alpha.token()), "BetaSecret");
        assertNotFound(api.get("/pub/organization/" + alpha.organizationId(), beta.token()), "Alpha Health");
    }

    @Test
    void filtersNamingAnotherOrganizationAreForbidden() {
        assertForbidden(api.get("/pub/group?filter[organization]=" + beta.organizationId(), alpha.token()),
                "filter[organization]");
        assertForbidden(api.get("/pub/coach?filter[organization]=" + beta.organizationId(), alpha.token()),
                "filter[organization]");
        assertForbidden(api.get("/pub/coach?filter[groups]=" + betaGroup, alpha.token()), "filter[groups]");
        assertForbidden(api.get("/pub/coach?filter[group]=" + alphaGroup1 + "," + betaGroup, alpha.token()),
                "filter[group]");
        // A well-formed id that is nobody's group is outside scope too.
        assertForbidden(api.get("/pub/coach?filter[groups]=000000000000000000000000", alpha.token()), "filter[groups]");
    }

    @Test
    void listsNeverContainAnotherOrganizationsData() {
        Api.Response groups = api.get("/pub/group?filter[organization]=" + alpha.organizationId()
                + "&page[size]=50&include=organization", alpha.token());
        assertThat(groups.ids()).containsExactlyInAnyOrder(alphaGroup1, alphaGroup2);
        assertThat(groups.body()).doesNotContain(beta.organizationId()).doesNotContain("Beta");
        Api.Response coaches = api.get("/pub/coach?filter[organization]=" + alpha.organizationId()
                + "&page[limit]=50&include=groups,organization", alpha.token());
        assertThat(coaches.ids()).containsExactlyInAnyOrder(coachIn1, coachIn2, coachInBoth);
        assertThat(coaches.body()).doesNotContain("Beta");
    }

    @Test
    void groupScopedClientSeesOnlyItsGroups() {
        Api.Response groups = api.get("/pub/group?filter[organization]=" + alpha.organizationId(), groupScopedToken);
        assertThat(groups.status()).isEqualTo(200);
        assertThat(groups.ids()).containsExactly(alphaGroup1);
        assertThat(groups.at("/meta/count").asLong()).isEqualTo(1);
        assertThat(groups.body()).doesNotContain("Alpha Two Hidden");
        assertNotFound(api.get("/pub/group/" + alphaGroup2, groupScopedToken), "Alpha Two Hidden");
        assertThat(api.get("/pub/group/" + alphaGroup1, groupScopedToken).status()).isEqualTo(200);
        assertThat(api.get("/pub/organization/" + alpha.organizationId(), groupScopedToken).status()).isEqualTo(200);
    }

    @Test
    void groupScopedClientSeesOnlyCoachesOfItsGroups() {
        Api.Response coaches = api.get("/pub/coach?filter[organization]=" + alpha.organizationId()
                + "&include=groups", groupScopedToken);
        assertThat(coaches.status()).isEqualTo(200);
        assertThat(coaches.ids()).containsExactlyInAnyOrder(coachIn1, coachInBoth);
        assertThat(coaches.body()).doesNotContain(alphaGroup2).doesNotContain("TwoHidden");
        assertNotFound(api.get("/pub/coach/" + coachIn2, groupScopedToken), "TwoHidden");
        Api.Response both = api.get("/pub/coach/" + coachInBoth + "?include=groups", groupScopedToken);
        assertThat(both.at("/data/relationships/groups/data").findValuesAsText("id")).containsExactly(alphaGroup1);
        assertThat(both.at("/included").size()).isEqualTo(1);
        assertForbidden(api.get("/pub/coach?filter[groups]=" + alphaGroup2, groupScopedToken), "filter[groups]");
        assertThat((api.get("/pub/coach?filter[groups]=" + alphaGroup1, groupScopedToken)).ids())
                .containsExactlyInAnyOrder(coachIn1, coachInBoth);
    }

    /**
     * Linkage is read from the join rows alone (ResourceRepository.linkageArray): it must still show exactly
     * what the caller may see. A patient of both groups, coached by a coach of the hidden group only (visible
     * to the group client because it coaches one of its patients) and a primary coach of the visible group.
     */
    @Test
    void linkageShowsOnlyWhatTheCallerMaySee() {
        Fixtures.Tenant gamma = fixtures.tenant("Gamma Linkage");
        String seen = fixtures.group(gamma.organizationId(), "Gamma Seen");
        String hidden = fixtures.group(gamma.organizationId(), "Gamma Hidden");
        String hiddenCoach = fixtures.coach(gamma.organizationId(), "Hal", "HiddenGroup", hidden);
        String primaryCoach = fixtures.coach(gamma.organizationId(), "Pia", "Primary", seen, hidden);
        String groupToken = fixtures.token(fixtures.client(gamma.organizationId(), seen));
        String patient = api.post("/pub/patient", gamma.token(), Api.json(Map.of("data", Map.of("type", "patient",
                "relationships", Map.of(
                        "groups", Map.of("data", java.util.List.of(Map.of("type", "group", "id", seen),
                                Map.of("type", "group", "id", hidden))),
                        "coaches", Map.of("data", java.util.List.of(Map.of("type", "coach", "id", hiddenCoach),
                                Map.of("type", "coach", "id", primaryCoach, "meta", Map.of("primary", true)))))))))
                .at("/data/id").asText();
        String[] byId = hiddenCoach.compareTo(primaryCoach) < 0 ? new String[] {hiddenCoach, primaryCoach}
                : new String[] {primaryCoach, hiddenCoach};
        boolean[] primary = {byId[0].equals(primaryCoach), byId[1].equals(primaryCoach)};

        for (String token : new String[] {gamma.token(), groupToken}) {
            boolean groupScoped = token.equals(groupToken);
            String[] groups = groupScoped ? new String[] {seen}
                    : seen.compareTo(hidden) < 0 ? new String[] {seen, hidden} : new String[] {hidden, seen};
            for (Api.Response response : new Api.Response[] {api.get("/pub/patient/" + patient, token),
                    api.get("/pub/patient?filter[groups]=" + seen, token)}) {
                String data = response.json().at("/data").isArray() ? "/data/0" : "/data";
                assertThat(response.status()).as(response.body()).isEqualTo(200);
                assertThat(response.at(data + "/relationships/groups/data").findValuesAsText("id"))
                        .containsExactly(groups);
                assertThat(response.at(data + "/relationships/coaches/data").findValuesAsText("id"))
                        .containsExactly(byId);
                assertThat(response.at(data + "/relationships/coaches/data/0/meta/primary").asBoolean())
                        .isEqualTo(primary[0]);
                assertThat(response.at(data + "/relationships/coaches/data/1/meta/primary").asBoolean())
                        .isEqualTo(primary[1]);
            }
            Api.Response coach = api.get("/pub/coach/" + primaryCoach, token);
            assertThat(coach.at("/data/relationships/groups/data").findValuesAsText("id")).containsExactly(groups);
            Api.Response coachOfHiddenGroup = api.get("/pub/coach/" + hiddenCoach, token);
            assertThat(coachOfHiddenGroup.status()).isEqualTo(200);
            assertThat(coachOfHiddenGroup.at("/data/relationships/groups/data").findValuesAsText("id"))
                    .containsExactly(groupScoped ? new String[0] : new String[] {hidden});
        }
        // Another organization's client sees none of it, linkage included.
        assertNotFound(api.get("/pub/patient/" + patient, alpha.token()), seen, hidden, hiddenCoach, primaryCoach);
    }

    @Test
    void groupScopedClientCannotCreateGroups() {
        Api.Response response = api.post("/pub/group", groupScopedToken,
                "{\"data\":{\"type\":\"group\",\"attributes\":{\"name\":\"Sneaky\"}}}");
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.at("/errors/0/code").asText()).isEqualTo("Forbidden");
        Api.Response all = api.get("/pub/group?filter[organization]=" + alpha.organizationId() + "&filter[name]=Sneaky",
                alpha.token());
        assertThat(all.at("/meta/count").asLong()).isZero();
    }

    @Test
    void groupsCreatedThroughTheApiLandInTheCallersOrganization() {
        Api.Response created = api.post("/pub/group", beta.token(),
                "{\"data\":{\"type\":\"group\",\"attributes\":{\"name\":\"Beta Made\"}}}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.at("/data/relationships/organization/data/id").asText()).isEqualTo(beta.organizationId());
        assertNotFound(api.get("/pub/group/" + created.at("/data/id").asText(), alpha.token()), "Beta Made");
        Api.Response byName = api.get("/pub/group?filter[organization]=" + beta.organizationId()
                + "&filter[name]=Beta%20Made", beta.token());
        assertThat(byName.ids()).containsExactly(created.at("/data/id").asText());
    }
}
