package dev.openplus.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import dev.openplus.auth.ClientRepository;
import dev.openplus.calendar.DemoCalendarEvents;
import dev.openplus.coach.CoachResource;
import dev.openplus.db.Database;
import dev.openplus.db.Ids;
import dev.openplus.group.GroupResource;
import dev.openplus.jsonapi.ResourceWriter;
import dev.openplus.metric.DemoCarePlans;
import dev.openplus.organization.OrganizationResource;
import dev.openplus.patient.DemoPatients;
import dev.openplus.reward.DemoRewards;

/**
 * {@code serve --demo}: on an empty database, a demo organization with two groups, three coaches and 50 patients,
 * and an organization-scoped demo client whose credentials are printed with a curl to try. On a database that
 * already holds the demo organization, its demo client's id is printed again: secrets are stored hashed and cannot
 * be shown again, and issuing another client at every start would leave a growing list of working credentials.
 * {@code --rotate-demo-client} revokes the demo client and issues the next one. A database with other data is left
 * alone.
 */
public final class DemoData {
    public static final String ORGANIZATION_NAME = "OpenPlus Demo Health";

    private DemoData() {
    }

    /** The demo organization and its demo client: new credentials, or the id of the active client only. */
    private record DemoClient(String organizationId, ClientRepository.NewClient issued, String existingClientId,
            boolean seeded) {
    }

    public static void seed(Database database, ResourceWriter writer, String baseUrl, PrintStream out) {
        PrintWriter writerOut = new PrintWriter(out, true);
        seed(database, writer, baseUrl, false, writerOut);
        writerOut.flush();
    }

    /**
     * @param rotate revoke the active demo client (its tokens stop working at once) and issue a new one
     */
    public static void seed(Database database, ResourceWriter writer, String baseUrl, boolean rotate,
            PrintWriter out) {
        ClientRepository clients = new ClientRepository();
        DemoClient demo = database.transaction(dsl -> {
            var organizations = dsl.select(OrganizationResource.TYPE.id(), DSL.field(DSL.name("organization", "name"), String.class))
                    .from(OrganizationResource.TYPE.table()).fetch();
            if (organizations.isEmpty()) {
                String organizationId = seedOrganization(dsl, writer);
                return new DemoClient(organizationId, clients.createDemo(dsl, organizationId), null, true);
            }
            String organizationId = organizations.stream()
                    .filter(r -> ORGANIZATION_NAME.equals(r.value2())).map(r -> r.value1()).findFirst().orElse(null);
            if (organizationId == null) {
                return null;
            }
            Optional<String> active = clients.activeDemoClient(dsl, organizationId);
            if (active.isPresent() && !rotate) {
                return new DemoClient(organizationId, null, active.get(), false);
            }
            active.ifPresent(clientId -> clients.revoke(dsl, clientId));
            return new DemoClient(organizationId, clients.createDemo(dsl, organizationId), active.orElse(null), false);
        });
        if (demo == null) {
            out.println("--demo: the database already holds other data; no demo data was added.");
            out.flush();
            return;
        }
        out.println();
        if (demo.issued() == null) {
            out.println("Demo organization \"" + ORGANIZATION_NAME + "\" is already set up. Its demo client:");
            out.println("  client_id:     " + demo.existingClientId());
            out.println("Its secret was printed when it was issued and cannot be shown again (only a hash is stored).");
            out.println("For a new secret, start with ./openplus serve --demo --rotate-demo-client: that revokes "
                    + "this client and prints a new one.");
            out.flush();
            return;
        }
        ClientRepository.NewClient client = demo.issued();
        if (demo.seeded()) {
            out.println("Demo organization \"" + ORGANIZATION_NAME + "\" is ready. A client for it:");
        } else if (demo.existingClientId() != null) {
            out.println("Demo client " + demo.existingClientId() + " is revoked. The new demo client of \""
                    + ORGANIZATION_NAME + "\":");
        } else {
            out.println("Demo organization \"" + ORGANIZATION_NAME + "\" had no active demo client. A new one:");
        }
        out.println("  client_id:     " + client.clientId());
        out.println("  client_secret: " + client.clientSecret());
        out.println();
        out.println("Try it:");
        out.println("  TOKEN=$(curl -s -X POST " + baseUrl + "/pub/oauth/token \\");
        out.println("    -H 'Content-Type: application/json' \\");
        out.println("    -d '{\"grant_type\":\"client_credentials\",\"client_id\":\"" + client.clientId()
                + "\",\"client_secret\":\"" + client.clientSecret() + "\"}' \\");
        out.println("    | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')");
        out.println("  curl -s -g -H \"Authorization: Bearer $TOKEN\" '" + baseUrl + "/pub/group?filter[organization]="
                + demo.organizationId() + "'");
        out.flush();
    }

    /**
     * The demo organization and its data, with ids from fixed sequences ({@link Ids#inFixedSequence}, a block per
     * step): every database seeded by this method holds the same ids, which the OpenAPI document's request
     * examples name (prose.yaml; OpenApiExamplesTest posts each of them to freshly seeded data). Seeding more or
     * in another order within a step changes ids those examples use: that test says which. A new step takes the
     * next block. Once per database (the ids are fixed).
     */
    public static String seedOrganization(DSLContext dsl, ResourceWriter writer) {
        String organizationId = Ids.inFixedSequence(1, () -> OrganizationResource.create(dsl, ORGANIZATION_NAME));
        List<String> groups = Ids.inFixedSequence(2, () -> {
            String cardiology = GroupResource.create(dsl, organizationId, "Cardiology Clinic",
                    "Patients of the cardiology practice.", null);
            String prevention = GroupResource.create(dsl, organizationId, "Diabetes Prevention",
                    "Employer-sponsored diabetes prevention program.", null);
            CoachResource.create(dsl, organizationId, "Clarisa", "Rivera", List.of(cardiology));
            CoachResource.create(dsl, organizationId, "Sam", "Okafor", List.of(prevention));
            CoachResource.create(dsl, organizationId, "Priya", "Natarajan", List.of(cardiology, prevention));
            return List.of(cardiology, prevention);
        });
        step(3, () -> DemoPatients.seed(writer, dsl, organizationId, groups, 50));
        step(4, () -> DemoCalendarEvents.seed(writer, dsl, organizationId));
        step(5, () -> DemoRewards.seed(writer, dsl, organizationId, groups.get(0)));
        step(6, () -> DemoCarePlans.seed(writer, dsl, organizationId));
        step(7, () -> dev.openplus.healthprofile.DemoHealthProfiles.seed(writer, dsl, organizationId));
        step(8, () -> dev.openplus.email.DemoEmails.seed(writer, dsl, organizationId));
        return organizationId;
    }

    private static void step(int block, Runnable seed) {
        Ids.inFixedSequence(block, () -> {
            seed.run();
            return null;
        });
    }
}
