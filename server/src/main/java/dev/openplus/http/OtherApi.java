package dev.openplus.http;

import java.util.Set;
import java.util.function.Predicate;

import dev.openplus.jsonapi.ErrorRenderer;

/**
 * An API served beside JSON:API's /pub on the same server, port and bearer tokens (FHIR R4 under /fhir/r4/):
 * the paths it owns, those of them that need no token, which {@code Accept} headers it can answer (406
 * otherwise), and how its errors are written.
 *
 * @param accepts true for an {@code Accept} header (never null here) the API can answer
 */
public record OtherApi(String pathPrefix, Set<String> publicPaths, Predicate<String> accepts, ErrorRenderer errors) {

    boolean owns(String path) {
        return path.startsWith(pathPrefix);
    }
}
