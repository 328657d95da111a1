package dev.openplus.client;

import java.time.Duration;
import java.util.List;

/**
 * A request that failed: every error the server reported, its request id and status. Subclasses tell the status
 * family: {@link AuthenticationException} (401), {@link ForbiddenException} (403), {@link NotFoundException} (404),
 * {@link InvalidRequestException} (409 and the other 4xx; {@link ChangeCursorExpiredException} for an expired
 * change-feed cursor), {@link RateLimitException} (429),
 * {@link ServerException} (5xx), {@link ConnectionException} (no answer).
 */
public class OpenPlusException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The HTTP status (0 when no answer came). */
    private final int status;
    private final transient List<ApiError> errors;
    /** The answer's request id, or null. */
    private final String requestId;
    private final transient Duration retryAfter;

    /**
     * An exception for an answer.
     *
     * @param status     the HTTP status (0 when no answer came)
     * @param errors     the errors the server reported
     * @param requestId  the answer's {@code meta.req_id} (or {@code X-Request-Id}), or null
     * @param retryAfter the answer's {@code Retry-After}, or null
     * @param message    the message
     * @param cause      the cause, or null
     */
    public OpenPlusException(int status, List<ApiError> errors, String requestId, Duration retryAfter, String message,
            Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errors = List.copyOf(errors);
        this.requestId = requestId;
        this.retryAfter = retryAfter;
    }

    /**
     * The HTTP status.
     *
     * @return the status, or 0 when no answer came
     */
    public int status() {
        return status;
    }

    /**
     * Every error of the answer, in the server's order.
     *
     * @return the errors (empty when no answer came)
     */
    public List<ApiError> errors() {
        return errors;
    }

    /**
     * The first error's code.
     *
     * @return the code, or null
     */
    public String code() {
        return errors.isEmpty() ? null : errors.get(0).code();
    }

    /**
     * The request id to quote when reporting the failure.
     *
     * @return the answer's {@code meta.req_id}, or null
     */
    public String requestId() {
        return requestId;
    }

    /**
     * How long the server asked to wait before sending the request again.
     *
     * @return the {@code Retry-After} duration, or null
     */
    public Duration retryAfter() {
        return retryAfter;
    }

    static OpenPlusException of(int status, List<ApiError> errors, String requestId, Duration retryAfter,
            String method, String path) {
        StringBuilder message = new StringBuilder(method).append(' ').append(path).append(" answered ").append(status);
        for (ApiError error : errors) {
            message.append("; ").append(error.code()).append(": ").append(error.detail());
            if (error.pointer() != null) {
                message.append(" (at ").append(error.pointer()).append(')');
            }
            if (error.parameter() != null) {
                message.append(" (parameter ").append(error.parameter()).append(')');
            }
        }
        if (requestId != null) {
            message.append(" [req_id ").append(requestId).append(']');
        }
        String text = message.toString();
        return switch (status) {
            case 401 -> new AuthenticationException(status, errors, requestId, retryAfter, text);
            case 403 -> new ForbiddenException(status, errors, requestId, retryAfter, text);
            case 404 -> new NotFoundException(status, errors, requestId, retryAfter, text);
            case 429 -> new RateLimitException(status, errors, requestId, retryAfter, text);
            case 410 -> errors.stream().anyMatch(error -> "ChangeCursorExpired".equals(error.code()))
                    ? new ChangeCursorExpiredException(status, errors, requestId, retryAfter, text)
                    : new InvalidRequestException(status, errors, requestId, retryAfter, text);
            default -> status >= 500 ? new ServerException(status, errors, requestId, retryAfter, text)
                    : new InvalidRequestException(status, errors, requestId, retryAfter, text);
        };
    }
}
