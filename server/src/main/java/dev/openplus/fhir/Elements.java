package dev.openplus.fhir;

import java.time.OffsetDateTime;
import java.util.Date;
import java.util.TimeZone;

import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;

/** The small elements every mapping writes alike: references, UTC times with milliseconds, resource meta. */
final class Elements {
    private static final TimeZone UTC = TimeZone.getTimeZone("UTC");

    private Elements() {
    }

    static Reference reference(String fhirType, String id) {
        return new Reference(fhirType + "/" + id);
    }

    static DateTimeType dateTime(OffsetDateTime time) {
        return time == null ? null : new DateTimeType(Date.from(time.toInstant()), TemporalPrecisionEnum.MILLI, UTC);
    }

    static InstantType instant(OffsetDateTime time) {
        return time == null ? null : new InstantType(Date.from(time.toInstant()), TemporalPrecisionEnum.MILLI, UTC);
    }

    /** The resource's id and meta.lastUpdated (its updated_at). */
    static <R extends Resource> R identify(R resource, SourceRow row) {
        resource.setId(row.id());
        resource.getMeta().setLastUpdatedElement(instant(row.time("updated_at")));
        return resource;
    }
}
