package dev.openplus.jsonapi;

import java.time.OffsetDateTime;

import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.impl.DSL;

/** {@code start..end}: start inclusive, end exclusive, either side (not both) may be open. */
public record DateRange(OffsetDateTime start, OffsetDateTime end) {

    public static DateRange parse(String parameter, String rawValue) {
        // An unencoded '+' of an offset arrives as a space; no date-time contains a space.
        String value = rawValue.replace(' ', '+');
        int separator = value.indexOf("..");
        if (separator < 0 || value.indexOf("..", separator + 2) >= 0) {
            throw ApiException.invalidParameter(parameter,
                    "expected a date range start..end of ISO-8601 date-times with offset, e.g. 2017-11-01T00:00:00Z..2017-12-01T00:00:00Z");
        }
        String startText = value.substring(0, separator);
        String endText = value.substring(separator + 2);
        if (startText.isEmpty() && endText.isEmpty()) {
            throw ApiException.invalidParameter(parameter, "a date range needs a start, an end, or both");
        }
        OffsetDateTime start = startText.isEmpty() ? null : dateTime(parameter, startText);
        OffsetDateTime end = endText.isEmpty() ? null : dateTime(parameter, endText);
        if (start != null && end != null && start.isAfter(end)) {
            throw ApiException.invalidParameter(parameter, "the range's start is after its end");
        }
        return new DateRange(start, end);
    }

    /** One date-time of a filter, at UTC ({@link DateTimes}); anything else is a 409 naming {@code parameter}. */
    public static OffsetDateTime dateTime(String parameter, String text) {
        try {
            return DateTimes.timestamp(text);
        } catch (DateTimes.Invalid e) {
            throw ApiException.invalidParameter(parameter, e.outOfRange()
                    ? "'" + text + "' does not lie " + DateTimes.TIMESTAMP_RANGE
                    : "'" + text + "' is not an ISO-8601 date-time with offset (e.g. 2017-11-03T06:17:34.652Z)");
        }
    }

    public Condition on(Field<OffsetDateTime> column) {
        Condition condition = DSL.noCondition();
        if (start != null) {
            condition = condition.and(column.ge(start));
        }
        if (end != null) {
            condition = condition.and(column.lt(end));
        }
        return condition;
    }
}
