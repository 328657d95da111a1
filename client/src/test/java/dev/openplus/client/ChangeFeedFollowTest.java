package dev.openplus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.client.model.Change;
import dev.openplus.client.model.Group;
import dev.openplus.client.model.Patient;
import dev.openplus.support.Fixtures;

/**
 * {@code client.changes(query)}: following the feed of an organization of its own from the beginning (typed changes,
 * the included current state as records, the cursor after each page), then only what changed since a stored
 * cursor, polling, and an expired cursor as {@link ChangeCursorExpiredException}.
 */
class ChangeFeedFollowTest {
    private static final Fixtures FIXTURES = new Fixtures(TestSupport.SERVER);
    private static String organization;
    private static OpenPlusClient client;
    private static String groupId;

    @BeforeAll
    static void start() {
        organization = FIXTURES.organization("Client change feed");
        client = TestSupport.clientOf(organization);
        groupId = client.groups().create(Group.builder().name("Feed").build()).id();
    }

    private static ChangeFeed patientFeed() {
        return client.changes(Query.organization(organization).filter("resource_type", "patient")
                .include("resource").pageSize(1));
    }

    private static Patient newPatient(String last) {
        return client.patients().create(Patient.builder().firstName("Ada").lastName(last)
                .groups(List.of(Group.ref(groupId))).build());
    }

    @Test
    void followsFromTheBeginningThenOnlyWhatChangedSinceTheStoredCursor() {
        Patient created = newPatient("Byron");
        client.patients().update(created, created.toBuilder().lastName("Lovelace").build());

        List<Change> changes = new ArrayList<>();
        List<String> cursors = new ArrayList<>();
        for (ChangePage page : patientFeed().follow(null)) {
            assertThat(page.changes()).hasSize(1);
            for (Change change : page.changes()) {
                if (change.resourceId().equals(created.id())) {
                    changes.add(change);
                    // The included state is the current one, typed as the changed resource's record.
                    assertThat(page.resource(change, Patient.class)).get().extracting(Patient::lastName)
                            .isEqualTo("Lovelace");
                }
            }
            cursors.add(page.next());
        }
        assertThat(changes).extracting(Change::action).containsExactly(Change.Action.CREATED, Change.Action.UPDATED);
        assertThat(changes).extracting(Change::version).containsExactly(1L, 2L);
        assertThat(changes).allSatisfy(change -> {
            assertThat(change.resourceTypeAttribute()).isEqualTo(Change.ResourceType.PATIENT);
            assertThat(change.resource()).isEqualTo(created.ref());
            assertThat(change.changedAt()).isNotNull();
        });
        assertThat(cursors).doesNotHaveDuplicates().doesNotContainNull();
        String stored = cursors.get(cursors.size() - 1);

        assertThat(patientFeed().follow(stored)).as("nothing new").isEmpty();

        Patient other = newPatient("Somerville");
        List<ChangePage> since = new ArrayList<>();
        patientFeed().follow(stored).forEach(since::add);
        assertThat(since).hasSize(1);
        assertThat(since.get(0).changes()).singleElement().satisfies(change -> {
            assertThat(change.resourceId()).isEqualTo(other.id());
            assertThat(change.action()).isEqualTo(Change.Action.CREATED);
        });
    }

    @Test
    void pollWaitsForTheNextChange() {
        Patient patient = newPatient("Hopper");
        String end = null;
        for (ChangePage page : patientFeed().follow(null)) {
            end = page.next();
        }
        String cursor = end;
        CompletableFuture<Void> later = CompletableFuture.runAsync(() -> client.patients().update(patient,
                patient.toBuilder().firstName("Grace").build()),
                CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS));
        ChangePage page = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> patientFeed().poll(cursor, Duration.ofMillis(100)).iterator().next());
        later.join();
        assertThat(page.changes()).singleElement().satisfies(change -> {
            assertThat(change.resourceId()).isEqualTo(patient.id());
            assertThat(change.action()).isEqualTo(Change.Action.UPDATED);
            assertThat(page.resource(change, Patient.class)).get().extracting(Patient::firstName).isEqualTo("Grace");
        });
    }

    @Test
    void anExpiredCursorIsTypedAndAFreshStartReadsWhatIsKept() throws Exception {
        String retained = FIXTURES.organization("Client change feed retention");
        OpenPlusClient own = TestSupport.clientOf(retained);
        ChangeFeed feed = own.changes(Query.organization(retained).include("resource").pageSize(1));
        own.groups().create(Group.builder().name("Old 1").build());
        Iterator<ChangePage> pages = feed.follow(null).iterator();
        String afterFirst = pages.next().next();
        own.groups().create(Group.builder().name("Old 2").build());
        try (Connection connection = TestSupport.SERVER.database.dedicatedConnection();
                PreparedStatement prune = connection.prepareStatement(
                        "select change_prune(?, now() + interval '1 day', 1000)")) {
            prune.setString(1, retained);
            prune.execute();
        }

        assertThatThrownBy(() -> feed.follow(afterFirst).iterator().hasNext())
                .isInstanceOfSatisfying(ChangeCursorExpiredException.class, e -> {
                    assertThat(e.status()).isEqualTo(410);
                    assertThat(e.code()).isEqualTo("ChangeCursorExpired");
                    assertThat(e.errors()).extracting(ApiError::parameter).containsExactly("page[after]");
                });
        assertThat(feed.page(null).changes()).as("a fresh start reads what is kept").isEmpty();
    }
}
