package dev.openplus.fhir;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;

import org.jooq.JSONB;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.ResourceRow;

/** A source row's attributes by their JSON:API names, as its type describes them (no second list of columns). */
record SourceRow(ResourceRow row) {

    String id() {
        return row.id();
    }

    Object value(String attribute) {
        return row.value(row.type().attribute(attribute)
                .orElseThrow(() -> new IllegalArgumentException(row.type().name() + " has no attribute " + attribute)));
    }

    String text(String attribute) {
        Object value = value(attribute);
        return value == null ? null : value.toString();
    }

    OffsetDateTime time(String attribute) {
        return (OffsetDateTime) value(attribute);
    }

    LocalDate localDate(String attribute) {
        return (LocalDate) value(attribute);
    }

    BigDecimal number(String attribute) {
        return (BigDecimal) value(attribute);
    }

    boolean isTrue(String attribute) {
        return Boolean.TRUE.equals(value(attribute));
    }

    /** A jsonb attribute; a missing node when null. */
    JsonNode json(String attribute) {
        Object value = value(attribute);
        if (value == null) {
            return MissingNode.getInstance();
        }
        try {
            return BodyReader.mapper().readTree(((JSONB) value).data());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored json of " + row.type().name() + "." + attribute + " is not JSON", e);
        }
    }

    /** The one id a to-one relationship points to, or null. */
    String linked(String relationship) {
        var ids = row.linkage(row.type().relationship(relationship).orElseThrow());
        return ids.isEmpty() ? null : ids.get(0);
    }
}
