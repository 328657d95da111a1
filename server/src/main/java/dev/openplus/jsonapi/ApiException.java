package dev.openplus.jsonapi;

import java.util.List;

/** A request that cannot be served as asked; rendered as a JSON:API error document, never as a stack trace. */
public class ApiException extends RuntimeException {
    private final List<ApiError> errors;
    private final long retryAfterSeconds;

    public ApiException(List<ApiError> errors) {
        this(errors, 0);
    }

    private ApiException(List<ApiError> errors, long retryAfterSeconds) {
        super(errors.isEmpty() ? "error" : errors.get(0).detail(), null, false, false);
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("an ApiException needs at least one error");
        }
        this.errors = List.copyOf(errors);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public ApiException(ApiError error) {
        this(List.of(error));
    }

    public List<ApiError> errors() {
        return errors;
    }

    /** The response status: shared by all errors, or the first error's when they differ. */
    public int status() {
        return errors.get(0).status();
    }

    public static ApiException invalidParameter(String parameter, String detail) {
        return new ApiException(ApiError.parameter(parameter, detail));
    }

    public static ApiException invalidBody(String pointer, String detail) {
        return new ApiException(ApiError.pointer(pointer, detail));
    }

    public static ApiException notFound(String type, String id) {
        return new ApiException(new ApiError(ErrorCode.ResourceNotFound, "no " + type + " with id '" + id + "'"));
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(new ApiError(ErrorCode.Forbidden, detail));
    }

    public static ApiException forbiddenPointer(String pointer, String detail) {
        return new ApiException(new ApiError(ErrorCode.Forbidden.status(), ErrorCode.Forbidden, detail, pointer, null));
    }

    public static ApiException unauthorized(String detail) {
        return new ApiException(new ApiError(ErrorCode.Unauthorized, detail));
    }

    /** 429 {@code TooManyRequests}, answered with a {@code Retry-After} header of that many seconds (at least 1). */
    public static ApiException tooManyRequests(String detail, long retryAfterSeconds) {
        return new ApiException(List.of(new ApiError(ErrorCode.TooManyRequests, detail)), Math.max(1, retryAfterSeconds));
    }

    /** Seconds for a {@code Retry-After} header, or 0 for none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static ApiException invalidCredentials(String detail) {
        return new ApiException(new ApiError(ErrorCode.InvalidCredentials, detail));
    }

    /** Collects problems so that one response reports all of them. */
    public static final class Collector {
        private final java.util.ArrayList<ApiError> errors = new java.util.ArrayList<>();

        public void add(ApiError error) {
            errors.add(error);
        }

        public void addAll(List<ApiError> more) {
            errors.addAll(more);
        }

        public int size() {
            return errors.size();
        }

        public boolean isEmpty() {
            return errors.isEmpty();
        }

        public void throwIfAny() {
            if (!errors.isEmpty()) {
                throw new ApiException(errors);
            }
        }
    }
}
