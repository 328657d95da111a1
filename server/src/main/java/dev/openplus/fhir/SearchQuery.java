package dev.openplus.fhir;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.impl.DSL;

import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.jsonapi.CollectionQuery;
import dev.openplus.jsonapi.DateRange;
import dev.openplus.jsonapi.ErrorCode;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.Page;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;

/**
 * A FHIR search turned into the engine's {@link CollectionQuery}: the source type's own filters (with the values
 * /pub's parser would give them), conditions for what no filter expresses (_id, name), includes and the cursor
 * page. The engine then runs it as it runs /pub's lists: same scope, same keyset paging, same indexes.
 */
final class SearchQuery {
    private final ResourceType source;
    private final Map<FilterDef, Object> filters = new LinkedHashMap<>();
    private final Map<FilterDef, String> filterParameters = new LinkedHashMap<>();
    private final Map<Field<OffsetDateTime>, OffsetDateTime[]> ranges = new LinkedHashMap<>();
    private Condition condition = DSL.noCondition();
    private final List<Relationship> includes = new ArrayList<>();

    SearchQuery(ResourceType source) {
        this.source = source;
    }

    /** 400 naming the FHIR parameter. */
    static ApiException invalid(String parameter, String detail) {
        return new ApiException(new ApiError(400, ErrorCode.BadRequest, detail, null, parameter));
    }

    void filter(String filterName, Object value, String parameter) {
        FilterDef filter = source.filter(filterName).orElseThrow(
                () -> new IllegalStateException(source.name() + " has no filter " + filterName));
        filters.put(filter, value);
        filterParameters.put(filter, parameter);
    }

    void condition(Condition more) {
        condition = condition.and(more);
    }

    void include(Relationship relationship) {
        if (!includes.contains(relationship)) {
            includes.add(relationship);
        }
    }

    /**
     * Narrows a timestamp attribute to [start, end) (/pub's date-range filters, {@link DateRange}, on the same
     * column): bounds given several times ({@code date=ge…&date=lt…}) all apply.
     */
    void range(String attribute, OffsetDateTime start, OffsetDateTime end) {
        @SuppressWarnings("unchecked")
        Field<OffsetDateTime> column = (Field<OffsetDateTime>) source.attribute(attribute).orElseThrow().column();
        OffsetDateTime[] range = ranges.computeIfAbsent(column, key -> new OffsetDateTime[2]);
        if (start != null && (range[0] == null || start.isAfter(range[0]))) {
            range[0] = start;
        }
        if (end != null && (range[1] == null || end.isBefore(range[1]))) {
            range[1] = end;
        }
    }

    /** What no filter of the source expresses: _id, string searches, codes, the date ranges. */
    Condition condition() {
        Condition all = condition;
        for (Map.Entry<Field<OffsetDateTime>, OffsetDateTime[]> range : ranges.entrySet()) {
            OffsetDateTime start = range.getValue()[0];
            OffsetDateTime end = range.getValue()[1];
            all = start != null && end != null && !start.isBefore(end) ? all.and(DSL.falseCondition())
                    : all.and(new DateRange(start, end).on(range.getKey()));
        }
        return all;
    }

    List<Relationship> includes() {
        return includes;
    }

    CollectionQuery toCollectionQuery(Page page) {
        return new CollectionQuery(filters, filterParameters, List.of(), includes, Map.of(), page, Map.of());
    }
}
