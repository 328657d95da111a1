package dev.openplus.jsonapi;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The dates and date-times the API accepts, in bodies, filters and cursors alike: ISO-8601 text, from
 * 1800-01-01 to 9999-12-31 (date-times: their UTC instant in that span). Java parses years up to ±999 999 999
 * and offsets up to ±18:00, PostgreSQL stores neither; a four-digit year is what the wire format writes, and a
 * date before 1800 is a typing error in a health record (and, before 1582, a calendar some clients read
 * differently). Date-times are moved to UTC before they are bound: the instant is what is stored.
 */
public final class DateTimes {
    public static final LocalDate FIRST_DATE = LocalDate.of(1800, 1, 1);
    public static final LocalDate LAST_DATE = LocalDate.of(9999, 12, 31);
    private static final OffsetDateTime FIRST = FIRST_DATE.atStartOfDay().atOffset(ZoneOffset.UTC);
    private static final OffsetDateTime END = LAST_DATE.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC);
    public static final String TIMESTAMP_RANGE = "between 1800-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z (UTC)";
    public static final String DATE_RANGE = "between 1800-01-01 and 9999-12-31";

    /** A text that is no date (or date-time), or one outside the range; {@link #outOfRange} tells which. */
    public static final class Invalid extends Exception {
        private final boolean outOfRange;

        private Invalid(boolean outOfRange) {
            super(null, null, false, false);
            this.outOfRange = outOfRange;
        }

        public boolean outOfRange() {
            return outOfRange;
        }
    }

    private DateTimes() {
    }

    /** An ISO-8601 date-time with offset, at UTC. */
    public static OffsetDateTime timestamp(String text) throws Invalid {
        OffsetDateTime parsed;
        try {
            parsed = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (DateTimeParseException e) {
            throw new Invalid(false);
        }
        OffsetDateTime utc;
        try {
            utc = parsed.withOffsetSameInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            throw new Invalid(true);
        }
        if (utc.isBefore(FIRST) || !utc.isBefore(END)) {
            throw new Invalid(true);
        }
        return utc;
    }

    /** A date {@code YYYY-MM-DD}. */
    public static LocalDate date(String text) throws Invalid {
        LocalDate date;
        try {
            date = LocalDate.parse(text, DateTimeFormatter.ISO_LOCAL_DATE);
        } catch (DateTimeParseException e) {
            throw new Invalid(false);
        }
        if (date.isBefore(FIRST_DATE) || date.isAfter(LAST_DATE)) {
            throw new Invalid(true);
        }
        return date;
    }
}
