package dev.openplus.http;

import java.util.Locale;

import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.jsonapi.ErrorCode;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

/**
 * JSON:API media-type rules (DESIGN §4): bodies in {@code application/vnd.api+json} (no parameters) or
 * {@code application/json}; an Accept listing only parameterised JSON:API media types cannot be served.
 */
final class ContentNegotiation {
    private static final String JSON_API = "application/vnd.api+json";

    private ContentNegotiation() {
    }

    /** @param accept the request's {@code Accept} header, or null */
    static void checkAccept(String accept) {
        if (accept == null || accept.isBlank()) {
            return;
        }
        boolean onlyParameterisedJsonApi = true;
        for (String range : accept.split(",")) {
            String[] parts = range.split(";", -1);
            String mediaType = parts[0].trim().toLowerCase(Locale.ROOT);
            boolean parameterised = false;
            for (int i = 1; i < parts.length; i++) {
                // A quality value is not a media-type parameter.
                if (!parts[i].trim().toLowerCase(Locale.ROOT).startsWith("q=")) {
                    parameterised = true;
                }
            }
            if (!mediaType.equals(JSON_API) || !parameterised) {
                onlyParameterisedJsonApi = false;
            }
        }
        if (onlyParameterisedJsonApi) {
            throw new ApiException(new ApiError(ErrorCode.NotAcceptable,
                    "the Accept header lists only JSON:API media types with parameters; send Accept: " + JSON_API));
        }
    }

    static void checkContentType(Context ctx) {
        HandlerType method = ctx.method();
        if (method != HandlerType.POST && method != HandlerType.PATCH && method != HandlerType.PUT) {
            return;
        }
        String contentType = ctx.header("Content-Type");
        if (contentType == null || contentType.isBlank()) {
            throw unsupported("a request body needs Content-Type: " + JSON_API);
        }
        String[] parts = contentType.split(";", -1);
        String mediaType = parts[0].trim().toLowerCase(Locale.ROOT);
        if (mediaType.equals(JSON_API)) {
            if (parts.length > 1) {
                throw unsupported("Content-Type " + JSON_API + " must not carry media-type parameters");
            }
            return;
        }
        if (mediaType.isEmpty()) {
            throw unsupported("the Content-Type names no media type; send Content-Type: " + JSON_API);
        }
        if (!mediaType.equals("application/json")) {
            throw unsupported("Content-Type must be " + JSON_API + " (or application/json), not " + mediaType);
        }
    }

    private static ApiException unsupported(String detail) {
        return new ApiException(new ApiError(ErrorCode.UnsupportedMediaType, detail));
    }
}
