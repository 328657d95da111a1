package dev.openplus.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

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
    private volatile Map<Pattern, Set<String>> routes;

    /** The table may still be filling while the server is configured; it is read at the first request. */
    RouteMethods(List<String> table) {
        this.table = table;
    }

    private Map<Pattern, Set<String>> routes() {
        Map<Pattern, Set<String>> compiled = routes;
        if (compiled == null) {
            Map<String, Set<String>> byPath = new LinkedHashMap<>();
            for (String entry : table) {
                int space = entry.indexOf(' ');
                byPath.computeIfAbsent(entry.substring(space + 1), path -> new TreeSet<>(ALLOW_ORDER))
                        .add(entry.substring(0, space));
            }
            compiled = new LinkedHashMap<>();
            for (Map.Entry<String, Set<String>> route : byPath.entrySet()) {
                compiled.put(template(route.getKey()), route.getValue());
            }
            routes = compiled;
        }
        return compiled;
    }

    /** A route template as a pattern: each {name} stands for one non-empty path segment. */
    private static Pattern template(String path) {
        StringBuilder regex = new StringBuilder();
        for (String part : path.split("(?=\\{)|(?<=\\})")) {
            regex.append(part.startsWith("{") && part.endsWith("}") ? "[^/]+" : Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }

    /** The methods registered for the path, in Allow order; empty for an unknown path. */
    List<String> allowed(String path) {
        List<String> methods = new ArrayList<>();
        for (Map.Entry<Pattern, Set<String>> route : routes().entrySet()) {
            if (route.getKey().matcher(path).matches()) {
                for (String method : route.getValue()) {
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
