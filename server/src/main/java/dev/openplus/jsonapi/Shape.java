package dev.openplus.jsonapi;

import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.db.Ids;

/**
 * The declared shape of a value: its kind, and the rules the engine checks for it (enum, length, range,
 * format, object members, array items). Attributes are described by a shape, and so are the members of
 * nested JSON attributes, so one routine checks both and reports each problem at its exact JSON pointer,
 * one problem per value. The OpenAPI document is generated from the same shapes.
 */
public final class Shape {
    /** The kind of JSON value. TIMESTAMP and DATE are strings on the wire. */
    public enum Kind { STRING, INTEGER, NUMBER, BOOLEAN, TIMESTAMP, DATE, OBJECT, ARRAY, ANY }

    /** String formats beyond the kinds. */
    public enum Format { NONE, EMAIL, TIME_ZONE }

    /** A member of an object shape. */
    public record Member(String name, Shape shape, boolean required) {
    }

    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
    private static final Set<String> ZONES = Set.copyOf(ZoneId.getAvailableZoneIds());
    /** A string without a declared maximum is still bounded: no value is unbounded in a request. */
    public static final int DEFAULT_MAX_LENGTH = 10_000;

    private final Kind kind;
    private final boolean nullable;
    private final List<String> allowedValues;
    private final Integer minLength;
    private final Integer maxLength;
    private final BigDecimal minimum;
    private final boolean exclusiveMinimum;
    private final BigDecimal maximum;
    private final Format format;
    private final Map<String, Member> members;
    private final String serverId;
    private final Shape items;
    private final Integer minItems;
    private final Integer maxItems;
    private final boolean distinct;
    private final boolean anyMembers;

    private Shape(Kind kind, boolean nullable, List<String> allowedValues, Integer minLength, Integer maxLength,
            BigDecimal minimum, boolean exclusiveMinimum, BigDecimal maximum, Format format,
            Map<String, Member> members, String serverId, Shape items, Integer minItems, Integer maxItems,
            boolean distinct, boolean anyMembers) {
        this.kind = kind;
        this.nullable = nullable;
        this.allowedValues = allowedValues;
        this.minLength = minLength;
        this.maxLength = maxLength;
        this.minimum = minimum;
        this.exclusiveMinimum = exclusiveMinimum;
        this.maximum = maximum;
        this.format = format;
        this.members = members;
        this.serverId = serverId;
        this.items = items;
        this.minItems = minItems;
        this.maxItems = maxItems;
        this.distinct = distinct;
        this.anyMembers = anyMembers;
    }

    private static Shape of(Kind kind) {
        return new Shape(kind, false, List.of(), null, kind == Kind.STRING ? DEFAULT_MAX_LENGTH : null, null, false,
                null, Format.NONE, Map.of(), null, null, null, null, false, false);
    }

    public static Shape string() {
        return of(Kind.STRING);
    }

    public static Shape integer() {
        return of(Kind.INTEGER);
    }

    public static Shape number() {
        return of(Kind.NUMBER);
    }

    public static Shape bool() {
        return of(Kind.BOOLEAN);
    }

    /** Any JSON value, kept as sent (e.g. a result's value: a number, or an object for a blood pressure). */
    public static Shape any() {
        return of(Kind.ANY);
    }

    public static Shape timestamp() {
        return of(Kind.TIMESTAMP);
    }

    public static Shape date() {
        return of(Kind.DATE);
    }

    /** An object with no members yet; add them with {@link #member} / {@link #required}. Unknown members are refused. */
    public static Shape object() {
        return of(Kind.OBJECT);
    }

    public static Shape arrayOf(Shape itemShape) {
        return new Shape(Kind.ARRAY, false, List.of(), null, null, null, false, null, Format.NONE, Map.of(), null,
                itemShape, null, null, false, false);
    }

    private Shape copy(boolean newNullable, List<String> newAllowed, Integer newMinLength, Integer newMaxLength,
            BigDecimal newMinimum, boolean newExclusiveMinimum, BigDecimal newMaximum, Format newFormat,
            Map<String, Member> newMembers, String newServerId, Integer newMinItems, Integer newMaxItems,
            boolean newDistinct) {
        return new Shape(kind, newNullable, newAllowed, newMinLength, newMaxLength, newMinimum, newExclusiveMinimum,
                newMaximum, newFormat, newMembers, newServerId, items, newMinItems, newMaxItems, newDistinct, anyMembers);
    }

    /**
     * A free-form object (the reference's {@code additionalProperties: true}, e.g. an action's {@code details}):
     * members beyond the declared ones are accepted as they are; declared ones are still checked.
     */
    public Shape anyMembers() {
        requireKind(Kind.OBJECT);
        return new Shape(kind, nullable, allowedValues, minLength, maxLength, minimum, exclusiveMinimum, maximum,
                format, members, serverId, items, minItems, maxItems, distinct, true);
    }

