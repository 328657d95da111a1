package dev.openplus.fhir;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The URIs OpenPlus names things by in FHIR: its code systems, extensions and canonical URLs live under one
 * namespace, and a bare identifier system of the source data ({@code DemoEHR}) becomes a URI under it. The
 * namespace names; it need not resolve (FHIR requires URIs, not reachable ones).
 */
public final class FhirUris {
    public static final String NAMESPACE = "https://openplus.dev/fhir/";
    /** Identifier systems that are not URIs already: {@code DemoEHR} → {@code …/identifier-system/DemoEHR}. */
    public static final String IDENTIFIER_SYSTEM = NAMESPACE + "identifier-system/";
    public static final String CODE_SYSTEM = NAMESPACE + "CodeSystem/";
    public static final String EXTENSION = NAMESPACE + "StructureDefinition/";
    public static final String LOINC = "http://loinc.org";
    public static final String UCUM = "http://unitsofmeasure.org";

    /** A URI scheme followed by ':' (RFC 3986): {@code urn:oid:…}, {@code http://…}. */
    private static final Pattern ABSOLUTE_URI = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:\\S+");

    private FhirUris() {
    }

    /**
     * The FHIR system of a stored identifier system: an absolute URI without spaces stays as it is; anything else
     * (a bare name such as {@code DemoEHR}) is percent-encoded under {@link #IDENTIFIER_SYSTEM}. {@code LOINC}
     * is LOINC's own URI.
     */
    public static String system(String stored) {
        if (ABSOLUTE_URI.matcher(stored).matches()) {
            return stored;
        }
        if (stored.equalsIgnoreCase("LOINC")) {
            return LOINC;
        }
        return IDENTIFIER_SYSTEM + URLEncoder.encode(stored, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The stored identifier system a FHIR system stands for ({@link #system} read backwards). */
    public static String storedSystem(String system) {
        if (system.startsWith(IDENTIFIER_SYSTEM)) {
            return URLDecoder.decode(system.substring(IDENTIFIER_SYSTEM.length()).replace("+", "%2B"),
                    StandardCharsets.UTF_8);
        }
        return system;
    }
}
