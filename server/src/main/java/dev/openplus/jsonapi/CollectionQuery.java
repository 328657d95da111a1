package dev.openplus.jsonapi;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated collection or fetch request: filters with parsed values, sort, includes, sparse fieldsets, paging.
 * {@code filterParameters} maps each filter to the parameter that gave it; {@code rawParameters} keeps the accepted parameters in order, for building links.
 */
public record CollectionQuery(Map<FilterDef, Object> filters, Map<FilterDef, String> filterParameters,
        List<SortOrder> sort, List<Relationship> includes, Map<String, Set<String>> fields, Page page,
        Map<String, String> rawParameters) {

    /** The parameter as the client spelled it (an alias stays an alias), for error sources. */
    public String parameterOf(FilterDef filter) {
        return filterParameters.getOrDefault(filter, "filter[" + filter.name() + "]");
    }

    public String sortSpec() {
        return sortSpec(sort);
    }

    public static String sortSpec(List<SortOrder> orders) {
        StringBuilder spec = new StringBuilder();
        for (SortOrder order : orders) {
            if (!spec.isEmpty()) {
                spec.append(',');
            }
            spec.append(order);
        }
        return spec.toString();
    }
}
