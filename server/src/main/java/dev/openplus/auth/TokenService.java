package dev.openplus.auth;

import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.openplus.db.Database;
import dev.openplus.db.Ids;
import dev.openplus.jsonapi.ApiException;

/**
 * Issues, refreshes and checks OAuth 2.0 tokens (DESIGN §5).
 *
 * <p>Token checks stay off the database hot path: a checked access token is cached in memory for a short
 * time, and every revocation (client revoked by the admin CLI in any process, refresh-token reuse) evicts the
 * affected entries through {@link #evictClient} / {@link #evictFamily}, called directly or by the
 * {@link RevocationListener}. A verified client secret is remembered as its SHA-256 for the same reason: the
 * stored PBKDF2 hash is deliberately slow.
 */
public final class TokenService {
    private static final Duration CACHE_TTL = Duration.ofSeconds(60);
    private static final int CACHE_LIMIT = 100_000;
    /** The one answer for an unknown client, a revoked client and a wrong secret: none reveals which. */
    public static final String BAD_CLIENT = "unknown client or wrong secret";

    private final Database database;
    private final ClientRepository clients = new ClientRepository();
    private final Duration accessTtl;
    private final Duration refreshTtl;
    private final Map<String, CachedToken> cache = new ConcurrentHashMap<>();
    private final Map<String, byte[]> verifiedSecrets = new ConcurrentHashMap<>();
    private final TokenMetrics metrics;

    private record CachedToken(Principal principal, long accessExpiresAtMillis, long cachedUntilNanos) {
    }

    /** A newly issued pair; the plain tokens exist only in this answer. */
    public record IssuedToken(String id, String accessToken, String refreshToken, long expiresIn,
            ClientRepository.Client client) {
    }

    public TokenService(Database database, Duration accessTtl, Duration refreshTtl,
            io.micrometer.core.instrument.MeterRegistry metrics) {
        this.database = database;
        this.metrics = new TokenMetrics(metrics);
        this.accessTtl = accessTtl;
        this.refreshTtl = refreshTtl;
    }

    public IssuedToken clientCredentials(String clientId, String clientSecret) {
        IssuedToken issued;
        try {
            issued = database.transaction(dsl -> {
                ClientRepository.Client client = authenticateClient(dsl, clientId, clientSecret);
                return issue(dsl, client, Ids.newId());
            });
        } catch (ApiException e) {
            metrics.count(TokenMetrics.CLIENT_CREDENTIALS, TokenMetrics.INVALID_CLIENT);
            throw e;
        }
        metrics.count(TokenMetrics.CLIENT_CREDENTIALS, TokenMetrics.ISSUED);
        return issued;
    }

    /** Outcome of a refresh attempt, decided inside the transaction and acted on after it commits. */
    private record RefreshOutcome(IssuedToken issued, String failure, String reason, String revokedFamily) {
    }

    public IssuedToken refresh(String clientId, String clientSecret, String refreshToken) {
        RefreshOutcome outcome;
        try {
            outcome = refreshInTransaction(clientId, clientSecret, refreshToken);
        } catch (ApiException e) {
            metrics.count(TokenMetrics.REFRESH_TOKEN, TokenMetrics.INVALID_CLIENT);
            throw e;
        }
        if (outcome.revokedFamily() != null) {
            evictFamily(outcome.revokedFamily());
        }
        if (outcome.failure() != null) {
            metrics.count(TokenMetrics.REFRESH_TOKEN, outcome.reason());
            throw ApiException.invalidCredentials(outcome.failure());
        }
        metrics.count(TokenMetrics.REFRESH_TOKEN, TokenMetrics.REFRESHED);
        return outcome.issued();
    }

