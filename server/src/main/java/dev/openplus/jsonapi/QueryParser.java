package dev.openplus.jsonapi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.openplus.db.Ids;

/**
 * Parses and strictly validates JSON:API query parameters against a resource type (DESIGN §4): an unknown
 * filter, sort, include, fieldset or parameter is a 409, never silently ignored, because a misspelled filter
 * must not widen a sync job's result. All problems of one request are reported together.
 */
public final class QueryParser {
    private static final Pattern FAMILY = Pattern.compile("^(filter|page|fields)((?:\\[[^\\[\\]]*\\])+)$");
    private static final Pattern SEGMENT = Pattern.compile("\\[([^\\[\\]]*)\\]");
    public static final int MAX_CURSOR_LIMIT = 500;
    public static final int DEFAULT_CURSOR_LIMIT = 50;

    private final ResourceRegistry registry;

    public QueryParser(ResourceRegistry registry) {
        this.registry = registry;
    }

    /** A fetch of one resource: only {@code include} and {@code fields[...]} apply. */
    public CollectionQuery parseFetch(ResourceType type, Map<String, List<String>> parameters) {
        return parameters.isEmpty() ? PLAIN_FETCH : parse(type, parameters, false, false);
    }

    /** A fetch without query parameters (the usual one): nothing to parse. */
    private static final CollectionQuery PLAIN_FETCH = new CollectionQuery(Map.of(), Map.of(), List.of(), List.of(),
            Map.of(), null, Map.of());

    /**
     * @param requiredFilters false for sub-collections such as /patient/{id}/groups, whose path already
     *        restricts them
     */
    public CollectionQuery parseCollection(ResourceType type, Map<String, List<String>> parameters,
            boolean requiredFilters) {
        return parse(type, parameters, true, requiredFilters);
    }

    private CollectionQuery parse(ResourceType type, Map<String, List<String>> parameters, boolean collection,
            boolean requiredFilters) {
        ApiException.Collector problems = new ApiException.Collector();
        Map<String, String> single = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> entry : parameters.entrySet()) {
            String key = entry.getKey();
            if (entry.getValue().size() > 1) {
                problems.add(ApiError.parameter(key, "given more than once; give it once (lists are comma-separated)"));
                continue;
            }
            // A NUL (%00) can be neither bound nor compared in PostgreSQL: refused here, for every parameter.
            String unstorable = StorableText.problem(key);
            if (unstorable == null && !entry.getValue().isEmpty()) {
                unstorable = StorableText.problem(entry.getValue().get(0));
            }
            if (unstorable != null) {
                problems.add(ApiError.parameter(key, "the parameter " + unstorable));
                continue;
            }
            single.put(key, entry.getValue().isEmpty() ? "" : entry.getValue().get(0));
        }

        Map<FilterDef, Object> filters = new LinkedHashMap<>();
        Map<FilterDef, String> filterParameters = new LinkedHashMap<>();
        Map<String, String> filterValues = new LinkedHashMap<>();
        Map<String, String> pageValues = new LinkedHashMap<>();
        Map<String, Set<String>> fields = new LinkedHashMap<>();
        String sortValue = null;
        String includeValue = null;

        for (Map.Entry<String, String> entry : single.entrySet()) {
            String key = entry.getKey();
            String value = entry.getValue();
            if (key.equals("sort") && collection) {
                sortValue = value;
                continue;
            }
            if (key.equals("include")) {
                includeValue = value;
                continue;
            }
            Matcher family = FAMILY.matcher(key);
            if (!family.matches()) {
                problems.add(ApiError.parameter(key, "unknown query parameter"));
                continue;
            }
            List<String> segments = new ArrayList<>();
            Matcher segment = SEGMENT.matcher(family.group(2));
            while (segment.find()) {
                segments.add(segment.group(1));
            }
            String name = String.join(".", segments);
            switch (family.group(1)) {
                case "filter" -> {
                    if (!collection) {
                        problems.add(ApiError.parameter(key, "filters apply to collections only"));
                    } else {
                        filterValues.put(name, value);
                    }
                }
                case "page" -> {
                    if (!collection) {
                        problems.add(ApiError.parameter(key, "paging applies to collections only"));
                    } else {
                        pageValues.put(name, value);
                    }
                }
                default -> parseFieldset(key, name, value, fields, problems);
            }
        }

