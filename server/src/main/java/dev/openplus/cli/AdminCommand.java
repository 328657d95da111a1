package dev.openplus.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.Main;
import dev.openplus.auth.ClientRepository;
import dev.openplus.coach.CoachResource;
import dev.openplus.config.StartupFailure;
import dev.openplus.db.Database;
import dev.openplus.db.backup.BackupFileException;
import dev.openplus.group.GroupResource;
import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.DocumentWriter;
import dev.openplus.organization.OrganizationResource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code openplus admin ...}: operator commands on the same database as the server, whether or not one runs
 * (with the embedded default they join the running embedded PostgreSQL, or start it for the command).
 */
@Command(name = "admin", mixinStandardHelpOptions = true, description = "Manage organizations, groups, coaches, API clients and webhooks; back up and restore.",
        subcommands = {AdminCommand.Org.class, AdminCommand.Group.class, AdminCommand.Coach.class, AdminCommand.Client.class,
                WebhookCommand.class, BackupCommand.class, RestoreCommand.class})
public final class AdminCommand {
    @ParentCommand
    Main main;

    // The list commands read the tables directly: an operator's view, not the API's resource documents.
    static final Field<String> ID = DSL.field(DSL.name("id"), String.class);
    static final Field<String> NAME = DSL.field(DSL.name("name"), String.class);
    static final Field<String> ORGANIZATION_ID = DSL.field(DSL.name("organization_id"), String.class);
    static final Field<java.time.OffsetDateTime> CREATED_AT =
            DSL.field(DSL.name("created_at"), java.time.OffsetDateTime.class);

    /** Thrown for an operator mistake: printed as one line (or {"error": …}), exit code 1. */
    static final class AdminError extends RuntimeException {
        AdminError(String message) {
            super(message, null, false, false);
        }
    }

    /** What every admin command shares: --json, printing the result, and how failures are told. */
    abstract static class Reported implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        abstract AdminCommand admin();

        /** Does the work; returns the JSON result and its text form. */
        abstract Result run() throws Exception;

