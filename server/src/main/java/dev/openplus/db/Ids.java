package dev.openplus.db;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.function.Supplier;

/** Resource ids: 24 lowercase hex characters, a 4-byte seconds timestamp then 8 random bytes (the reference's shape). */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();
    /** This thread's fixed sequence (its block, its last number), while {@link #inFixedSequence} runs; else null. */
    private static final ThreadLocal<long[]> SEQUENCE = new ThreadLocal<>();
    /** The timestamp part of sequence ids: 2024-01-01T00:00:00Z, before anything a server creates at run time. */
    private static final String SEQUENCE_PREFIX = "65920080";

    private Ids() {
    }

    public static String newId() {
        long[] sequence = SEQUENCE.get();
        if (sequence != null) {
            return SEQUENCE_PREFIX + String.format("%02x%014x", sequence[0], ++sequence[1]);
        }
        byte[] bytes = new byte[12];
        int seconds = (int) (System.currentTimeMillis() / 1000L);
        bytes[0] = (byte) (seconds >>> 24);
        bytes[1] = (byte) (seconds >>> 16);
        bytes[2] = (byte) (seconds >>> 8);
        bytes[3] = (byte) seconds;
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        System.arraycopy(random, 0, bytes, 4, 8);
        return HEX.formatHex(bytes);
    }

    /**
     * Runs {@code work} with the ids this thread draws taken from a fixed sequence instead of the clock and the
     * random source, so the same work on any database gives the same ids: block 3 draws
     * {@code 659200800300000000000001}, {@code …02}, and so on. For the demo data only ({@code serve --demo}),
     * whose ids the OpenAPI document's request examples name. A block per step keeps a step's ids fixed when an
     * earlier step draws a varying number (the demo's metrics depend on the time of day). The timestamp part lies
     * before any id drawn normally, so ids keep sorting in creation order; the same block run twice on one
     * database draws the same ids again and fails on them.
     */
    public static <T> T inFixedSequence(int block, Supplier<T> work) {
        if (block < 1 || block > 0xff) {
            throw new IllegalArgumentException("a block is a number from 1 to 255");
        }
        if (SEQUENCE.get() != null) {
            throw new IllegalStateException("a fixed id sequence is already running on this thread");
        }
        SEQUENCE.set(new long[] {block, 0});
        try {
            return work.get();
        } finally {
            SEQUENCE.remove();
        }
    }

    /** True when the value could be an id; anything else cannot exist, so callers answer 404 without a query. */
    public static boolean isWellFormed(String value) {
        if (value == null || value.length() != 24) {
            return false;
        }
        for (int i = 0; i < 24; i++) {
            char c = value.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }
}
