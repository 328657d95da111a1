package dev.openplus.fhir;

import java.util.List;

import org.hl7.fhir.r4.model.Resource;

import dev.openplus.jsonapi.ResourceRow;

/**
 * Turns rows of one source type into FHIR resources. The rows come in batches (a search page, a chunk of an
 * export): {@link #prepare} reads what their resources need beyond the rows (a plan's actions, a group's members)
 * in a constant number of statements for the whole batch, and the mapper it returns builds one resource per row
 * without touching the database. Nothing is held between batches, so a writer can stream any number of them.
 */
public interface ResourceMapping {

    /** Builds the resource of one row of the prepared batch. */
    @FunctionalInterface
    interface RowMapper {
        Resource map(ResourceRow row);
    }

    RowMapper prepare(MappingContext context, List<ResourceRow> rows);

    /** A mapping that needs nothing beyond each row. */
    static ResourceMapping perRow(java.util.function.BiFunction<ResourceRow, MappingContext, Resource> map) {
        return (context, rows) -> row -> map.apply(row, context);
    }
}
