package dev.openplus.http;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.openplus.auth.Principal;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What every answered request leaves behind, whichever handler answered it: its {@code http_server_requests}
 * timer and its line in the {@code openplus.access} log.
 */
final class RequestLog {
    private static final Logger ACCESS = LoggerFactory.getLogger("openplus.access");

    private final RequestTimers timers;

    RequestLog(MeterRegistry metrics) {
        this.timers = new RequestTimers(metrics);
    }

    /** @param route the route template ({@code /pub/patient/{id}}), or {@code unmatched} */
    void record(String method, String route, int status, Principal principal, String reqId, double millis) {
        timers.get(method, route, status).record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS);
        if (ACCESS.isInfoEnabled()) {
            ACCESS.info("req_id={} client={} method={} route={} status={} duration_ms={}",
                    reqId, principal == null ? "-" : principal.clientId(), method, route,
                    status, String.format(Locale.ROOT, "%.1f", millis));
        }
    }
}
