package dev.openplus.client;

import java.time.Duration;
import java.util.List;

/** 401 Unauthorized: no, a bad, revoked or expired token; or `InvalidCredentials` from the token endpoint (bad client credentials, never retried). */
public class AuthenticationException extends OpenPlusException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception for an answer.
     *
     * @param status     the HTTP status
     * @param errors     the errors the server reported
     * @param requestId  the answer's request id, or null
     * @param retryAfter the answer's {@code Retry-After}, or null
     * @param message    the message
     */
    public AuthenticationException(int status, List<ApiError> errors, String requestId, Duration retryAfter, String message) {
        super(status, errors, requestId, retryAfter, message, null);
    }
}