        Set<String> givenFilters = new LinkedHashSet<>();
        for (Map.Entry<String, String> entry : filterValues.entrySet()) {
            String parameter = "filter[" + entry.getKey().replace(".", "][") + "]";
            var filter = type.filter(entry.getKey());
            filter.ifPresent(f -> givenFilters.add(f.name()));
            if (filter.isEmpty()) {
                problems.add(ApiError.parameter(parameter, "unknown filter for " + type.name()));
                continue;
            }
            if (filters.containsKey(filter.get())) {
                problems.add(ApiError.parameter(parameter, "the same filter is given twice (once by its alias)"));
                continue;
            }
            try {
                filters.put(filter.get(), filterValue(parameter, filter.get(), entry.getValue()));
                filterParameters.put(filter.get(), parameter);
            } catch (ApiException e) {
                problems.addAll(e.errors());
            }
        }
        for (FilterDef filter : filters.keySet()) {
            if (filter.requires() != null && !givenFilters.contains(filter.requires())) {
                String partner = "filter[" + filter.requires().replace(".", "][") + "]";
                problems.add(ApiError.parameter(partner, partner + " is required together with "
                        + filterParameters.get(filter)));
            }
        }
        if (requiredFilters) {
            for (List<String> choice : type.requiredFilterChoices()) {
                // A given but invalid filter was reported above; it is not also "missing".
                boolean present = choice.stream().anyMatch(givenFilters::contains);
                if (!present) {
                    problems.add(ApiError.parameter("filter[" + choice.get(0) + "]", choice.size() == 1
                            ? "filter[" + choice.get(0) + "] is required"
                            : "one of " + String.join(", ", choice.stream().map(n -> "filter[" + n + "]").toList())
                                    + " is required"));
                }
            }
        }

        List<SortOrder> sort = new ArrayList<>();
        if (sortValue != null) {
            try {
                sort = parseSort(type, sortValue);
            } catch (ApiException e) {
                problems.addAll(e.errors());
            }
        }
        List<Relationship> includes = new ArrayList<>();
        if (includeValue != null) {
            try {
                includes = parseInclude(type, includeValue);
            } catch (ApiException e) {
                problems.addAll(e.errors());
            }
        }
        Page page = null;
        if (collection) {
            try {
                page = parsePage(type, pageValues, sort);
            } catch (ApiException e) {
                problems.addAll(e.errors());
            }
        }
        problems.throwIfAny();

