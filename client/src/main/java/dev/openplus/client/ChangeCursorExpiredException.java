package dev.openplus.client;

import java.time.Duration;
import java.util.List;

/**
 * 410 {@code ChangeCursorExpired}: the changes after a stored change-feed cursor were pruned (they are older than the
 * server's retention). Nothing after the cursor can be read any more: copy the lists again and follow the feed from
 * a fresh cursor (docs/api.md, "Sync recipe").
 */
public class ChangeCursorExpiredException extends InvalidRequestException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception for an answer.
     *
     * @param status     the HTTP status (410)
     * @param errors     the errors the server reported
     * @param requestId  the answer's request id, or null
     * @param retryAfter the answer's {@code Retry-After}, or null
     * @param message    the message
     */
    public ChangeCursorExpiredException(int status, List<ApiError> errors, String requestId, Duration retryAfter,
            String message) {
        super(status, errors, requestId, retryAfter, message);
    }
}
