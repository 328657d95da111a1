package dev.openplus.config;

import java.util.Locale;

/**
 * Where a patient identifier marked {@code unique} must be unique ({@code OPENPLUS_IDENTIFIER_UNIQUENESS}).
 * Within its organization by default: across the installation, a 409 on create would tell one organization
 * that another holds the identifier, and let it take the identifier first. An installation that wants the
 * reference's platform-wide rule chooses {@link #INSTALLATION}.
 */
public enum IdentifierUniqueness {
    ORGANIZATION,
    INSTALLATION;

    /** The setting's value; unset or blank is {@link #ORGANIZATION}. */
    public static IdentifierUniqueness parse(String value) {
        if (value == null || value.isBlank()) {
            return ORGANIZATION;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "organization" -> ORGANIZATION;
            case "installation" -> INSTALLATION;
            default -> throw new IllegalArgumentException(
                    "OPENPLUS_IDENTIFIER_UNIQUENESS must be organization or installation, got '" + value + "'");
        };
    }
}
