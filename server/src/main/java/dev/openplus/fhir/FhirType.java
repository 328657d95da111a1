package dev.openplus.fhir;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.hl7.fhir.r4.model.Resource;

import dev.openplus.jsonapi.ResourceRow;
import dev.openplus.jsonapi.ResourceType;

/**
 * A FHIR resource type served under /fhir/r4: the source type it maps (described once, in its feature), the
 * mapping, the search parameters beyond the common ones, and the {@code _include}s it accepts.
 */
public record FhirType(String name, ResourceType source, ResourceMapping mapping, Map<String, SearchParameter> parameters,
        Map<String, Include> includes, List<String> profiles) {

    /** {@code _include=Observation:patient}: the source relationship it follows. */
    public record Include(String value, String relationship) {
    }

    static FhirType of(String name, ResourceType source, ResourceMapping mapping, SearchParameter... parameters) {
        Map<String, SearchParameter> byName = new LinkedHashMap<>();
        for (SearchParameter parameter : parameters) {
            byName.put(parameter.name(), parameter);
        }
        return new FhirType(name, source, mapping, byName, Map.of(), List.of());
    }

    FhirType include(String parameterValue, String relationship) {
        Map<String, Include> more = new LinkedHashMap<>(includes);
        more.put(parameterValue, new Include(parameterValue, relationship));
        return new FhirType(name, source, mapping, parameters, more, profiles);
    }

    FhirType supportedProfiles(List<String> urls) {
        return new FhirType(name, source, mapping, parameters, includes, List.copyOf(urls));
    }

    /**
     * The resources of a batch of this type's rows (a search page, a chunk of an export), in row order: one
     * {@link ResourceMapping#prepare} for the batch, then one resource per row.
     */
    public List<Resource> map(MappingContext context, List<ResourceRow> rows) {
        ResourceMapping.RowMapper mapper = mapping.prepare(context, rows);
        List<Resource> mapped = new ArrayList<>(rows.size());
        rows.forEach(row -> mapped.add(mapper.map(row)));
        return mapped;
    }

    Optional<SearchParameter> parameter(String parameterName) {
        return Optional.ofNullable(parameters.get(parameterName));
    }
}
