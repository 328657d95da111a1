package dev.openplus.auth;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The token endpoint's outcomes, as {@code openplus_token_requests_total{grant,outcome}} and
 * {@code openplus_token_reuse_detected_total}. Every series is registered up front at zero, so that a
 * dashboard or an alert on a rate sees it before the first failure.
 */
final class TokenMetrics {
    static final String CLIENT_CREDENTIALS = "client_credentials";
    static final String REFRESH_TOKEN = "refresh_token";
    static final String ISSUED = "issued";
    static final String REFRESHED = "refreshed";
    static final String INVALID_CLIENT = "invalid_client";
    static final String UNKNOWN_REFRESH_TOKEN = "unknown_refresh_token";
    static final String REVOKED_REFRESH_TOKEN = "revoked_refresh_token";
    static final String EXPIRED_REFRESH_TOKEN = "expired_refresh_token";
    static final String REUSED_REFRESH_TOKEN = "reused_refresh_token";

    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Counter reuse;

    TokenMetrics(MeterRegistry registry) {
        register(registry, CLIENT_CREDENTIALS, List.of(ISSUED, INVALID_CLIENT));
        register(registry, REFRESH_TOKEN, List.of(REFRESHED, INVALID_CLIENT, UNKNOWN_REFRESH_TOKEN,
                REVOKED_REFRESH_TOKEN, EXPIRED_REFRESH_TOKEN, REUSED_REFRESH_TOKEN));
        reuse = Counter.builder("openplus_token_reuse_detected")
                .description("Retired refresh tokens presented again; each revoked its whole token family")
                .register(registry);
    }

    private void register(MeterRegistry registry, String grant, List<String> outcomes) {
        for (String outcome : outcomes) {
            requests.put(grant + ' ' + outcome, Counter.builder("openplus_token_requests")
                    .description("Token requests that reached credential checks, by grant and outcome")
                    .tag("grant", grant).tag("outcome", outcome)
                    .register(registry));
        }
    }

    void count(String grant, String outcome) {
        requests.get(grant + ' ' + outcome).increment();
        if (outcome.equals(REUSED_REFRESH_TOKEN)) {
            reuse.increment();
        }
    }
}
