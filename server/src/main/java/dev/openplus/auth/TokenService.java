package dev.openplus.auth;

import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import dev.openplus.config.Config;
import dev.openplus.db.Database;
import dev.openplus.db.Ids;
import dev.openplus.jsonapi.ApiException;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Issues, refreshes and checks OAuth 2.0 tokens (DESIGN §5), throttling failed credentials (DESIGN §5a,
 * {@link AuthThrottle}) and hashing secrets on a bounded executor ({@link SecretHasher}).
 *
 * <p>Token checks stay off the database hot path: a checked access token is cached in memory for a short
 * time, and every revocation (client revoked by the admin CLI in any process, refresh-token reuse) evicts the
 * affected entries through {@link #evictClient} / {@link #evictFamily}, called directly or by the
 * {@link RevocationListener}. A verified client secret is remembered as its SHA-256 for the same reason: the
 * stored PBKDF2 hash is deliberately slow.
 */
public final class TokenService implements AutoCloseable {
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
    private final AuthThrottle throttle;
    private final SecretHasher hasher;
    /** Advanced by every eviction, before it removes anything (see {@link #evictClient}). */
    private final AtomicLong revocations = new AtomicLong();

    private record CachedToken(Principal principal, long accessExpiresAtMillis, long cachedUntilNanos) {
    }

    /** A newly issued pair; the plain tokens exist only in this answer. */
    public record IssuedToken(String id, String accessToken, String refreshToken, long expiresIn,
            ClientRepository.Client client) {
    }

    public TokenService(Database database, Duration accessTtl, Duration refreshTtl, Config.AuthLimits limits,
            MeterRegistry metrics) {
        this.database = database;
        this.metrics = new TokenMetrics(metrics);
        this.accessTtl = accessTtl;
        this.refreshTtl = refreshTtl;
        this.throttle = new AuthThrottle(limits, metrics, System::nanoTime);
        this.hasher = new SecretHasher(limits.hashThreads(), limits.hashQueue(), metrics);
    }

    /** The caller's address as the throttle counts it: the peer, or the trusted proxy's header. */
    public String sourceAddress(String peerAddress, UnaryOperator<String> header) {
        return throttle.sourceAddress(peerAddress, header);
    }

    /** @param address the caller's address ({@link #sourceAddress}), for throttling failures */
    public IssuedToken clientCredentials(String clientId, String clientSecret, String address) {
        IssuedToken issued;
        try {
            verifySecret(clientId, clientSecret, address);
            issued = database.transaction(dsl -> issue(dsl, activeClient(dsl, clientId), Ids.newId()));
        } catch (ApiException e) {
            if (e.status() == 401) {
                metrics.count(TokenMetrics.CLIENT_CREDENTIALS, TokenMetrics.INVALID_CLIENT);
            }
            throw e;
        }
        metrics.count(TokenMetrics.CLIENT_CREDENTIALS, TokenMetrics.ISSUED);
        return issued;
    }

    /** Outcome of a refresh attempt, decided inside the transaction and acted on after it commits. */
    private record RefreshOutcome(IssuedToken issued, String failure, String reason, String revokedFamily) {
    }

    /** @param clientSecret null for a client that refreshes without authenticating (a public client) */
    public IssuedToken refresh(String clientId, String clientSecret, String refreshToken, String address) {
        RefreshOutcome outcome;
        try {
            if (clientSecret != null) {
                verifySecret(clientId, clientSecret, address);
            } else {
                throttle.checkToken(clientId, address);
            }
            try {
                outcome = refreshInTransaction(clientId, refreshToken);
            } catch (ApiException e) {
                throttle.tokenFailed(clientId, address);
                throw e;
            }
        } catch (ApiException e) {
            if (e.status() == 401) {
                metrics.count(TokenMetrics.REFRESH_TOKEN, TokenMetrics.INVALID_CLIENT);
            }
            throw e;
        }
        if (outcome.revokedFamily() != null) {
            evictFamily(outcome.revokedFamily());
        }
        if (outcome.failure() != null) {
            throttle.tokenFailed(clientId, address);
            metrics.count(TokenMetrics.REFRESH_TOKEN, outcome.reason());
            throw ApiException.invalidCredentials(outcome.failure());
        }
        metrics.count(TokenMetrics.REFRESH_TOKEN, TokenMetrics.REFRESHED);
        return outcome.issued();
    }

    private RefreshOutcome refreshInTransaction(String clientId, String refreshToken) {
        return database.transaction(dsl -> {
            ClientRepository.Client client = activeClient(dsl, clientId);
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

    /**
     * Checks a client's secret, or answers 401 (or 429 when throttled or the hashing queue is full). It runs
     * outside any transaction: a hash must not hold a database connection. The caller's transaction checks
     * again that the client is active.
     *
     * <p>The secret this process last verified for the client is remembered as its SHA-256 (the PBKDF2 hash is
     * deliberately slow); presenting it again is proof enough and is never throttled ({@link AuthThrottle}).
     * Every other request does the same work whatever the case: one read of the client and one PBKDF2 hash,
     * against the client's stored hash, or a dummy one for an unknown client, so that neither the time taken
     * nor the answer tells an unknown client from a revoked one or a wrong secret.
     */
    private void verifySecret(String clientId, String secret, String address) {
        byte[] presented = Secrets.sha256(secret);
        byte[] remembered = verifiedSecrets.get(clientId);
        if (remembered != null && MessageDigest.isEqual(remembered, presented)) {
            return;
        }
        throttle.checkToken(clientId, address);
        long generation = revocations.get();
        Optional<ClientRepository.Client> found = database.transaction(dsl -> clients.find(dsl, clientId));
        boolean matches = hasher.verify(secret, found.map(ClientRepository.Client::secretHash).orElse(DUMMY_HASH));
        if (!matches || found.isEmpty() || found.get().revoked()) {
            throttle.tokenFailed(clientId, address);
            throw ApiException.invalidCredentials(BAD_CLIENT);
        }
        verifiedSecrets.put(clientId, presented);
        if (revocations.get() != generation) {
            verifiedSecrets.remove(clientId, presented); // as in authenticate: a revocation wins the race
        }
    }

    /** Hashed in place of an unknown client's: same algorithm, same iterations, matching nothing presented. */
    private static final String DUMMY_HASH = Secrets.hashSecret(Secrets.newToken());

    /**
     * The principal of a bearer token, or 401. The cache is keyed by the token itself: hashing it on every
     * request cost a tenth of a fetch. Only the database needs the hash (tokens are stored as SHA-256), so it is
     * computed on a miss; the plain token is in this process's memory for each request anyway, and a cached
     * one for at most {@link #CACHE_TTL}. A token not in the cache costs a transaction, so failed ones are
     * throttled per source address; {@code address} is asked for only then.
     */
    public Principal authenticate(String accessToken, Supplier<String> address) {
        CachedToken cached = cache.get(accessToken);
        long now = System.nanoTime();
        if (cached == null || cached.cachedUntilNanos() - now < 0) {
            throttle.checkBearer(address.get());
            long generation = revocations.get();
            byte[] hash = Secrets.sha256(accessToken);
            cached = database.dsl().transactionResult(configuration ->
                    TokenRepository.findActive(configuration.dsl(), hash)
                            .map(token -> new CachedToken(new Principal(token.client().clientId(),
                                    token.client().organizationId(), token.client().groupScoped(),
                                    token.client().groupIds(), token.id(), token.familyId()),
                                    token.accessExpiresAt().toInstant().toEpochMilli(),
                                    System.nanoTime() + CACHE_TTL.toNanos()))
                            .orElse(null));
            afterTokenRead.run();
            if (cached == null) {
                cache.remove(accessToken);
                throttle.bearerFailed(address.get());
                throw ApiException.unauthorized("the access token is not valid");
            }
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(accessToken, cached);
            if (revocations.get() != generation) {
                // A revocation evicted between our read and our put: what we read may be revoked, and the
                // eviction may have missed our entry. This request read before the revocation committed and may
                // be served; the next one reads again.
                cache.remove(accessToken, cached);
            }
        }
        if (cached.accessExpiresAtMillis() <= System.currentTimeMillis()) {
            cache.remove(accessToken);
            throw ApiException.unauthorized("the access token has expired; request a new one");
        }
        return cached.principal();
    }

    /** Runs between a cache miss's read and its caching; tests interleave a revocation there. */
    private volatile Runnable afterTokenRead = () -> {
    };

    void afterTokenRead(Runnable hook) {
        afterTokenRead = hook;
    }

    /*
     * Revocation wins every race in this process: each eviction first advances the revocation generation, then
     * removes. A cache miss notes the generation before its read and checks it after its put. Either its check
     * sees the advance (and it removes its own entry), or its put came before the advance and so before the
     * removal, which then sees the entry. A read that starts after the advance sees the committed revocation
     * (evictions run only after the revoking transaction committed).
     */
    public void evictClient(String clientId) {
        revocations.incrementAndGet();
        verifiedSecrets.remove(clientId);
        cache.values().removeIf(entry -> entry.principal().clientId().equals(clientId));
    }

    public void evictFamily(String familyId) {
        revocations.incrementAndGet();
        cache.values().removeIf(entry -> entry.principal().familyId().equals(familyId));
    }

    /** After a lost notification connection nothing cached can be trusted. */
    public void evictAll() {
        revocations.incrementAndGet();
        cache.clear();
        verifiedSecrets.clear();
    }

    @Override
    public void close() {
        hasher.close();
    }
}
