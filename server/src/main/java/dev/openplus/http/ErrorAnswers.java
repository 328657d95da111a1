package dev.openplus.http;

import java.nio.ByteBuffer;
import java.util.List;

import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.DocumentWriter;
import dev.openplus.jsonapi.ErrorCode;

/**
 * Error documents written on Jetty's own API, for what is answered before or outside Javalin: Jetty's own
 * rejections (a bad request line, a URI or headers too long) through {@link #errorHandler()}, and the body
 * reader's ({@link BodyReading}). The same JSON:API document as every other error, never Jetty's HTML page.
 */
final class ErrorAnswers {
    private ErrorAnswers() {
    }

    /** The server's error handler: called by Jetty for every error it answers itself. */
    static ErrorHandler errorHandler() {
        return new ErrorHandler() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                int status = response.getStatus();
                String detail = null;
                if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException http) {
                    // Jetty's reasons are short fixed phrases ("URI too long", "Request header too large").
                    status = http.getCode();
                    detail = http.getReason();
                }
                if (status < 400) {
                    status = 500;
                }
                ErrorCode code = codeFor(status);
                String text = detail == null ? code.title() : detail;
                ErrorAnswers.write(response, callback, new ApiError(status, code, text, null, null), false);
                return true;
            }
        };
    }

    static ErrorCode codeFor(int status) {
        return switch (status) {
            case 404 -> ErrorCode.ResourceNotFound;
            case 405 -> ErrorCode.MethodNotAllowed;
            case 408 -> ErrorCode.RequestTimeout;
            case 413 -> ErrorCode.PayloadTooLarge;
            case 414 -> ErrorCode.UriTooLong;
            case 415 -> ErrorCode.UnsupportedMediaType;
            case 431 -> ErrorCode.HeaderFieldsTooLarge;
            case 503 -> ErrorCode.ServiceUnavailable;
            default -> status < 500 ? ErrorCode.BadRequest : ErrorCode.InternalError;
        };
    }

    /**
     * Writes the error as the whole response; {@code close} ends the connection afterwards (a request whose body
     * was not read to its end leaves the connection in an unknown place).
     */
    static void write(Response response, Callback callback, ApiError error, boolean close) {
        String reqId = response.getHeaders().get("X-Request-Id");
        if (reqId == null) {
            reqId = RequestIds.next();
            response.getHeaders().put("X-Request-Id", reqId);
        }
        byte[] body = HttpServer.errorDocument(List.of(error), reqId);
        response.setStatus(error.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, DocumentWriter.MEDIA_TYPE);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.getHeaders().remove(HttpHeader.CACHE_CONTROL);
        if (close) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
