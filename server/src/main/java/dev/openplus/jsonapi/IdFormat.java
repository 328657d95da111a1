package dev.openplus.jsonapi;

import java.util.regex.Pattern;

import dev.openplus.db.Ids;

/**
 * What the ids of one resource type look like. Most types use the standard 24-hex ids ({@link Ids}); a
 * catalogue shipped with the server may keep small numeric ids. Every place that checks an id of a type before
 * it reaches the database (path ids, relationship identifiers in bodies, id-list filters, cursors) asks the
 * type's format, so a malformed id is refused (or answered 404) without a query.
 */
public record IdFormat(Pattern pattern, String description) {
    /** 24 lowercase hex characters: a 4-byte seconds timestamp then 8 random bytes. */
    public static final IdFormat STANDARD = new IdFormat(Pattern.compile("[0-9a-f]{24}"), "24 lowercase hex characters");

    /** Positive whole numbers without leading zeros ("21"). */
    public static final IdFormat NUMERIC = new IdFormat(Pattern.compile("[1-9][0-9]{0,8}"), "a positive whole number");

    public boolean accepts(String id) {
        return id != null && (this == STANDARD ? Ids.isWellFormed(id) : pattern.matcher(id).matches());
    }
}
