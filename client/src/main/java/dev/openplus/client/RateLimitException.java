package dev.openplus.client;

import java.time.Duration;
import java.util.List;

/** 429 TooManyRequests: retried for idempotent requests after `Retry-After`; thrown when retries are exhausted or the request is not idempotent. */
public class RateLimitException extends OpenPlusException {
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
    public RateLimitException(int status, List<ApiError> errors, String requestId, Duration retryAfter, String message) {
        super(status, errors, requestId, retryAfter, message, null);
    }
}
