package dev.openplus.fhir;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.impl.DSL;

import org.hl7.fhir.r4.model.Enumerations.SearchParamType;

import dev.openplus.jsonapi.Attribute;

/**
 * A search parameter of a FHIR type: its name and type (for the CapabilityStatement) and how one occurrence of it
 * narrows the {@link SearchQuery}. Only {@code date} parameters may be repeated (their bounds combine); any other
 * repeated parameter is refused, as is an unknown one or a modifier.
 */
record SearchParameter(String name, SearchParamType type, String documentation, boolean repeatable, Applier applier) {

    @FunctionalInterface
    interface Applier {
        void apply(String value, SearchQuery query);
    }

    /** Comma-separated alternatives of a value (FHIR's OR); {@code \,} is a literal comma. */
    static List<String> alternatives(String parameter, String value) {
        List<String> values = new ArrayList<>();
        for (String part : value.split("(?<!\\\\),", -1)) {
            String unescaped = part.replace("\\,", ",");
            if (unescaped.isEmpty()) {
                throw SearchQuery.invalid(parameter, "an empty value; separate alternatives with single commas");
            }
            values.add(unescaped);
        }
        return values;
    }

    /** A reference to a patient ({@code id} or {@code Patient/id}, comma-separated): the source's patient filter. */
    static SearchParameter patient(String name, String filterName) {
        return new SearchParameter(name, SearchParamType.REFERENCE, "The patient (Patient/id or id).", false,
                (value, query) -> {
                    List<String> ids = new ArrayList<>();
                    for (String reference : alternatives(name, value)) {
                        String id = reference.startsWith("Patient/") ? reference.substring("Patient/".length()) : reference;
                        if (id.contains("/")) {
                            throw SearchQuery.invalid(name, "'" + reference + "' is not a reference to a Patient");
                        }
                        ids.add(id);
                    }
                    query.filter(filterName, ids, name);
                });
    }

    /** FHIR string search: each alternative matches the start of any of the attributes, ignoring case. */
    static SearchParameter string(String name, String documentation, Attribute... attributes) {
        return new SearchParameter(name, SearchParamType.STRING, documentation, false, (value, query) -> {
            Condition any = DSL.falseCondition();
            for (String alternative : alternatives(name, value)) {
                for (Attribute attribute : attributes) {
                    @SuppressWarnings("unchecked")
                    Field<String> column = (Field<String>) attribute.column();
                    any = any.or(column.startsWithIgnoreCase(alternative));
                }
            }
            query.condition(any);
        });
    }

    /** A date search on a timestamp attribute of the source ({@link #dateBounds}). */
    static SearchParameter date(String name, String attribute, String documentation) {
        return new SearchParameter(name, SearchParamType.DATE, documentation, true, (value, query) -> {
            OffsetDateTime[] bounds = dateBounds(name, value);
            query.range(attribute, bounds[0], bounds[1]);
        });
    }

    private static final Pattern DATE = Pattern.compile(
            "(eq|ne|gt|lt|ge|le|sa|eb|ap)?(\\d{4})(?:-(\\d{2})(?:-(\\d{2})(?:T(\\d{2}):(\\d{2})(?::(\\d{2})(\\.\\d{1,9})?)?"
                    + "(Z|[+-]\\d{2}:\\d{2}))?)?)?");

    /**
     * The bounds [start, end) a date parameter asks for. A value is the range its precision spans (a day, a
     * month, a second); dates without a time are UTC days. {@code eq} (the default) is that range, {@code ge} its
     * start onwards, {@code gt} after its end, {@code lt} before its start, {@code le} before its end; the other
     * prefixes are refused.
     */
    static OffsetDateTime[] dateBounds(String parameter, String raw) {
        String value = raw.replace(' ', '+'); // an unencoded '+' of an offset arrives as a space
        Matcher matcher = DATE.matcher(value);
        if (!matcher.matches()) {
            throw SearchQuery.invalid(parameter, "'" + raw + "' is not a FHIR date or dateTime with an optional"
                    + " prefix (eq, ge, gt, le, lt), e.g. ge2024-03-01 or lt2024-03-01T12:00:00Z");
        }
        String prefix = matcher.group(1) == null ? "eq" : matcher.group(1);
        OffsetDateTime start;
        OffsetDateTime end;
        try {
            if (matcher.group(5) != null) {
                if (matcher.group(9) == null) {
                    throw SearchQuery.invalid(parameter, "'" + raw + "' has a time but no time zone (add Z or an offset)");
                }
                String seconds = matcher.group(7) == null ? "00" : matcher.group(7);
                String fraction = matcher.group(8) == null ? "" : matcher.group(8);
                start = OffsetDateTime.parse(matcher.group(2) + "-" + matcher.group(3) + "-" + matcher.group(4) + "T"
                        + matcher.group(5) + ":" + matcher.group(6) + ":" + seconds + fraction + matcher.group(9))
                        .withOffsetSameInstant(ZoneOffset.UTC);
                end = matcher.group(7) == null ? start.plusMinutes(1)
                        : start.plusNanos(fraction.isEmpty() ? 1_000_000_000L : (long) Math.pow(10, 10 - fraction.length()));
            } else {
                int year = Integer.parseInt(matcher.group(2));
                LocalDate first = LocalDate.of(year, matcher.group(3) == null ? 1 : Integer.parseInt(matcher.group(3)),
                        matcher.group(4) == null ? 1 : Integer.parseInt(matcher.group(4)));
                LocalDate next = matcher.group(3) == null ? first.plusYears(1)
                        : matcher.group(4) == null ? first.plusMonths(1) : first.plusDays(1);
                start = first.atStartOfDay().atOffset(ZoneOffset.UTC);
                end = next.atStartOfDay().atOffset(ZoneOffset.UTC);
            }
        } catch (java.time.DateTimeException e) {
            throw SearchQuery.invalid(parameter, "'" + raw + "' is not a valid date");
        }
        return switch (prefix) {
            case "eq" -> new OffsetDateTime[] {start, end};
            case "ge" -> new OffsetDateTime[] {start, null};
            case "gt" -> new OffsetDateTime[] {end, null};
            case "lt" -> new OffsetDateTime[] {null, start};
            case "le" -> new OffsetDateTime[] {null, end};
            default -> throw SearchQuery.invalid(parameter, "the prefix " + prefix + " is not supported; use eq, ge, gt,"
                    + " le or lt (" + Arrays.asList("eq", "ge", "gt", "le", "lt") + ")");
        };
    }
}
