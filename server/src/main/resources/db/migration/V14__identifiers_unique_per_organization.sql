-- A unique patient identifier is unique within its organization (the default), no longer across the whole
-- installation: a platform-wide index let one organization learn, from a 409, that another holds an identifier,
-- and take it first. An installation that keeps the platform-wide rule (OPENPLUS_IDENTIFIER_UNIQUENESS=
-- installation) has it enforced by the writers, under advisory locks; this index still holds within each
-- organization and catches concurrent writers there (ON CONFLICT).
create unique index patient_identifier_unique_in_organization
    on patient_identifier (organization_id, system, value) where is_unique;
drop index patient_identifier_unique;
