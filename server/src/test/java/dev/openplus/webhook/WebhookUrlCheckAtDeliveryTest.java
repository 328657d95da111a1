package dev.openplus.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.openplus.Application;
import dev.openplus.config.Config;
import dev.openplus.support.Fixtures;
import dev.openplus.support.TestServer;

/**
 * The URL is checked again before each delivery: a subscription whose host now resolves to a private address
 * (here: created where private addresses were allowed, delivered by a server where they are not) is not
 * delivered; the attempt fails with the reason and is retried.
 */
class WebhookUrlCheckAtDeliveryTest {
    @Test
    void aPrivateAddressIsRefusedAtDeliveryToo() throws Exception {
        TestServer server = TestServer.get();
        Config.Webhooks strict = new Config.Webhooks(1, Duration.ofMillis(50), Duration.ofSeconds(1),
                Duration.ofMillis(400), Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofHours(24), false,
                List.of());
        Fixtures lenient = new Fixtures(server.config.withWebhooks(new Config.Webhooks(0, strict.pollInterval(),
                strict.connectTimeout(), strict.answerTimeout(), strict.backoffBase(), strict.backoffCap(),
                strict.retryFor(), true, List.of())), server.api());
        Fixtures.Tenant tenant = lenient.tenant("Webhook Rebinding Org");
        try (Receiver receiver = new Receiver(n -> Receiver.Answer.ok());
                Application delivering = Application.start(server.config.withPort(0).withWebhooks(strict),
                        server.database)) {
            String id = lenient.cli("admin", "webhook", "create", "--org", tenant.organizationId(), "--url",
                    receiver.url(), "--from-start", "--json").json().get("id").asText();
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                Map<String, Object> row;
                do {
                    Thread.sleep(100);
                    row = server.database.dsl().fetchOne("select consecutive_failures, last_error from "
                            + "webhook_subscription where id = ?", id).intoMap();
                } while (((Integer) row.get("consecutive_failures")) < 2 && System.nanoTime() < deadline);
                assertThat((Integer) row.get("consecutive_failures")).isGreaterThanOrEqualTo(2);
                assertThat(row.get("last_error")).isEqualTo("the host 127.0.0.1 resolves to 127.0.0.1, a private, "
                        + "loopback, link-local, multicast or unspecified address (allowed only with "
                        + "OPENPLUS_WEBHOOK_ALLOW_PRIVATE=true)");
                assertThat(receiver.arrivals()).isEmpty();
            } finally {
                lenient.cli("admin", "webhook", "disable", id);
            }
        }
    }
}