    private RefreshOutcome refreshInTransaction(String clientId, String clientSecret, String refreshToken) {
        return database.transaction(dsl -> {
            ClientRepository.Client client = clientSecret == null
                    ? activeClient(dsl, clientId)
                    : authenticateClient(dsl, clientId, clientSecret);
            Optional<TokenRepository.RefreshCandidate> found =
                    TokenRepository.lockByRefreshHash(dsl, Secrets.sha256(refreshToken));
            if (found.isEmpty() || !found.get().clientId().equals(client.clientId())) {
                return new RefreshOutcome(null, "unknown refresh token", TokenMetrics.UNKNOWN_REFRESH_TOKEN, null);
            }
            TokenRepository.RefreshCandidate candidate = found.get();
            if (candidate.revoked()) {
                return new RefreshOutcome(null, "the refresh token has been revoked", TokenMetrics.REVOKED_REFRESH_TOKEN,
                        null);
            }
            if (candidate.alreadyUsed()) {
                // A retired refresh token presented again: someone else may hold a copy. Revoke the family.
                TokenRepository.revokeFamily(dsl, candidate.familyId());
                return new RefreshOutcome(null,
                        "the refresh token was already used; every token issued from it is now revoked",
                        TokenMetrics.REUSED_REFRESH_TOKEN, candidate.familyId());
            }
            if (candidate.refreshExpiresAt().isBefore(OffsetDateTime.now(ZoneOffset.UTC))) {
                return new RefreshOutcome(null, "the refresh token has expired", TokenMetrics.EXPIRED_REFRESH_TOKEN, null);
            }
            TokenRepository.markRefreshed(dsl, candidate.id());
            return new RefreshOutcome(issue(dsl, client, candidate.familyId()), null, null, null);
        });
    }

    private IssuedToken issue(org.jooq.DSLContext dsl, ClientRepository.Client client, String familyId) {
        String id = Ids.newId();
        String access = Secrets.newToken();
        String refresh = Secrets.newToken();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        TokenRepository.insert(dsl, id, client.clientId(), familyId, Secrets.sha256(access), Secrets.sha256(refresh),
                now.plus(accessTtl), now.plus(refreshTtl));
        return new IssuedToken(id, access, refresh, accessTtl.toSeconds(), client);
    }

    private ClientRepository.Client activeClient(org.jooq.DSLContext dsl, String clientId) {
        ClientRepository.Client client = clients.find(dsl, clientId)
                .orElseThrow(() -> ApiException.invalidCredentials(BAD_CLIENT));
        if (client.revoked()) {
            throw ApiException.invalidCredentials(BAD_CLIENT);
        }
        return client;
    }

    private ClientRepository.Client authenticateClient(org.jooq.DSLContext dsl, String clientId, String secret) {
        ClientRepository.Client client = activeClient(dsl, clientId);
        byte[] presented = Secrets.sha256(secret);
        byte[] remembered = verifiedSecrets.get(clientId);
        if (remembered != null && MessageDigest.isEqual(remembered, presented)) {
            return client;
        }
        if (!Secrets.verifySecret(secret, client.secretHash())) {
            throw ApiException.invalidCredentials(BAD_CLIENT);
        }
        verifiedSecrets.put(clientId, presented);
        return client;
    }

    /**
     * The principal of a bearer token, or 401. The cache is keyed by the token itself: hashing it on every
     * request cost a tenth of a fetch. Only the database needs the hash (tokens are stored as SHA-256), so it is
     * computed on a miss; the plain token is in this process's memory for each request anyway, and a cached
     * one for at most {@link #CACHE_TTL}.
     */
    public Principal authenticate(String accessToken) {
        CachedToken cached = cache.get(accessToken);
        long now = System.nanoTime();
        if (cached == null || cached.cachedUntilNanos() - now < 0) {
            byte[] hash = Secrets.sha256(accessToken);
            cached = database.dsl().transactionResult(configuration ->
                    TokenRepository.findActive(configuration.dsl(), hash)
                            .map(token -> new CachedToken(new Principal(token.client().clientId(),
                                    token.client().organizationId(), token.client().groupScoped(),
                                    token.client().groupIds(), token.id(), token.familyId()),
                                    token.accessExpiresAt().toInstant().toEpochMilli(),
                                    System.nanoTime() + CACHE_TTL.toNanos()))
                            .orElse(null));
            if (cached == null) {
                cache.remove(accessToken);
                throw ApiException.unauthorized("the access token is not valid");
            }
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(accessToken, cached);
        }
        if (cached.accessExpiresAtMillis() <= System.currentTimeMillis()) {
            cache.remove(accessToken);
            throw ApiException.unauthorized("the access token has expired; request a new one");
        }
        return cached.principal();
    }

    public void evictClient(String clientId) {
        verifiedSecrets.remove(clientId);
        cache.values().removeIf(entry -> entry.principal().clientId().equals(clientId));
    }

    public void evictFamily(String familyId) {
        cache.values().removeIf(entry -> entry.principal().familyId().equals(familyId));
    }

    /** After a lost notification connection nothing cached can be trusted. */
    public void evictAll() {
        cache.clear();
        verifiedSecrets.clear();
    }
}
