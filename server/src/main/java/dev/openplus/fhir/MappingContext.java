package dev.openplus.fhir;

import org.jooq.DSLContext;

import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.ResourceRepository;

/**
 * What a mapping may read beyond its rows, always in the caller's scope: the transaction, the caller and the
 * repository. A search page and a chunk of a Bulk Data export alike.
 */
public record MappingContext(DSLContext dsl, Caller caller, ResourceRepository repository) {
}