    /** True when members beyond the declared ones are accepted. */
    public boolean allowsAnyMembers() {
        return anyMembers;
    }

    /** JSON null is accepted (and clears the value). */
    public Shape nullable() {
        return copy(true, allowedValues, minLength, maxLength, minimum, exclusiveMinimum, maximum, format, members,
                serverId, minItems, maxItems, distinct);
    }

    public Shape notNullable() {
        return copy(false, allowedValues, minLength, maxLength, minimum, exclusiveMinimum, maximum, format, members,
                serverId, minItems, maxItems, distinct);
    }

    public Shape oneOf(String... values) {
        return copy(nullable, List.of(values), minLength, maxLength, minimum, exclusiveMinimum, maximum, format,
                members, serverId, minItems, maxItems, distinct);
    }

    public Shape oneOf(List<String> values) {
        return oneOf(values.toArray(String[]::new));
    }

    /** Blank strings are refused (documented as {@code minLength: 1}). */
    public Shape notBlank() {
        return copy(nullable, allowedValues, 1, maxLength, minimum, exclusiveMinimum, maximum, format, members,
                serverId, minItems, maxItems, distinct);
    }

    public Shape maxLength(int max) {
        return copy(nullable, allowedValues, minLength, max, minimum, exclusiveMinimum, maximum, format, members,
                serverId, minItems, maxItems, distinct);
    }

    /** Inclusive bounds; either may be null. */
    public Shape range(Number min, Number max) {
        return copy(nullable, allowedValues, minLength, maxLength, decimal(min), false, decimal(max), format, members,
                serverId, minItems, maxItems, distinct);
    }

    /** Strictly greater than {@code min} (e.g. a budget above zero). */
    public Shape above(Number min) {
        return copy(nullable, allowedValues, minLength, maxLength, decimal(min), true, maximum, format, members,
                serverId, minItems, maxItems, distinct);
    }

    public Shape format(Format newFormat) {
        return copy(nullable, allowedValues, minLength, maxLength, minimum, exclusiveMinimum, maximum, newFormat,
                members, serverId, minItems, maxItems, distinct);
    }

    public Shape email() {
        return format(Format.EMAIL).maxLength(320);
    }

    public Shape timeZone() {
        return format(Format.TIME_ZONE).maxLength(64);
    }

    /** An optional member of an object shape. */
    public Shape member(String name, Shape shape) {
        return withMember(new Member(name, shape, false));
    }

    /** A member that must be present (and, unless its shape is nullable, not null). */
    public Shape required(String name, Shape shape) {
        return withMember(new Member(name, shape, true));
    }

    private Shape withMember(Member member) {
        requireKind(Kind.OBJECT);
        Map<String, Member> more = new LinkedHashMap<>(members);
        more.put(member.name(), member);
        return copy(nullable, allowedValues, minLength, maxLength, minimum, exclusiveMinimum, maximum, format,
                Collections.unmodifiableMap(more), serverId, minItems, maxItems, distinct);
    }

    /**
     * Objects of this shape carry a server-assigned id in member {@code name} (e.g. {@code _id}): read-only for
     * clients, assigned on create, kept on update for items that repeat a stored id.
     */
    public Shape serverId(String name) {
        requireKind(Kind.OBJECT);
        return copy(nullable, allowedValues, minLength, maxLength, minimum, exclusiveMinimum, maximum, format, members,
                name, minItems, maxItems, distinct);
    }

    public Shape items(int min, int max) {
        requireKind(Kind.ARRAY);
        return copy(nullable, allowedValues, minLength, maxLength, minimum, exclusiveMinimum, maximum, format, members,
                serverId, min, max, distinct);
    }

    public Shape maxItems(int max) {
        return items(minItems == null ? 0 : minItems, max);
    }

    /** The items of this array must all differ. */
    public Shape distinct() {
        requireKind(Kind.ARRAY);
        return copy(nullable, allowedValues, minLength, maxLength, minimum, exclusiveMinimum, maximum, format, members,
                serverId, minItems, maxItems, true);
    }

    private void requireKind(Kind expected) {
        if (kind != expected) {
            throw new IllegalStateException("only " + expected + " shapes have this rule, not " + kind);
        }
    }

    private static BigDecimal decimal(Number value) {
        return value == null ? null : new BigDecimal(value.toString());
    }

    // ---- reading --------------------------------------------------------------------------------------------

    public Kind kind() {
        return kind;
    }

    public boolean isNullable() {
        return nullable;
    }

    public List<String> allowedValues() {
        return allowedValues;
    }

