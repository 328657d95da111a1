package dev.openplus.http;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids: random (version 4) UUIDs in their usual text form. They only need to be unique enough to find a
 * request in the logs, not unguessable, so they come from the thread's own generator: {@code UUID.randomUUID()}
 * draws from one shared {@code SecureRandom}, which every request thread then waits for.
 */
final class RequestIds {
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private RequestIds() {
    }

    static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
        long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48); // IETF variant
        byte[] text = new byte[36];
        hex(high >>> 32, text, 0, 8);
        text[8] = '-';
        hex(high >>> 16, text, 9, 4);
        text[13] = '-';
        hex(high, text, 14, 4);
        text[18] = '-';
        hex(low >>> 48, text, 19, 4);
        text[23] = '-';
        hex(low, text, 24, 12);
        return new String(text, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** The low {@code digits} hex digits of value, most significant first. */
    private static void hex(long value, byte[] text, int offset, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            text[offset + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }
}
