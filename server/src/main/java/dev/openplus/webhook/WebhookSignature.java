package dev.openplus.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code OpenPlus-Signature} header of a delivery: {@code t=<unix seconds>,v1=<hex HMAC-SHA256>} over
 * {@code "<t>.<body bytes>"} with the subscription's secret. Binding the time lets a receiver refuse an old
 * request replayed later; binding the body lets it refuse a changed one (docs/api.md "Webhooks").
 */
public final class WebhookSignature {
    public static final String HEADER = "OpenPlus-Signature";

    private WebhookSignature() {
    }

    public static String header(String secret, long unixSeconds, byte[] body) {
        return "t=" + unixSeconds + ",v1=" + hmac(secret, unixSeconds, body);
    }

    /** The hex HMAC-SHA256 of {@code "<t>.<body>"}. */
    public static String hmac(String secret, long unixSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
