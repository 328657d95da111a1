package dev.openplus.cli;

import java.io.PrintStream;
import java.util.List;

import org.jooq.impl.DSL;

import dev.openplus.auth.ClientRepository;
import dev.openplus.calendar.DemoCalendarEvents;
import dev.openplus.coach.CoachResource;
import dev.openplus.db.Database;
import dev.openplus.group.GroupResource;
import dev.openplus.jsonapi.ResourceWriter;
import dev.openplus.metric.DemoCarePlans;
import dev.openplus.organization.OrganizationResource;
import dev.openplus.patient.DemoPatients;
import dev.openplus.reward.DemoRewards;

/**
 * {@code serve --demo}: on an empty database, a demo organization with two groups, three coaches and 50 patients,
 * and an
 * organization-scoped client whose credentials are printed with a curl to try. On a database that already
 * holds the demo organization a fresh client is issued (secrets are stored hashed and cannot be shown again);
 * a database with other data is left alone.
 */
public final class DemoData {
    public static final String ORGANIZATION_NAME = "OpenPlus Demo Health";

    private DemoData() {
    }

    private record DemoClient(String organizationId, ClientRepository.NewClient client) {
    }

    public static void seed(Database database, ResourceWriter writer, String baseUrl, PrintStream out) {
        ClientRepository clients = new ClientRepository();
        DemoClient demo = database.transaction(dsl -> {
            var organizations = dsl.select(OrganizationResource.TYPE.id(), DSL.field(DSL.name("organization", "name"), String.class))
                    .from(OrganizationResource.TYPE.table()).fetch();
            String organizationId;
            if (organizations.isEmpty()) {
                organizationId = OrganizationResource.create(dsl, ORGANIZATION_NAME);
                String cardiology = GroupResource.create(dsl, organizationId, "Cardiology Clinic",
                        "Patients of the cardiology practice.", null);
                String prevention = GroupResource.create(dsl, organizationId, "Diabetes Prevention",
                        "Employer-sponsored diabetes prevention program.", null);
                CoachResource.create(dsl, organizationId, "Clarisa", "Rivera", List.of(cardiology));
                CoachResource.create(dsl, organizationId, "Sam", "Okafor", List.of(prevention));
                CoachResource.create(dsl, organizationId, "Priya", "Natarajan", List.of(cardiology, prevention));
                DemoPatients.seed(writer, dsl, organizationId, List.of(cardiology, prevention), 50);
                DemoCalendarEvents.seed(writer, dsl, organizationId);
                DemoRewards.seed(writer, dsl, organizationId, cardiology);
                DemoCarePlans.seed(writer, dsl, organizationId);
                dev.openplus.healthprofile.DemoHealthProfiles.seed(writer, dsl, organizationId);
                dev.openplus.email.DemoEmails.seed(writer, dsl, organizationId);
            } else {
                organizationId = organizations.stream()
                        .filter(r -> ORGANIZATION_NAME.equals(r.value2())).map(r -> r.value1()).findFirst().orElse(null);
                if (organizationId == null) {
                    return null;
                }
            }
            return new DemoClient(organizationId, clients.create(dsl, organizationId, false, List.of()));
        });
        if (demo == null) {
            out.println("--demo: the database already holds other data; no demo data was added.");
            return;
        }
        ClientRepository.NewClient client = demo.client();
        out.println();
        out.println("Demo organization \"" + ORGANIZATION_NAME + "\" is ready. A client for it:");
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
    }
}
