package dev.openplus.jsonapi;

/** The error codes on the wire: the reference's seven plus the HTTP-level ones OpenPlus adds (DESIGN §4). */
public enum ErrorCode {
    Forbidden(403, "Forbidden"),
    InvalidParameter(409, "Invalid query parameter"),
    InvalidBodyParameter(409, "Invalid body parameter"),
    ResourceNotFound(404, "Resource not found"),
    Unauthorized(401, "Unauthorized"),
    InvalidCredentials(401, "Invalid credentials"),
    InvalidGrantType(409, "Invalid grant type"),
    MethodNotAllowed(405, "Method not allowed"),
    NotAcceptable(406, "Not acceptable"),
    UnsupportedMediaType(415, "Unsupported media type"),
    PayloadTooLarge(413, "Payload too large"),
    TooManyRequests(429, "Too many requests"),
    InternalError(500, "Internal error"),
    BadRequest(400, "Bad request"),
    RequestTimeout(408, "Request timeout"),
    UriTooLong(414, "URI too long"),
    HeaderFieldsTooLarge(431, "Request header fields too large"),
    /** A change-feed cursor older than the retention period: the changes after it were pruned. */
    ChangeCursorExpired(410, "Change cursor expired"),
    /**
     * The database cannot be reached now, or a write lost a conflict with a concurrent transaction (sent with
     * Retry-After): the request may be sent again unchanged.
     */
    ServiceUnavailable(503, "Service unavailable");

    private final int status;
    private final String title;

    ErrorCode(int status, String title) {
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }
}
