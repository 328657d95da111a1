package dev.openplus.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.ErrorCode;

/**
 * Reads a request's whole body before the request is handed on, without a thread while it arrives, and within a
 * deadline (DESIGN §5a). The handlers behind read bodies with blocking calls, each on one of the few request
 * threads, and every byte that arrives restarts Jetty's idle timeout: a handful of connections trickling a byte
 * every few seconds held every request thread, and every request, {@code /health} included, waited. Here the body
 * is collected on Jetty's demand callbacks; the request reaches a request thread only once it is complete, so the
 * threads only ever wait on the database.
 *
 * <p>The deadline: a body may take {@code timeout}, plus one second for every {@code minRate} bytes that have
 * arrived. A body that falls behind is answered 408 {@code RequestTimeout} and its connection closed. A chunked
 * body that grows past the size limit is answered 413 {@code PayloadTooLarge} there; a malformed one (a broken
 * chunked encoding) 400 {@code BadRequest}.
 */
final class BodyReading extends Handler.Wrapper {
    private static final Logger LOG = LoggerFactory.getLogger(BodyReading.class);
    /** The first buffer of a body of unknown (or claimed) length: a header alone must not reserve megabytes. */
    private static final int FIRST_BUFFER = 16 * 1024;

    private final long maxBodyBytes;
    private final long timeoutNanos;
    private final long minRate;
    private final RequestLog requestLog;

    BodyReading(Handler handler, long maxBodyBytes, Duration timeout, int minRate, RequestLog requestLog) {
        super(handler);
        this.maxBodyBytes = maxBodyBytes;
        this.timeoutNanos = timeout.toNanos();
        this.minRate = minRate;
        this.requestLog = requestLog;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long length = request.getLength();
        if (length == 0 || length < 0 && !request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)
                || length > maxBodyBytes) {
            // No body; or one announced too large, which Javalin answers 413 from its Content-Length without
            // reading it (answered here and closed, the client still sending it would see a reset, not the 413).
            return super.handle(request, response, callback);
        }
        new Body(request, response, callback).start(length);
        return true;
    }

    /** One body being collected; settled once: handed on, or answered with an error. */
    private final class Body implements Runnable {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final long start = System.nanoTime();
        private final AtomicBoolean settled = new AtomicBoolean();
        private final Scheduler scheduler;
        private byte[] bytes;
        private int size;
        /** What has arrived, for the timer's thread. */
        private volatile long received;
        private volatile Scheduler.Task timer;

        Body(Request request, Response response, Callback callback) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.scheduler = request.getComponents().getScheduler();
        }

        void start(long length) {
            bytes = new byte[(int) Math.min(length < 0 ? FIRST_BUFFER : length, FIRST_BUFFER)];
            arm();
            run();
        }

        /** Reads what has arrived; asks to be called again when more does. Jetty never runs it twice at once. */
        @Override
        public void run() {
            while (!settled.get()) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    failed(chunk.getFailure());
                    return;
                }
                boolean last = chunk.isLast();
                boolean fits;
                try {
                    fits = append(chunk.getByteBuffer());
                } finally {
                    chunk.release();
                }
                if (!fits) {
                    answer(413, ErrorCode.PayloadTooLarge, "the request body is larger than the server accepts");
                    return;
                }
                if (last) {
                    if (settle()) {
                        handOn();
                    }
                    return;
                }
            }
        }

        private boolean append(ByteBuffer buffer) {
            int n = buffer.remaining();
            if (size + (long) n > maxBodyBytes) {
                return false;
            }
            if (size + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(maxBodyBytes, Math.max(size + n, 2L * bytes.length)));
            }
            buffer.get(bytes, size, n);
            size += n;
            received = size;
            return true;
        }

        /** The complete body goes on, on a request thread: the handlers may block, a demand callback may not. */
        private void handOn() {
            Request complete = new CompleteBody(request, Content.Chunk.from(ByteBuffer.wrap(bytes, 0, size), true));
            request.getContext().execute(() -> {
                try {
                    if (!BodyReading.super.handle(complete, response, callback)) {
                        Response.writeError(complete, response, callback, 404);
                    }
                } catch (Throwable e) {
                    Response.writeError(complete, response, callback, e);
                }
            });
        }

        private void failed(Throwable failure) {
            if (failure instanceof HttpException http) {
                answer(http.getCode(), ErrorAnswers.codeFor(http.getCode()), http.getReason() == null
                        ? "the request body is malformed" : http.getReason());
            } else if (failure instanceof TimeoutException) {
                // Jetty's idle timeout: nothing arrived for a while.
                answer(408, ErrorCode.RequestTimeout, "the request body stopped arriving");
            } else if (settle()) {
                // The client went away: there is no one left to answer.
                LOG.debug("a request body could not be read", failure);
                callback.failed(failure instanceof IOException ? failure : new IOException(failure));
            }
        }

        /** When the body must be complete, given what has arrived: {@code timeout} plus a second per minRate bytes. */
        private long deadline() {
            return start + timeoutNanos + received * TimeUnit.SECONDS.toNanos(1) / minRate;
        }

        private void arm() {
            timer = scheduler.schedule(this::check, Math.max(0, deadline() - System.nanoTime()), TimeUnit.NANOSECONDS);
        }

        private void check() {
            if (settled.get()) {
                return;
            }
            if (System.nanoTime() - deadline() >= 0) {
                answer(408, ErrorCode.RequestTimeout, "the request body arrived too slowly");
            } else {
                arm(); // bytes came meanwhile and moved the deadline
            }
        }

        private boolean settle() {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            Scheduler.Task pending = timer;
            if (pending != null) {
                pending.cancel();
            }
            return true;
        }

        /** Answers without handing the request on; the connection closes, the body's rest unread. */
        void answer(int status, ErrorCode code, String detail) {
            if (!settle()) {
                return;
            }
            ErrorAnswers.write(response, callback, new ApiError(status, code, detail, null, null), true);
            requestLog.record(request.getMethod(), "unmatched", status, null, response.getHeaders().get("X-Request-Id"),
                    (System.nanoTime() - start) / 1_000_000.0);
        }
    }

    /** The request with its body already read: one last chunk, always available. */
    private static final class CompleteBody extends Request.Wrapper {
        private Content.Chunk body;

        CompleteBody(Request request, Content.Chunk body) {
            super(request);
            this.body = body;
        }

        @Override
        public synchronized Content.Chunk read() {
            Content.Chunk chunk = body;
            body = Content.Chunk.EOF;
            return chunk;
        }

        @Override
        public void demand(Runnable demandCallback) {
            demandCallback.run();
        }

        @Override
        public void fail(Throwable failure) {
            // Nothing is left to read from the connection.
        }
    }
}
