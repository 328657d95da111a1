package dev.openplus.jsonapi;

/**
 * Text PostgreSQL can store as sent: no NUL character (a text column refuses it, jsonb too) and no unpaired
 * UTF-16 surrogate (JSON's {@code "\ud800"} decodes to one, and UTF-8 has no encoding for it: it would be stored
 * as "?"). Checked on every string of a request body, member names included, and on every query parameter.
 */
public final class StorableText {
    private StorableText() {
    }

    /** Why the text cannot be stored, or null when it can. */
    public static String problem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') {
                return "must not contain the NUL character (U+0000)";
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "must not contain an unpaired UTF-16 surrogate (\\u" + Integer.toHexString(c) + ")";
            }
        }
        return null;
    }
}
