package dev.openplus.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A small HTTP proxy in front of the test server: forwards every request, except that queued faults answer the
 * next matching requests instead (a 429 with Retry-After, a 503, a 401 invalid_token). Records what it saw.
 */
final class FaultProxy implements AutoCloseable {
    /** An answer given instead of forwarding, to the next request whose "METHOD path" starts with the prefix. */
    record Fault(String prefix, int status, Map<String, String> headers, String body) {
    }

    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String target;
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    final List<String> seen = new CopyOnWriteArrayList<>();
    /** The body of each request, in the order of {@link #seen}. */
    final List<String> bodies = new CopyOnWriteArrayList<>();

    FaultProxy(String target) throws IOException {
        this.target = target;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void inject(String prefix, int status, Map<String, String> headers, String code) {
        faults.add(new Fault(prefix, status, headers, "{\"meta\":{\"req_id\":\"injected\"},\"errors\":[{\"status\":\""
                + status + "\",\"code\":\"" + code + "\",\"title\":\"injected\",\"detail\":\"injected by the test\"}]}"));
    }

    long count(String prefix) {
        return seen.stream().filter(line -> line.startsWith(prefix)).count();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String line = exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath();
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        bodies.add(new String(body, StandardCharsets.UTF_8));
        seen.add(line);
        for (Fault fault : faults) {
            if (line.startsWith(fault.prefix()) && faults.remove(fault)) {
                fault.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
                exchange.getResponseHeaders().add("Content-Type", "application/vnd.api+json");
                byte[] answer = fault.body().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(fault.status(), answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
                return;
            }
        }
        HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!List.of("host", "content-length", "connection", "upgrade", "expect")
                    .contains(name.toLowerCase(java.util.Locale.ROOT))) {
                values.forEach(value -> forward.header(name, value));
            }
        });
        try {
            HttpResponse<byte[]> response = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            response.headers().map().forEach((name, values) -> {
                if (!List.of("content-length", "transfer-encoding", "connection", ":status")
                        .contains(name.toLowerCase(java.util.Locale.ROOT))) {
                    values.forEach(value -> exchange.getResponseHeaders().add(name, value));
                }
            });
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
