package dev.openplus.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which methods each route answers, from the application's route table ("METHOD /path/{id}" entries): lets
 * a wrong method be told apart from an unknown route before the body's media type is looked at, and gives a
 * 405 its {@code Allow} header. {@code HEAD} is answered wherever {@code GET} is.
 */
final class RouteMethods {
    /** The order methods are listed in an Allow header. */
    private static final List<String> ORDER = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private static final java.util.Comparator<String> ALLOW_ORDER = java.util.Comparator
            .<String>comparingInt(method -> ORDER.contains(method) ? ORDER.indexOf(method) : ORDER.size())
            .thenComparing(java.util.Comparator.naturalOrder());

    private final List<String> table;
    /** Routes by their number of segments: a path is compared only with routes as long as it is. */
    private volatile List<List<Route>> routes;

    /** A route template split at '/': null stands for a {name} segment. */
    private record Route(String[] segments, Set<String> methods) {
        /** Each {name} matches one non-empty segment, the rest literally (the path has as many segments). */
        boolean matches(String path) {
            int start = 1;
            for (String literal : segments) {
                int end = path.indexOf('/', start);
                if (end < 0) {
                    end = path.length();
                }
                if (literal == null ? end == start
                        : end - start != literal.length() || !path.regionMatches(start, literal, 0, literal.length())) {
                    return false;
                }
                start = end + 1;
            }
            return true;
        }
    }

    /** The table may still be filling while the server is configured; it is read at the first request. */
    RouteMethods(List<String> table) {
        this.table = table;
    }

    private List<List<Route>> routes() {
        List<List<Route>> compiled = routes;
        if (compiled == null) {
            Map<String, Set<String>> byPath = new LinkedHashMap<>();
            for (String entry : table) {
                int space = entry.indexOf(' ');
                byPath.computeIfAbsent(entry.substring(space + 1), path -> new TreeSet<>(ALLOW_ORDER))
                        .add(entry.substring(0, space));
            }
            compiled = new ArrayList<>();
            for (Map.Entry<String, Set<String>> route : byPath.entrySet()) {
                String[] segments = template(route.getKey());
                while (compiled.size() <= segments.length) {
                    compiled.add(new ArrayList<>());
                }
                compiled.get(segments.length).add(new Route(segments, route.getValue()));
            }
            routes = compiled;
        }
        return compiled;
    }

    /** The segments of a template ("/pub/patient/{id}"), with null for each {name}. */
    private static String[] template(String path) {
        String[] segments = path.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            if (segments[i].startsWith("{") && segments[i].endsWith("}")) {
                segments[i] = null;
            }
        }
        return segments;
    }

    /** The methods registered for the path, in Allow order; empty for an unknown path. */
    List<String> allowed(String path) {
        List<String> methods = new ArrayList<>(4);
        if (path.isEmpty() || path.charAt(0) != '/') {
            return methods;
        }
        int segments = 1;
        for (int i = 1; i < path.length(); i++) {
            if (path.charAt(i) == '/') {
                segments++;
            }
        }
        List<List<Route>> bySegments = routes();
        for (Route route : segments < bySegments.size() ? bySegments.get(segments) : List.<Route>of()) {
            if (route.matches(path)) {
                for (String method : route.methods()) {
                    if (!methods.contains(method)) {
                        methods.add(method);
                    }
                }
            }
        }
        methods.sort(ALLOW_ORDER);
        return methods;
    }

    static boolean permits(List<String> allowed, String method) {
        return allowed.contains(method) || method.equals("HEAD") && allowed.contains("GET");
    }
}
