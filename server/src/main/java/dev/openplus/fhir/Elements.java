package dev.openplus.fhir;

import java.time.OffsetDateTime;

import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

import dev.openplus.jsonapi.DocumentWriter;

/** The small elements every mapping writes alike: references, UTC times with milliseconds, resource meta. */
final class Elements {
    private Elements() {
    }

    static Reference reference(String fhirType, String id) {
        return new Reference(fhirType + "/" + id);
    }

    /** In /pub's wire format (UTC, milliseconds, {@code Z}): HAPI keeps the text it parsed. */
    static DateTimeType dateTime(OffsetDateTime time) {
        return time == null ? null : new DateTimeType(DocumentWriter.timestamp(time));
    }

    static InstantType instant(OffsetDateTime time) {
        return time == null ? null : new InstantType(DocumentWriter.timestamp(time));
    }

    /** The resource's id and meta.lastUpdated (its updated_at). */
    static <R extends Resource> R identify(R resource, SourceRow row) {
        resource.setId(row.id());
        resource.getMeta().setLastUpdatedElement(instant(row.time("updated_at")));
        return resource;
    }
}
