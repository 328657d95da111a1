package dev.openplus.db;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Resource ids: 24 lowercase hex characters, a 4-byte seconds timestamp then 8 random bytes (the reference's shape). */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private Ids() {
    }

    public static String newId() {
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
