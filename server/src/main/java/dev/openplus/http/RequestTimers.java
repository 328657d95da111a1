package dev.openplus.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The {@code http_server_requests} timer of each method, route template and status, found without building a
 * key string per request: the route is one of a bounded set of template strings, so a map per route holds
 * each (method, status) timer.
 */
final class RequestTimers {
    private record MethodStatus(String method, int status) {
    }

    private final MeterRegistry registry;
    private final Map<String, Map<MethodStatus, Timer>> byRoute = new ConcurrentHashMap<>();

    RequestTimers(MeterRegistry registry) {
        this.registry = registry;
    }

    Timer get(String method, String route, int status) {
        Map<MethodStatus, Timer> timers = byRoute.get(route);
        if (timers == null) {
            timers = byRoute.computeIfAbsent(route, r -> new ConcurrentHashMap<>());
        }
        MethodStatus key = new MethodStatus(method, status);
        Timer timer = timers.get(key);
        return timer != null ? timer : timers.computeIfAbsent(key, k -> Timer.builder("http_server_requests")
                        .description("HTTP requests by route, method and status")
                        .tag("method", method).tag("route", route).tag("status", Integer.toString(status))
                        .publishPercentileHistogram()
                        .register(registry));
    }
}