        record Result(ObjectNode json, String text) {
        }

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                Result result = run();
                out.println(json ? result.json().toString() : result.text());
                out.flush();
                return 0;
            } catch (AdminError | BackupFileException | IllegalArgumentException | StartupFailure e) {
                if (json) {
                    printJsonError(out, e.getMessage());
                } else {
                    err.println("openplus admin: " + e.getMessage());
                    err.flush();
                }
                return 1;
            } catch (Exception e) {
                // E.g. the database cannot be reached or started: scripts still get one JSON object.
                if (!json) {
                    throw e;
                }
                printJsonError(out, e.getMessage() == null ? e.getClass().getName() : e.getMessage());
                return 1;
            }
        }

        static ObjectNode object() {
            return BodyReader.mapper().createObjectNode();
        }

        static String time(java.time.OffsetDateTime t) {
            return t == null ? null : DocumentWriter.timestamp(t);
        }

        /** Rows under a header, each column as wide as its widest cell; {@code empty} when there are none. */
        static String table(List<String> header, List<List<String>> rows, String empty) {
            if (rows.isEmpty()) {
                return empty;
            }
            int[] widths = new int[header.size()];
            List<List<String>> all = new ArrayList<>();
            all.add(header);
            all.addAll(rows);
            for (List<String> row : all) {
                for (int i = 0; i < row.size(); i++) {
                    widths[i] = Math.max(widths[i], row.get(i) == null ? 0 : row.get(i).length());
                }
            }
            StringBuilder text = new StringBuilder();
            for (List<String> row : all) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < row.size(); i++) {
                    String cell = row.get(i) == null ? "" : row.get(i);
                    line.append(cell).append(i + 1 < row.size() ? " ".repeat(widths[i] - cell.length() + 2) : "");
                }
                text.append(line.toString().stripTrailing()).append(System.lineSeparator());
            }
            return text.toString().stripTrailing();
        }

        static void requireOrganization(DSLContext dsl, String organizationId) {
            if (!OrganizationResource.exists(dsl, organizationId)) {
                throw new AdminError("no organization with id " + organizationId);
            }
        }
    }

    /** An admin command that does its work in one transaction on the (migrated) database. */
    abstract static class Action extends Reported {
        /** Does the work in one transaction; returns the JSON result and its one-line text form. */
        abstract Result execute(DSLContext dsl);

        @Override
        Result run() throws Exception {
            try (Database database = Database.open(admin().main.config(), false)) {
                return database.transaction(this::execute);
            }
        }
    }

    /** With --json, every error is one {"error": …} object on stdout and nothing else. */
    public static void printJsonError(PrintWriter out, String message) {
        out.println(BodyReader.mapper().createObjectNode().put("error", message));
        out.flush();
    }

    @Command(name = "org", mixinStandardHelpOptions = true, description = "Organizations.",
            subcommands = {Org.Create.class, Org.ListOrgs.class})
    static final class Org {
        @ParentCommand
        AdminCommand admin;

        @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an organization.")
        static final class Create extends Action {
            @ParentCommand
            Org org;

            @Option(names = "--name", required = true, description = "Organization name.")
            String name;

            @Override
            AdminCommand admin() {
                return org.admin;
            }

            @Override
            Result execute(DSLContext dsl) {
                String id = OrganizationResource.create(dsl, name);
                return new Result(object().put("id", id), "created organization " + id);
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "List every organization.")
        static final class ListOrgs extends Action {
            @ParentCommand
            Org org;

            @Override
            AdminCommand admin() {
                return org.admin;
            }

            @Override
            Result execute(DSLContext dsl) {
                ObjectNode result = object();
                ArrayNode array = result.putArray("organizations");
                List<List<String>> rows = new ArrayList<>();
                for (var r : dsl.select(ID, NAME, CREATED_AT).from(DSL.table(DSL.name("organization")))
                        .orderBy(CREATED_AT, ID).fetch()) {
                    array.addObject().put("id", r.value1()).put("name", r.value2()).put("created_at", time(r.value3()));
                    rows.add(List.of(r.value1(), r.value2(), time(r.value3())));
                }
                return new Result(result, table(List.of("ID", "NAME", "CREATED"), rows, "no organizations"));
            }
        }
    }

    @Command(name = "group", mixinStandardHelpOptions = true, description = "Groups.",
            subcommands = {Group.Create.class, Group.ListGroups.class})
    static final class Group {
        @ParentCommand
        AdminCommand admin;

        @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a group in an organization.")
        static final class Create extends Action {
            @ParentCommand
            Group group;

            @Option(names = "--org", required = true, description = "Organization id.")
            String organizationId;

            @Option(names = "--name", required = true, description = "Group name.")
            String name;

            @Option(names = "--bio", description = "Group description.")
            String bio;

            @Override
            AdminCommand admin() {
                return group.admin;
            }

            @Override
            Result execute(DSLContext dsl) {
                requireOrganization(dsl, organizationId);
                String id = GroupResource.create(dsl, organizationId, name, bio, null);
                return new Result(object().put("id", id), "created group " + id);
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "List an organization's groups.")
        static final class ListGroups extends Action {
            @ParentCommand
            Group group;

            @Option(names = "--org", required = true, description = "Organization id.")
            String organizationId;

            @Override
            AdminCommand admin() {
                return group.admin;
            }

            @Override
            Result execute(DSLContext dsl) {
                requireOrganization(dsl, organizationId);
                ObjectNode result = object();
                ArrayNode array = result.putArray("groups");
                List<List<String>> rows = new ArrayList<>();
                Field<String> bio = DSL.field(DSL.name("bio"), String.class);
                for (var r : dsl.select(ID, NAME, bio, CREATED_AT).from(DSL.table(DSL.name("patient_group")))
                        .where(ORGANIZATION_ID.eq(organizationId)).orderBy(CREATED_AT, ID).fetch()) {
                    array.addObject().put("id", r.value1()).put("name", r.value2()).put("bio", r.value3())
                            .put("created_at", time(r.value4()));
                    rows.add(java.util.Arrays.asList(r.value1(), r.value2(), r.value3(), time(r.value4())));
                }
                return new Result(result, table(List.of("ID", "NAME", "BIO", "CREATED"), rows, "no groups"));
            }
        }
    }

    @Command(name = "coach", mixinStandardHelpOptions = true, description = "Coaches.",
            subcommands = {Coach.Create.class, Coach.ListCoaches.class})
    static final class Coach {
        @ParentCommand
        AdminCommand admin;

        @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a coach in an organization.")
        static final class Create extends Action {
            @ParentCommand
            Coach coach;

            @Option(names = "--org", required = true, description = "Organization id.")
            String organizationId;

            @Option(names = "--first-name", required = true, description = "First name.")
            String firstName;

            @Option(names = "--last-name", required = true, description = "Last name.")
            String lastName;

            @Option(names = "--groups", split = ",", description = "Comma-separated group ids of the organization.")
            List<String> groups = new ArrayList<>();

            @Override
            AdminCommand admin() {
                return coach.admin;
            }

            @Override
            Result execute(DSLContext dsl) {
                requireOrganization(dsl, organizationId);
                String id = CoachResource.create(dsl, organizationId, firstName, lastName, groups);
                return new Result(object().put("id", id), "created coach " + id);
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "List an organization's coaches.")
        static final class ListCoaches extends Action {
            @ParentCommand
            Coach coach;

            @Option(names = "--org", required = true, description = "Organization id.")
            String organizationId;

            @Override
            AdminCommand admin() {
                return coach.admin;
            }

            @Override
            Result execute(DSLContext dsl) {
                requireOrganization(dsl, organizationId);
                Field<String> coachId = DSL.field(DSL.name("coach_id"), String.class);
                Field<String> groupId = DSL.field(DSL.name("group_id"), String.class);
                Map<String, List<String>> groupsOf = new java.util.HashMap<>();
                dsl.select(coachId, groupId).from(DSL.table(DSL.name("coach_group")))
                        .where(ORGANIZATION_ID.eq(organizationId)).orderBy(coachId, groupId)
                        .forEach(r -> groupsOf.computeIfAbsent(r.value1(), k -> new ArrayList<>()).add(r.value2()));
                Field<String> first = DSL.field(DSL.name("first_name"), String.class);
                Field<String> last = DSL.field(DSL.name("last_name"), String.class);
                ObjectNode result = object();
                ArrayNode array = result.putArray("coaches");
                List<List<String>> rows = new ArrayList<>();
                for (var r : dsl.select(ID, first, last, CREATED_AT).from(DSL.table(DSL.name("coach")))
                        .where(ORGANIZATION_ID.eq(organizationId)).orderBy(CREATED_AT, ID).fetch()) {
                    List<String> groupIds = groupsOf.getOrDefault(r.value1(), List.of());
                    ObjectNode item = array.addObject().put("id", r.value1()).put("first_name", r.value2())
                            .put("last_name", r.value3());
                    groupIds.forEach(item.putArray("groups")::add);
                    item.put("created_at", time(r.value4()));
                    rows.add(java.util.Arrays.asList(r.value1(), r.value2(), r.value3(), String.join(",", groupIds),
                            time(r.value4())));
                }
                return new Result(result, table(List.of("ID", "FIRST NAME", "LAST NAME", "GROUPS", "CREATED"), rows,
                        "no coaches"));
            }
        }
    }

    @Command(name = "client", mixinStandardHelpOptions = true, description = "API clients (OAuth 2.0 client credentials).",
            subcommands = {Client.Create.class, Client.ListClients.class, Client.Revoke.class})
    static final class Client {
        private static final ClientRepository CLIENTS = new ClientRepository();

        @ParentCommand
        AdminCommand admin;

        @Command(name = "create", mixinStandardHelpOptions = true,
                description = "Create an API client; prints its client_id and client_secret (shown only once).")
        static final class Create extends Action {
            @ParentCommand
            Client client;

            @Option(names = "--org", required = true, description = "Organization id.")
            String organizationId;

            @Option(names = "--scope", defaultValue = "organization",
                    description = "organization (everything in it) or group (only --groups). Default: ${DEFAULT-VALUE}.")
            String scope;

            @Option(names = "--groups", split = ",", description = "Comma-separated group ids (with --scope group).")
            List<String> groups = new ArrayList<>();

            @Override
            AdminCommand admin() {
                return client.admin;
            }

            @Override
            Result execute(DSLContext dsl) {
                if (!scope.equals("organization") && !scope.equals("group")) {
                    throw new AdminError("--scope must be organization or group");
                }
                requireOrganization(dsl, organizationId);
                ClientRepository.NewClient created = CLIENTS.create(dsl, organizationId, scope.equals("group"), groups);
                return new Result(object().put("client_id", created.clientId()).put("client_secret", created.clientSecret()),
                        "client_id:     " + created.clientId() + System.lineSeparator()
                                + "client_secret: " + created.clientSecret() + System.lineSeparator()
                                + "(the secret is not stored and cannot be shown again)");
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "List an organization's API clients.")
        static final class ListClients extends Action {
            @ParentCommand
            Client client;

            @Option(names = "--org", required = true, description = "Organization id.")
            String organizationId;

            @Override
            AdminCommand admin() {
                return client.admin;
            }

            @Override
            Result execute(DSLContext dsl) {
                requireOrganization(dsl, organizationId);
                ObjectNode result = object();
                ArrayNode array = result.putArray("clients");
                List<List<String>> rows = new ArrayList<>();
                for (ClientRepository.Client c : CLIENTS.list(dsl, organizationId)) {
                    String scope = c.groupScoped() ? "group" : "organization";
                    List<String> groupIds = c.groupIds().stream().sorted().toList();
                    ObjectNode item = array.addObject();
                    item.put("client_id", c.clientId());
                    item.put("scope", scope);
                    groupIds.forEach(item.putArray("groups")::add);
                    item.put("created_at", time(c.createdAt()));
                    item.put("revoked_at", time(c.revokedAt()));
                    rows.add(java.util.Arrays.asList(c.clientId(), scope, String.join(",", groupIds),
                            time(c.createdAt()), time(c.revokedAt())));
                }
                return new Result(result, table(List.of("CLIENT ID", "SCOPE", "GROUPS", "CREATED", "REVOKED"), rows,
                        "no clients"));
            }
        }

        @Command(name = "revoke", mixinStandardHelpOptions = true,
                description = "Revoke an API client: its tokens stop working at once.")
        static final class Revoke extends Action {
            @ParentCommand
            Client client;

            @Option(names = "--client-id", required = true, description = "The client_id to revoke.")
            String clientId;

            @Override
            AdminCommand admin() {
                return client.admin;
            }

            @Override
            Result execute(DSLContext dsl) {
                if (!CLIENTS.revoke(dsl, clientId)) {
                    throw new AdminError("no client with client_id " + clientId);
                }
                return new Result(object().put("client_id", clientId).put("revoked", true), "revoked client " + clientId);
            }
        }
    }
}
