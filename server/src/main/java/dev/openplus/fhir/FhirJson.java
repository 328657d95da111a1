package dev.openplus.fhir;

import java.nio.charset.StandardCharsets;

import org.hl7.fhir.instance.model.api.IBaseResource;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;

/**
 * HAPI FHIR's R4 context: built once per process (scanning the model costs a second and some megabytes, see
 * docs/fhir.md), on the first use or by {@link #warmUp()} at startup. Parsers are cheap and not shared.
 */
public final class FhirJson {
    public static final String MEDIA_TYPE = "application/fhir+json";
    /** What the answers' Content-Type says: the media type FHIR R4 names, in UTF-8. */
    public static final String CONTENT_TYPE = MEDIA_TYPE + ";charset=utf-8";

    private FhirJson() {
    }

    private static final class Holder {
        static final FhirContext CONTEXT = FhirContext.forR4Cached();
    }

    public static FhirContext context() {
        return Holder.CONTEXT;
    }

    /** Builds the context now, so that the first FHIR request does not pay for it. */
    public static void warmUp() {
        context().getResourceDefinition("Patient");
    }

    public static byte[] encode(IBaseResource resource) {
        IParser parser = context().newJsonParser();
        return parser.encodeResourceToString(resource).getBytes(StandardCharsets.UTF_8);
    }

    /** One line of ndjson (FHIR Bulk Data's format): the resource without whitespace, no newline. */
    public static String encodeLine(IBaseResource resource) {
        return context().newJsonParser().setPrettyPrint(false).encodeResourceToString(resource);
    }
}
