package dev.openplus.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

import org.jooq.DSLContext;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.Main;
import dev.openplus.auth.ClientRepository;
import dev.openplus.coach.CoachResource;
import dev.openplus.db.Database;
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
@Command(name = "admin", mixinStandardHelpOptions = true, description = "Manage organizations, groups, coaches and API clients.",
        subcommands = {AdminCommand.Org.class, AdminCommand.Group.class, AdminCommand.Coach.class, AdminCommand.Client.class})
public final class AdminCommand {
    @ParentCommand
    Main main;

    /** Thrown for an operator mistake: printed as one line (or {"error": …}), exit code 1. */
    static final class AdminError extends RuntimeException {
        AdminError(String message) {
            super(message, null, false, false);
        }
    }

    /** What every admin action shares: --json, the database, and printing the result. */
    abstract static class Action implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        abstract AdminCommand admin();

        /** Does the work in one transaction; returns the JSON result and its one-line text form. */
        abstract Result execute(DSLContext dsl);

        record Result(ObjectNode json, String text) {
        }

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (Database database = Database.open(admin().main.config(), false)) {
                Result result = database.transaction(this::execute);
                out.println(json ? result.json().toString() : result.text());
                out.flush();
                return 0;
            } catch (AdminError | IllegalArgumentException e) {
                if (json) {
                    err.println(BodyReader.mapper().createObjectNode().put("error", e.getMessage()));
                } else {
                    err.println("openplus admin: " + e.getMessage());
                }
                err.flush();
                return 1;
            }
        }

        static ObjectNode object() {
            return BodyReader.mapper().createObjectNode();
        }

        static void requireOrganization(DSLContext dsl, String organizationId) {
            if (!OrganizationResource.exists(dsl, organizationId)) {
                throw new AdminError("no organization with id " + organizationId);
            }
        }
    }

    @Command(name = "org", mixinStandardHelpOptions = true, description = "Organizations.", subcommands = Org.Create.class)
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
    }

    @Command(name = "group", mixinStandardHelpOptions = true, description = "Groups.", subcommands = Group.Create.class)
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
    }

    @Command(name = "coach", mixinStandardHelpOptions = true, description = "Coaches.", subcommands = Coach.Create.class)
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
                StringBuilder text = new StringBuilder();
                Function<java.time.OffsetDateTime, String> time = t -> t == null ? null : DocumentWriter.timestamp(t);
                for (ClientRepository.Client c : CLIENTS.list(dsl, organizationId)) {
                    ObjectNode item = array.addObject();
                    item.put("client_id", c.clientId());
                    item.put("scope", c.groupScoped() ? "group" : "organization");
                    ArrayNode groupIds = item.putArray("groups");
                    c.groupIds().stream().sorted().forEach(groupIds::add);
                    item.put("created_at", time.apply(c.createdAt()));
                    item.put("revoked_at", time.apply(c.revokedAt()));
                    text.append(c.clientId()).append("  ").append(c.groupScoped() ? "group" : "organization")
                            .append(c.groupScoped() ? " " + String.join(",", c.groupIds().stream().sorted().toList()) : "")
                            .append(c.revoked() ? "  revoked " + time.apply(c.revokedAt()) : "  active")
                            .append(System.lineSeparator());
                }
                if (text.isEmpty()) {
                    text.append("no clients").append(System.lineSeparator());
                }
                return new Result(result, text.toString().stripTrailing());
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
