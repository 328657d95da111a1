package dev.openplus.client;

import java.util.Map;

import dev.openplus.cli.DemoData;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * The test server (one embedded PostgreSQL for the client's whole test run) with the demo organization seeded once:
 * data of every type to list, fetch and change.
 */
final class TestSupport {
    static final TestServer SERVER = TestServer.get();
    static final String ORGANIZATION;
    static final Map<String, String> CREDENTIALS;

    static {
        ORGANIZATION = SERVER.database.transaction(dsl -> DemoData.seedOrganization(dsl, SERVER.application.writer()));
        CREDENTIALS = new Fixtures(SERVER).client(ORGANIZATION);
    }

    private TestSupport() {
    }

    static OpenPlusClient.Builder builder(String baseUrl) {
        return OpenPlusClient.builder(baseUrl).clientCredentials(CREDENTIALS.get("client_id"),
                CREDENTIALS.get("client_secret"));
    }

    static OpenPlusClient client() {
        return builder(SERVER.baseUrl).build();
    }

    /** A new client of an organization, scoped to the groups when given (its feed holds only what a test writes). */
    static OpenPlusClient clientOf(String organizationId, String... groupIds) {
        Map<String, String> credentials = new Fixtures(SERVER).client(organizationId, groupIds);
        return OpenPlusClient.builder(SERVER.baseUrl)
                .clientCredentials(credentials.get("client_id"), credentials.get("client_secret")).build();
    }
}
