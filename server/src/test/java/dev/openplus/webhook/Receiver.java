package dev.openplus.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/**
 * A webhook receiver on 127.0.0.1 (the JDK's HTTP server) that answers each request as {@code behaviour} says for
 * its number (1, 2, …), records every request, and verifies signatures as a receiver would (docs/api.md).
 * Public for the tests of other packages that follow a subscription (change/ChangeFeedAcrossRestoreTest).
 */
public final class Receiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How to answer one request: a status, after a delay (a delay past the server's timeout is not seen). */
    public record Answer(int status, long delayMillis) {
        public static Answer ok() {
            return new Answer(200, 0);
        }

        static Answer fail() {
            return new Answer(500, 0);
        }

        static Answer after(long millis) {
            return new Answer(200, millis);
        }
    }

    /** One request as it arrived, and how it was answered. */
    record Arrival(int number, String contentType, String signature, String deliveryHeader, String webhookHeader,
            byte[] body, JsonNode document, Answer answer) {
        List<Long> changeIds() {
            List<Long> ids = new ArrayList<>();
            document.get("data").forEach(change -> ids.add(Long.parseLong(change.get("id").asText())));
            return ids;
        }

        /** Whether the signature is {@code t=<seconds>,v1=<HMAC-SHA256 of "t.body">} with this secret. */
        boolean signedWith(String secret) throws Exception {
            Map<String, String> parts = new LinkedHashMap<>();
            for (String part : signature.split(",")) {
                String[] pair = part.split("=", 2);
                parts.put(pair[0], pair[1]);
            }
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((parts.get("t") + ".").getBytes(StandardCharsets.UTF_8));
            long age = System.currentTimeMillis() / 1000 - Long.parseLong(parts.get("t"));
            return java.security.MessageDigest.isEqual(HexFormat.of().formatHex(mac.doFinal(body))
                    .getBytes(StandardCharsets.US_ASCII), parts.get("v1").getBytes(StandardCharsets.US_ASCII))
                    && age >= 0 && age < 300;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Arrival> arrivals = new ArrayList<>();
    private volatile IntFunction<Answer> behaviour;

    public Receiver(IntFunction<Answer> behaviour) throws IOException {
        this.behaviour = behaviour;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Answer answer;
            synchronized (arrivals) {
                int number = arrivals.size() + 1;
                answer = this.behaviour.apply(number);
                arrivals.add(new Arrival(number, exchange.getRequestHeaders().getFirst("Content-Type"),
                        exchange.getRequestHeaders().getFirst("OpenPlus-Signature"),
                        exchange.getRequestHeaders().getFirst("OpenPlus-Delivery"),
                        exchange.getRequestHeaders().getFirst("OpenPlus-Webhook"), body, JSON.readTree(body), answer));
            }
            try {
                Thread.sleep(answer.delayMillis());
                exchange.sendResponseHeaders(answer.status(), -1);
            } catch (InterruptedException | IOException e) {
                // the server gave up on this request (its timeout): nothing to answer to
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    void answer(IntFunction<Answer> next) {
        behaviour = next;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    List<Arrival> arrivals() {
        synchronized (arrivals) {
            return List.copyOf(arrivals);
        }
    }

    /** The change ids of the requests answered 2xx in time (the server's timeout is {@code timeoutMillis}). */
    public Set<Long> acknowledged(long timeoutMillis) {
        Set<Long> ids = new LinkedHashSet<>();
        for (Arrival arrival : arrivals()) {
            if (arrival.answer().status() / 100 == 2 && arrival.answer().delayMillis() < timeoutMillis) {
                ids.addAll(arrival.changeIds());
            }
        }
        return ids;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