        Map<String, String> raw = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : single.entrySet()) {
            if (!entry.getKey().startsWith("page[")) {
                raw.put(entry.getKey(), entry.getValue());
            }
        }
        return new CollectionQuery(filters, filterParameters, sort, includes, fields, page, raw);
    }

    private Object filterValue(String parameter, FilterDef filter, String value) {
        if (value.isEmpty()) {
            throw ApiException.invalidParameter(parameter, "the filter needs a value");
        }
        return switch (filter.kind()) {
            case STRING -> value;
            case BOOLEAN -> {
                if (!value.equals("true") && !value.equals("false")) {
                    throw ApiException.invalidParameter(parameter, "expected true or false");
                }
                yield Boolean.valueOf(value);
            }
            case DATE_RANGE -> DateRange.parse(parameter, value);
            case ORGANIZATION -> {
                if (!Ids.isWellFormed(value)) {
                    throw ApiException.invalidParameter(parameter, "'" + value + "' is not an organization id");
                }
                yield value;
            }
            case ID_LIST, GROUPS -> {
                LinkedHashSet<String> ids = new LinkedHashSet<>();
                for (String part : value.split(",", -1)) {
                    String id = part.trim();
                    List<IdFormat> formats = filter.kind() == FilterKind.ID_LIST ? idFormats(filter) : List.of(IdFormat.STANDARD);
                    if (formats.stream().noneMatch(format -> format.accepts(id))) {
                        throw ApiException.invalidParameter(parameter, "'" + id + "' is not an id ("
                                + formats.get(0).description() + "); lists are comma-separated");
                    }
                    ids.add(id);
                }
                yield List.copyOf(ids);
            }
        };
    }

    /** The id formats an id-list filter accepts: its types' (standard ids unless it names types). */
    private List<IdFormat> idFormats(FilterDef filter) {
        if (filter.idTypes().isEmpty()) {
            return List.of(IdFormat.STANDARD);
        }
        return filter.idTypes().stream().map(name -> registry.get(name).idFormat()).distinct().toList();
    }

    private List<SortOrder> parseSort(ResourceType type, String value) {
        List<SortOrder> orders = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String part : value.split(",", -1)) {
            String key = part.trim();
            boolean descending = key.startsWith("-");
            String name = descending ? key.substring(1) : key;
            var field = type.sort(name);
            if (field.isEmpty()) {
                throw ApiException.invalidParameter("sort", "'" + name + "' is not a sortable field of " + type.name());
            }
            if (!seen.add(name)) {
                throw ApiException.invalidParameter("sort", "'" + name + "' is given twice");
            }
            orders.add(new SortOrder(field.get(), descending));
        }
        return orders;
    }

    private List<Relationship> parseInclude(ResourceType type, String value) {
        List<Relationship> includes = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String name = part.trim();
            var relationship = type.relationship(name).filter(Relationship::includable);
            if (relationship.isEmpty()) {
                throw ApiException.invalidParameter("include", "'" + name + "' cannot be included in " + type.name());
            }
            if (!includes.contains(relationship.get())) {
                includes.add(relationship.get());
            }
        }
        return includes;
    }

    private void parseFieldset(String key, String typeName, String value, Map<String, Set<String>> fields,
            ApiException.Collector problems) {
        var fieldType = registry.find(typeName);
        if (fieldType.isEmpty()) {
            problems.add(ApiError.parameter(key, "unknown resource type '" + typeName + "'"));
            return;
        }
        Set<String> names = new LinkedHashSet<>();
        if (!value.isEmpty()) {
            for (String part : value.split(",", -1)) {
                String name = part.trim();
                if (fieldType.get().attribute(name).isEmpty() && fieldType.get().relationship(name).isEmpty()) {
                    problems.add(ApiError.parameter(key, "'" + name + "' is not a field of " + typeName));
                    return;
                }
                names.add(name);
            }
        }
        fields.put(typeName, names);
    }

    /**
     * Skip paging unless a cursor parameter is present. Generated clients send both strategies' defaults
     * together, so page[number]=1 and page[size] beside cursor parameters are ignored; page[number] other than 1
     * with them is a real contradiction.
     */
    private Page parsePage(ResourceType type, Map<String, String> values, List<SortOrder> sort) {
        ApiException.Collector problems = new ApiException.Collector();
        for (String name : values.keySet()) {
            if (!Set.of("number", "size", "limit", "after", "cursor").contains(name)) {
                problems.add(ApiError.parameter("page[" + name.replace(".", "][") + "]", "unknown paging parameter"));
            }
        }
        problems.throwIfAny();
        boolean cursor = values.containsKey("limit") || values.containsKey("after") || values.containsKey("cursor");
        Integer number = integer(values, "number", 1, Integer.MAX_VALUE, problems);
        Integer size = integer(values, "size", 0, type.maxPageSize(), problems);
        if (!cursor) {
            problems.throwIfAny();
            return new Page.Skip(number == null ? 1 : number, size == null ? type.defaultPageSize() : size);
        }
        if (number != null && number != 1) {
            problems.add(ApiError.parameter("page[number]",
                    "page[number] cannot be combined with cursor paging (page[limit], page[after]); it is not valid to mix the two strategies"));
        }
        Integer limit = integer(values, "limit", 0, MAX_CURSOR_LIMIT, problems);
        String after = values.get("after");
        String alias = values.get("cursor");
        if (after != null && alias != null && !after.equals(alias)) {
            problems.add(ApiError.parameter("page[cursor]", "page[cursor] and page[after] name different cursors"));
        }
        problems.throwIfAny();
        String token = after != null ? after : alias;
        String parameter = after != null ? "page[after]" : "page[cursor]";
        CursorPosition position = null;
        if (token != null) {
            if (token.isEmpty()) {
                throw ApiException.invalidParameter(parameter, "the cursor is empty");
            }
            position = CursorPosition.decode(parameter, token, sort, CollectionQuery.sortSpec(sort), type.idFormat());
        }
        return new Page.Cursor(limit == null ? DEFAULT_CURSOR_LIMIT : limit, position);
    }

    private static Integer integer(Map<String, String> values, String name, int min, int max,
            ApiException.Collector problems) {
        String text = values.get(name);
        if (text == null) {
            return null;
        }
        String parameter = "page[" + name + "]";
        try {
            int value = Integer.parseInt(text.trim());
            if (value < min || value > max) {
                problems.add(ApiError.parameter(parameter, "must be between " + min + " and " + max));
                return null;
            }
            return value;
        } catch (NumberFormatException e) {
            problems.add(ApiError.parameter(parameter, "must be a whole number between " + min + " and " + max));
            return null;
        }
    }
}
