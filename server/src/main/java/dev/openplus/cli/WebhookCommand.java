package dev.openplus.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jooq.DSLContext;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.Application;
import dev.openplus.change.ChangeResource;
import dev.openplus.webhook.WebhookSubscriptions;
import dev.openplus.webhook.WebhookUrls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code openplus admin webhook ...}: webhook subscriptions on the change feed (docs/api.md "Webhooks"). */
@Command(name = "webhook", mixinStandardHelpOptions = true, description = "Webhook subscriptions: signed POSTs of "
        + "an organization's (or some groups') changes.",
        subcommands = {WebhookCommand.Create.class, WebhookCommand.ListWebhooks.class, WebhookCommand.Disable.class,
                WebhookCommand.Enable.class})
final class WebhookCommand {
    @ParentCommand
    AdminCommand admin;

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a subscription; prints its id and signing secret (shown only once).")
    static final class Create extends AdminCommand.Action {
        @ParentCommand
        WebhookCommand webhook;

        @Option(names = "--org", required = true, description = "Organization id.")
        String organizationId;

        @Option(names = "--groups", split = ",", description = "Comma-separated group ids: deliver what a client "
                + "scoped to these groups sees. Default: the whole organization.")
        List<String> groups = new ArrayList<>();

        @Option(names = "--url", required = true, description = "The receiver's http or https URL.")
        String url;

        @Option(names = "--types", split = ",", description = "Comma-separated resource types. Default: all.")
        List<String> types = new ArrayList<>();

        @Option(names = "--from-start", description = "Deliver every change the feed still retains first, not "
                + "only those committed from now on.")
        boolean fromStart;

        @Override
        AdminCommand admin() {
            return webhook.admin;
        }

        @Override
        Result execute(DSLContext dsl) {
            requireOrganization(dsl, organizationId);
            WebhookSubscriptions.Created created;
            try {
                created = WebhookSubscriptions.create(dsl, new WebhookUrls(admin().main.config().webhooks()),
                        ChangeResource.typeNames(Application.registry()), organizationId, groups, url, types,
                        fromStart);
            } catch (WebhookSubscriptions.Invalid e) {
                throw new AdminCommand.AdminError(e.getMessage());
            }
            return new Result(object().put("id", created.id()).put("secret", created.secret()),
                    "id:     " + created.id() + System.lineSeparator()
                            + "secret: " + created.secret() + System.lineSeparator()
                            + "(keep the secret to verify the OpenPlus-Signature header; it cannot be shown again)");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List webhook subscriptions.")
    static final class ListWebhooks extends AdminCommand.Action {
        @ParentCommand
        WebhookCommand webhook;

        @Option(names = "--org", description = "Only this organization's.")
        String organizationId;

        @Override
        AdminCommand admin() {
            return webhook.admin;
        }

        @Override
        Result execute(DSLContext dsl) {
            if (organizationId != null) {
                requireOrganization(dsl, organizationId);
            }
            ObjectNode result = object();
            ArrayNode array = result.putArray("webhooks");
            List<List<String>> rows = new ArrayList<>();
            for (WebhookSubscriptions.Subscription s : WebhookSubscriptions.list(dsl, organizationId)) {
                ObjectNode item = array.addObject().put("id", s.id()).put("organization_id", s.organizationId());
                s.groups().forEach(item.putArray("groups")::add);
                item.put("url", s.url());
                s.types().forEach(item.putArray("types")::add);
                item.put("status", s.status()).put("consecutive_failures", s.consecutiveFailures())
                        .put("failing_since", time(s.failingSince())).put("next_attempt_at", time(s.nextAttemptAt()))
                        .put("last_error", s.lastError()).put("created_at", time(s.createdAt()));
                rows.add(Arrays.asList(s.id(), s.organizationId(),
                        s.groups().isEmpty() ? "organization" : String.join(",", s.groups()), s.url(),
                        s.types().isEmpty() ? "all" : String.join(",", s.types()), s.status(),
                        Integer.toString(s.consecutiveFailures()), time(s.failingSince()), s.lastError(),
                        time(s.createdAt())));
            }
            return new Result(result, table(List.of("ID", "ORGANIZATION", "SCOPE", "URL", "TYPES", "STATUS",
                    "FAILURES", "FAILING SINCE", "LAST ERROR", "CREATED"), rows, "no webhooks"));
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Stop delivering a subscription (its place in the feed is kept).")
    static final class Disable extends AdminCommand.Action {
        @ParentCommand
        WebhookCommand webhook;

        @Parameters(index = "0", paramLabel = "ID", description = "The subscription's id.")
        String id;

        @Override
        AdminCommand admin() {
            return webhook.admin;
        }

        @Override
        Result execute(DSLContext dsl) {
            if (!WebhookSubscriptions.disable(dsl, id)) {
                throw new AdminCommand.AdminError("no webhook with id " + id);
            }
            return new Result(object().put("id", id).put("status", "disabled"), "disabled webhook " + id);
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true,
            description = "Deliver a subscription again from where it stopped, with its failures reset.")
    static final class Enable extends AdminCommand.Action {
        @ParentCommand
        WebhookCommand webhook;

        @Parameters(index = "0", paramLabel = "ID", description = "The subscription's id.")
        String id;

        @Override
        AdminCommand admin() {
            return webhook.admin;
        }

        @Override
        Result execute(DSLContext dsl) {
            if (!WebhookSubscriptions.enable(dsl, id)) {
                throw new AdminCommand.AdminError("no webhook with id " + id);
            }
            return new Result(object().put("id", id).put("status", "active"), "enabled webhook " + id);
        }
    }
}
