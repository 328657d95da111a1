package dev.openplus.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.client.internal.Values;

/**
 * The client's access token: obtained with the client credentials, renewed with the refresh token shortly before
 * it expires (each refresh token is used once: the server rotates them and revokes a family whose retired token
 * comes back), and replaced when the server refuses it. One renewal at a time, whatever the number of threads.
 */
final class TokenManager {
    private final String clientId;
    private final String clientSecret;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private Transport transport;

    private volatile Token current;

    /** An access token, its refresh token and when to renew it. */
    private record Token(String accessToken, String refreshToken, Instant renewAt) {
    }

    TokenManager(String clientId, String clientSecret, Clock clock) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.clock = clock;
    }

    void attach(Transport transport) {
        this.transport = transport;
    }

    /** A token valid now (renewed first when it is about to expire). */
    String accessToken() {
        Token token = current;
        if (token != null && clock.instant().isBefore(token.renewAt())) {
            return token.accessToken();
        }
        lock.lock();
        try {
            token = current;
            if (token != null && clock.instant().isBefore(token.renewAt())) {
                return token.accessToken(); // another thread renewed it meanwhile
            }
            current = renew(token);
            return current.accessToken();
        } finally {
            lock.unlock();
        }
    }

    /** The server refused this token: the next call gets another (unless another thread replaced it already). */
    void invalidate(String accessToken) {
        lock.lock();
        try {
            Token token = current;
            if (token != null && token.accessToken().equals(accessToken)) {
                // Its refresh token may still be good (an access token that expired early by the server's clock).
                current = new Token(token.accessToken(), token.refreshToken(), Instant.MIN);
            }
        } finally {
            lock.unlock();
        }
    }

    private Token renew(Token old) {
        if (old != null && old.refreshToken() != null) {
            try {
                return grant(Map.of("grant_type", "refresh_token", "refresh_token", old.refreshToken(),
                        "client_id", clientId, "client_secret", clientSecret));
            } catch (AuthenticationException e) {
                // The refresh token expired or its family was revoked: start again from the client credentials.
            }
        }
        // InvalidCredentials here is thrown as it is: the same credentials would be refused again.
        return grant(Map.of("grant_type", "client_credentials", "client_id", clientId, "client_secret", clientSecret));
    }

    private Token grant(Map<String, String> attributes) {
        Instant asked = clock.instant();
        JsonNode body = Values.object(Map.of("data", Values.json(Map.of("type", "token", "attributes", attributes))));
        JsonNode answer = transport.sendUnauthenticated("POST", "/pub/oauth/token", body).path("data")
                .path("attributes");
        long expiresIn = answer.path("expires_in").asLong();
        // Renewed before it expires: a fifth of its life early, at most a minute (a token is 3600 s by default).
        Duration margin = Duration.ofMillis(Math.min(60_000, expiresIn * 1000 / 5));
        return new Token(answer.path("access_token").asText(), Values.string(answer.get("refresh_token")),
                asked.plusSeconds(expiresIn).minus(margin));
    }
}
