package dev.openplus.auth;

import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

import dev.openplus.config.Config;
import dev.openplus.jsonapi.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Limits on failed credentials (DESIGN §5a): failed token requests per client id and per source address, and
 * failed bearer checks per source address, each counted in {@link FailureBuckets}. A refused request is
 * answered 429 {@code TooManyRequests} with {@code Retry-After} before any work: no password hash, no
 * transaction. Counted as {@code openplus_auth_throttled_total{check,limit}}.
 *
 * <p>Throttling by client id lets someone who fails for a client id lock that client out. A request that
 * proves its secret cheaply (the secret this process last verified for the client, see
 * {@link TokenService}) is therefore never refused, so a client that already obtained a token from this server
 * keeps obtaining them; one that has not (first request after a restart, or on another instance) waits out
 * the refusal like anyone (docs/decisions.md).
 */
final class AuthThrottle {
    /** More distinct keys than this are forgotten rather than kept (see {@link FailureBuckets}). */
    private static final int MAX_KEYS = 100_000;

    private final FailureBuckets clients;
    private final FailureBuckets addresses;
    private final String addressHeader;
    private final Counter tokenByClient;
    private final Counter tokenByAddress;
    private final Counter bearerByAddress;

    AuthThrottle(Config.AuthLimits limits, MeterRegistry registry, LongSupplier clock) {
        this.clients = new FailureBuckets(limits.clientBurst(), limits.clientPerMinute(), MAX_KEYS, clock);
        this.addresses = new FailureBuckets(limits.addressBurst(), limits.addressPerMinute(), MAX_KEYS, clock);
        this.addressHeader = limits.addressHeader();
        this.tokenByClient = throttled(registry, "token", "client");
        this.tokenByAddress = throttled(registry, "token", "address");
        this.bearerByAddress = throttled(registry, "bearer", "address");
    }

    private static Counter throttled(MeterRegistry registry, String check, String limit) {
        return Counter.builder("openplus_auth_throttled")
                .description("Requests refused with 429 after too many failed credentials, by check and limit")
                .tag("check", check).tag("limit", limit).register(registry);
    }

    /**
     * The caller's address: the connection's peer, or the last entry of the header a trusted proxy sets
     * ({@code OPENPLUS_CLIENT_ADDRESS_HEADER}; the last entry is the one the proxy appended itself).
     */
    String sourceAddress(String peerAddress, UnaryOperator<String> header) {
        if (addressHeader != null) {
            String value = header.apply(addressHeader);
            if (value != null && !value.isBlank()) {
                String last = value.substring(value.lastIndexOf(',') + 1).trim();
                if (!last.isEmpty()) {
                    return last;
                }
            }
        }
        return peerAddress == null ? "unknown" : peerAddress;
    }

    /** Refuses a token request whose client id or address has failed too often. */
    void checkToken(String clientId, String address) {
        long byClient = clients.retryAfterSeconds(clientId);
        if (byClient > 0) {
            tokenByClient.increment();
            throw ApiException.tooManyRequests("too many failed token requests for this client_id; retry after "
                    + byClient + " s", byClient);
        }
        long byAddress = addresses.retryAfterSeconds(address);
        if (byAddress > 0) {
            tokenByAddress.increment();
            throw ApiException.tooManyRequests("too many failed authentication attempts from this address; retry after "
                    + byAddress + " s", byAddress);
        }
    }

    void tokenFailed(String clientId, String address) {
        clients.fail(clientId);
        addresses.fail(address);
    }

    /** Refuses to look up a bearer token (a transaction) for an address that has failed too often. */
    void checkBearer(String address) {
        long byAddress = addresses.retryAfterSeconds(address);
        if (byAddress > 0) {
            bearerByAddress.increment();
            throw ApiException.tooManyRequests("too many failed authentication attempts from this address; retry after "
                    + byAddress + " s", byAddress);
        }
    }

    void bearerFailed(String address) {
        addresses.fail(address);
    }
}
