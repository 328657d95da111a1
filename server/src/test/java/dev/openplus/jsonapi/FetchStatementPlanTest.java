package dev.openplus.jsonapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.openplus.Application;
import dev.openplus.patient.PatientResource;
import dev.openplus.support.CarePlans;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * The statement that reads several ids at once is planned once per connection, not per execution, for every
 * batch size: PostgreSQL's own count of custom and generic plans of the prepared statement says so.
 */
class FetchStatementPlanTest {
    static TestServer server;
    static Fixtures.Tenant tenant;
    static Fixtures.Tenant otherTenant;
    static List<String> patients = new ArrayList<>();
    static String otherTenantsPatient;

    @BeforeAll
    static void setUp() {
        server = TestServer.get();
        Fixtures fixtures = new Fixtures(server);
        CarePlans plans = new CarePlans(server.api());
        tenant = fixtures.tenant("Fetch Plan Org");
        String group = fixtures.apiGroup(tenant, "Planned");
        for (int i = 0; i < 9; i++) {
            patients.add(plans.patient(tenant.token(), group));
        }
        otherTenant = fixtures.tenant("Fetch Plan Other Org");
        otherTenantsPatient = plans.patient(otherTenant.token(), fixtures.apiGroup(otherTenant, "Elsewhere"));
    }

    @Test
    void eachIdCountReadsOnlyTheScopesRows() throws Exception {
        ResourceRepository repository = new ResourceRepository(Application.registry());
        try (Connection connection = server.database.dedicatedConnection()) {
            DSLContext dsl = DSL.using(connection, SQLDialect.POSTGRES);
            Caller caller = Caller.operator(tenant.organizationId());
            for (int count = 1; count <= patients.size(); count++) {
                List<String> ids = new ArrayList<>(patients.subList(0, count));
                ids.add(otherTenantsPatient);
                ids.add("0".repeat(24));
                Map<String, ResourceRow> rows = repository.fetchEach(dsl, PatientResource.TYPE, caller, ids);
                assertThat(rows.keySet()).as(count + " ids").containsExactlyInAnyOrderElementsOf(ids.subList(0, count));
                rows.forEach((id, row) -> assertThat(row.id()).isEqualTo(id));
            }
            assertThat(repository.fetchEach(dsl, PatientResource.TYPE, Caller.operator(otherTenant.organizationId()),
                    patients)).isEmpty();
        }
    }

    @Test
    void theStatementOfSeveralIdsIsPlannedOncePerConnection() throws Exception {
        ResourceRepository repository = new ResourceRepository(Application.registry());
        Caller caller = Caller.operator(tenant.organizationId());
        try (Connection connection = server.database.dedicatedConnection()) {
            DSLContext dsl = DSL.using(connection, SQLDialect.POSTGRES);
            int executions = 25;
            for (int i = 0; i < executions; i++) {
                // Three different ids each time: the statement with four places.
                List<String> ids = List.of(patients.get(i % 9), patients.get((i + 1) % 9), patients.get((i + 2) % 9));
                assertThat(repository.fetchEach(dsl, PatientResource.TYPE, caller, ids)).hasSize(3);
            }
            try (Statement statement = connection.createStatement();
                    ResultSet plans = statement.executeQuery("select generic_plans, custom_plans from"
                            + " pg_prepared_statements where statement like 'select \"patient\".\"id\", %'")) {
                assertThat(plans.next()).as("the statement is prepared on the server").isTrue();
                long generic = plans.getLong(1);
                long custom = plans.getLong(2);
                // The driver prepares it on the server from its fifth use; PostgreSQL plans it for the first five
                // executions there, then keeps a generic plan.
                assertThat(custom).isLessThanOrEqualTo(5);
                assertThat(generic + custom).isEqualTo(executions - 4);
                assertThat(plans.next()).as("one statement for batches of three").isFalse();
            }
        }
    }
}