    public Integer minLength() {
        return minLength;
    }

    public Integer maxLength() {
        return maxLength;
    }

    public BigDecimal minimum() {
        return minimum;
    }

    public boolean exclusiveMinimum() {
        return exclusiveMinimum;
    }

    public BigDecimal maximum() {
        return maximum;
    }

    public Format format() {
        return format;
    }

    public List<Member> members() {
        return List.copyOf(members.values());
    }

    public String serverIdMember() {
        return serverId;
    }

    public Shape itemShape() {
        return items;
    }

    public Integer minItems() {
        return minItems;
    }

    public Integer maxItems() {
        return maxItems;
    }

    public boolean isDistinct() {
        return distinct;
    }

    /** True for values stored as jsonb (objects and arrays). */
    public boolean isJson() {
        return kind == Kind.OBJECT || kind == Kind.ARRAY || kind == Kind.ANY;
    }

    // ---- checking ---------------------------------------------------------------------------------------------

    /**
     * Checks a value (not null: the caller decides about null) and converts it: String, Long, BigDecimal,
     * Boolean, OffsetDateTime, LocalDate, or the JsonNode itself for objects and arrays. Each problem goes to
     * {@code problems} at its pointer; returns null when the value itself is unusable.
     */
    public Object read(JsonNode value, String pointer, String name, ApiException.Collector problems) {
        switch (kind) {
            case STRING -> {
                if (!value.isTextual()) {
                    return problem(problems, pointer, name + " must be a string");
                }
                String text = value.asText();
                String refusal = stringProblem(text, name);
                return refusal == null ? text : problem(problems, pointer, refusal);
            }
            case INTEGER -> {
                if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                    return problem(problems, pointer, name + " must be a whole number");
                }
                String refusal = rangeProblem(value.decimalValue(), name);
                return refusal == null ? (Object) value.asLong() : problem(problems, pointer, refusal);
            }
            case NUMBER -> {
                if (!value.isNumber()) {
                    return problem(problems, pointer, name + " must be a number");
                }
                String refusal = rangeProblem(value.decimalValue(), name);
                return refusal == null ? value.decimalValue() : problem(problems, pointer, refusal);
            }
            case BOOLEAN -> {
                return value.isBoolean() ? (Object) value.asBoolean()
                        : problem(problems, pointer, name + " must be true or false");
            }
            case TIMESTAMP -> {
                try {
                    if (value.isTextual()) {
                        return DateTimes.timestamp(value.asText());
                    }
                } catch (DateTimes.Invalid e) {
                    if (e.outOfRange()) {
                        return problem(problems, pointer, name + " must lie " + DateTimes.TIMESTAMP_RANGE);
                    }
                }
                return problem(problems, pointer,
                        name + " must be an ISO-8601 date-time with offset, e.g. 2017-11-03T06:17:34.652Z");
            }
            case DATE -> {
                try {
                    if (value.isTextual()) {
                        return DateTimes.date(value.asText());
                    }
                } catch (DateTimes.Invalid e) {
                    if (e.outOfRange()) {
                        return problem(problems, pointer, name + " must lie " + DateTimes.DATE_RANGE);
                    }
                }
                return problem(problems, pointer, name + " must be a date YYYY-MM-DD");
            }
            case ANY -> {
                return value;
            }
            case OBJECT -> {
                if (!value.isObject()) {
                    return problem(problems, pointer, name + " must be an object");
                }
                checkMembers(value, pointer, problems);
                return value;
            }
            case ARRAY -> {
                if (!value.isArray()) {
                    return problem(problems, pointer, name + " must be an array");
                }
                if (minItems != null && value.size() < minItems || maxItems != null && value.size() > maxItems) {
                    return problem(problems, pointer, name + " must have " + (maxItems == null
                            ? "at least " + minItems : (minItems == null ? 0 : minItems) + " to " + maxItems)
                            + " entries");
                }
                Set<JsonNode> seen = new HashSet<>();
                for (int i = 0; i < value.size(); i++) {
                    JsonNode item = value.get(i);
                    String itemPointer = pointer + "/" + i;
                    if (item.isNull()) {
                        if (!items.nullable) {
                            problems.add(ApiError.pointer(itemPointer, "must not be null"));
                        }
                        continue;
                    }
                    items.read(item, itemPointer, "the entry", problems);
                    if (distinct && !seen.add(item)) {
                        problems.add(ApiError.pointer(itemPointer, "repeats an earlier entry; entries must differ"));
                    }
                }
                return value;
            }
            default -> throw new IllegalStateException("unhandled shape " + kind);
        }
    }

    private void checkMembers(JsonNode value, String pointer, ApiException.Collector problems) {
        Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String memberPointer = pointer + "/" + BodyReader.escape(field.getKey());
            if (field.getKey().equals(serverId)) {
                if (!field.getValue().isNull() && !(field.getValue().isTextual() && Ids.isWellFormed(field.getValue().asText()))) {
                    problems.add(ApiError.pointer(memberPointer, serverId + " is assigned by the server"));
                }
                continue;
            }
            Member member = members.get(field.getKey());
            if (member == null) {
                if (!anyMembers) {
                    problems.add(ApiError.pointer(memberPointer, "unknown member"));
                }
            } else if (field.getValue().isNull()) {
                if (!member.shape().nullable) {
                    problems.add(ApiError.pointer(memberPointer, member.name() + (member.required()
                            ? " is required" : " cannot be null") ));
                }
            } else {
                member.shape().read(field.getValue(), memberPointer, member.name(), problems);
            }
        }
        for (Member member : members.values()) {
            if (member.required() && !value.has(member.name())) {
                problems.add(ApiError.pointer(pointer + "/" + BodyReader.escape(member.name()),
                        member.name() + " is required"));
            }
        }
    }

    private String stringProblem(String text, String name) {
        if (minLength != null && minLength > 0 && text.isBlank()) {
            return name + " cannot be blank";
        }
        // Characters are code points, as a JSON Schema maxLength counts them: an emoji is one, not two UTF-16 units.
        if (maxLength != null && text.length() > maxLength && text.codePointCount(0, text.length()) > maxLength) {
            return name + " is longer than " + maxLength + " characters";
        }
        if (!allowedValues.isEmpty() && !allowedValues.contains(text)) {
            return name + " must be one of " + String.join(", ", allowedValues);
        }
        if (format == Format.EMAIL && !EMAIL.matcher(text).matches()) {
            return name + " must be an e-mail address such as fiona@example.com";
        }
        if (format == Format.TIME_ZONE && !ZONES.contains(text)) {
            return name + " must be an IANA time zone such as America/New_York";
        }
        return null;
    }

    private String rangeProblem(BigDecimal value, String name) {
        if (minimum != null && (exclusiveMinimum ? value.compareTo(minimum) <= 0 : value.compareTo(minimum) < 0)) {
            return name + " must be " + (exclusiveMinimum ? "greater than " : "at least ") + minimum.toPlainString();
        }
        if (maximum != null && value.compareTo(maximum) > 0) {
            return name + " must be at most " + maximum.toPlainString();
        }
        return null;
    }

    private static Object problem(ApiException.Collector problems, String pointer, String detail) {
        problems.add(ApiError.pointer(pointer, detail));
        return null;
    }

    // ---- server ids -------------------------------------------------------------------------------------------

    /**
     * A copy of a checked value in which every object of a shape with a server id carries one: kept where it
     * names an id already in {@code stored} (the value before this write, or null), new otherwise.
     */
    public JsonNode assignServerIds(JsonNode value, JsonNode stored) {
        if (value == null || value.isNull() || !hasServerIds()) {
            return value;
        }
        Set<String> known = new HashSet<>();
        collectServerIds(stored, known);
        JsonNode copy = value.deepCopy();
        assign(copy, known);
        return copy;
    }

    private boolean hasServerIds() {
        if (serverId != null) {
            return true;
        }
        if (items != null && items.hasServerIds()) {
            return true;
        }
        return members.values().stream().anyMatch(m -> m.shape().hasServerIds());
    }

    private void collectServerIds(JsonNode stored, Set<String> known) {
        if (stored == null || stored.isNull()) {
            return;
        }
        if (kind == Kind.ARRAY && stored.isArray()) {
            stored.forEach(item -> items.collectServerIds(item, known));
        } else if (kind == Kind.OBJECT && stored.isObject()) {
            if (serverId != null && stored.path(serverId).isTextual()) {
                known.add(stored.get(serverId).asText());
            }
            members.values().forEach(m -> m.shape().collectServerIds(stored.get(m.name()), known));
        }
    }

    private void assign(JsonNode node, Set<String> known) {
        if (kind == Kind.ARRAY && node.isArray()) {
            ArrayNode array = (ArrayNode) node;
            array.forEach(item -> items.assign(item, known));
        } else if (kind == Kind.OBJECT && node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            if (serverId != null) {
                JsonNode given = object.get(serverId);
                if (given == null || !given.isTextual() || !known.contains(given.asText())) {
                    object.put(serverId, Ids.newId());
                }
            }
            for (Member member : members.values()) {
                JsonNode child = object.get(member.name());
                if (child != null) {
                    member.shape().assign(child, known);
                }
            }
        }
    }

    /** Member names in declaration order (for documentation). */
    public List<String> memberNames() {
        return new ArrayList<>(members.keySet());
    }
}
