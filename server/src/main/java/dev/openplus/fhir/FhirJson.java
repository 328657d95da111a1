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

    /**
     * Builds the context and scans the served types' definitions on a background thread, so that neither startup
     * nor the first FHIR request pays for it (measured on 2 busy cores: 2–3.5 s for the context, 2 s more for
     * the types, 12 MB of heap kept). A request that comes first simply waits for the same lazy initialisation.
     */
    public static void warmUpInBackground() {
        Thread warmUp = new Thread(() -> {
            for (FhirType type : FhirTypes.all()) {
                context().getResourceDefinition(type.name());
            }
            context().getResourceDefinition("Bundle");
            context().getResourceDefinition("OperationOutcome");
            context().getResourceDefinition("CapabilityStatement");
        }, "openplus-fhir-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    public static byte[] encode(IBaseResource resource) {
        IParser parser = context().newJsonParser();
        return parser.encodeResourceToString(resource).getBytes(StandardCharsets.UTF_8);
    }
}
