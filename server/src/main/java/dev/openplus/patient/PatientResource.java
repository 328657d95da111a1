package dev.openplus.patient;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.auth.Principal;
import dev.openplus.auth.TenantScope;
import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.AttributeType;
import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.FilterKind;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.SortField;

/**
 * A patient, the core user: attributes and their validation, relationships to groups (at least one) and
 * coaches (at most one primary), identifiers, archiving, and the tenant rule (a group-scoped client sees the
 * patients of its groups).
 */
public final class PatientResource {
    public static final ResourceType TYPE;

    public static final Table<?> MEMBER = DSL.table(DSL.name("patient_group_member"));
    public static final Field<String> MEMBER_PATIENT = DSL.field(DSL.name("patient_group_member", "patient_id"), SQLDataType.CHAR(24));
    public static final Field<String> MEMBER_GROUP = DSL.field(DSL.name("patient_group_member", "group_id"), SQLDataType.CHAR(24));
    public static final Field<String> MEMBER_ORGANIZATION = DSL.field(DSL.name("patient_group_member", "organization_id"), SQLDataType.CHAR(24));

    public static final Table<?> PATIENT_COACH = DSL.table(DSL.name("patient_coach"));
    public static final Field<String> COACH_PATIENT = DSL.field(DSL.name("patient_coach", "patient_id"), SQLDataType.CHAR(24));
    public static final Field<String> COACH_COACH = DSL.field(DSL.name("patient_coach", "coach_id"), SQLDataType.CHAR(24));
    public static final Field<String> COACH_ORGANIZATION = DSL.field(DSL.name("patient_coach", "organization_id"), SQLDataType.CHAR(24));
    public static final Field<Boolean> COACH_PRIMARY = DSL.field(DSL.name("patient_coach", "is_primary"), SQLDataType.BOOLEAN);

    public static final Table<?> IDENTIFIER = DSL.table(DSL.name("patient_identifier"));
    public static final Field<String> IDENTIFIER_PATIENT = DSL.field(DSL.name("patient_identifier", "patient_id"), SQLDataType.CHAR(24));
    public static final Field<String> IDENTIFIER_ORGANIZATION = DSL.field(DSL.name("patient_identifier", "organization_id"), SQLDataType.CHAR(24));
    public static final Field<Integer> IDENTIFIER_POSITION = DSL.field(DSL.name("patient_identifier", "position"), SQLDataType.INTEGER);
    public static final Field<String> IDENTIFIER_LABEL = DSL.field(DSL.name("patient_identifier", "label"), SQLDataType.VARCHAR);
    public static final Field<String> IDENTIFIER_SYSTEM = DSL.field(DSL.name("patient_identifier", "system"), SQLDataType.VARCHAR);
    public static final Field<String> IDENTIFIER_VALUE = DSL.field(DSL.name("patient_identifier", "value"), SQLDataType.VARCHAR);
    public static final Field<Boolean> IDENTIFIER_UNIQUE = DSL.field(DSL.name("patient_identifier", "is_unique"), SQLDataType.BOOLEAN);

    public static final Field<String> ID;
    public static final Field<String> ORGANIZATION_ID;
    public static final Field<String> FIRST_NAME;
    public static final Field<String> LAST_NAME;
    public static final Field<String> EMAIL;
    public static final Field<JSONB> PHONE_NUMBERS;
    public static final Field<JSONB> ADDRESSES;
    public static final Field<JSONB> IDENTIFIERS;
    public static final Field<java.time.LocalDate> BIRTH_DATE;
    public static final Field<String> GENDER;
    public static final Field<String> NOTE;
    public static final Field<Boolean> ARCHIVED;
    public static final Field<JSONB> ARCHIVE_HISTORY;
    public static final Field<OffsetDateTime> CREATED_AT;
    public static final Field<String> CREATED_BY;
    public static final Field<OffsetDateTime> UPDATED_AT;
    public static final Field<String> UPDATED_BY;

    private static final Set<String> PHONE_TYPES = Set.of("home", "work", "mobile", "home-fax", "work-fax", "other");
    private static final Set<String> ADDRESS_TEXT = Set.of("city", "state", "postal_code", "use", "type", "text",
            "district", "country");
    private static final int MAX_ITEMS = 100;
    private static final int MAX_TEXT = 1000;

    static {
        ResourceType.Builder builder = ResourceType.builder("patient", "patient");
        ID = builder.id();
        ORGANIZATION_ID = builder.column("organization_id", SQLDataType.CHAR(24));
        FIRST_NAME = builder.column("first_name", SQLDataType.VARCHAR);
        LAST_NAME = builder.column("last_name", SQLDataType.VARCHAR);
        EMAIL = builder.column("email_address", SQLDataType.VARCHAR);
        PHONE_NUMBERS = builder.column("phone_numbers", SQLDataType.JSONB);
        ADDRESSES = builder.column("addresses", SQLDataType.JSONB);
        IDENTIFIERS = builder.column("identifiers", SQLDataType.JSONB);
        BIRTH_DATE = builder.column("birth_date", SQLDataType.LOCALDATE);
        GENDER = builder.column("gender", SQLDataType.VARCHAR);
        NOTE = builder.column("note", SQLDataType.VARCHAR);
        ARCHIVED = builder.column("archived", SQLDataType.BOOLEAN);
        ARCHIVE_HISTORY = builder.column("archive_history", SQLDataType.JSONB);
        CREATED_AT = builder.column("created_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        CREATED_BY = builder.column("created_by", SQLDataType.VARCHAR);
        UPDATED_AT = builder.column("updated_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        UPDATED_BY = builder.column("updated_by", SQLDataType.VARCHAR);
        TYPE = builder
                .attribute(Attribute.string("first_name", FIRST_NAME).maxLength(255))
                .attribute(Attribute.string("last_name", LAST_NAME).maxLength(255))
                .attribute(Attribute.string("email_address", EMAIL).maxLength(320).validatedBy(PatientResource::email))
                .attribute(Attribute.of("phone_numbers", PHONE_NUMBERS, AttributeType.JSON).validatedBy(PatientResource::phoneNumbers))
                .attribute(Attribute.of("addresses", ADDRESSES, AttributeType.JSON).validatedBy(PatientResource::addresses))
                .attribute(Attribute.of("identifiers", IDENTIFIERS, AttributeType.JSON).validatedBy(PatientResource::identifiers))
                .attribute(Attribute.of("birth_date", BIRTH_DATE, AttributeType.DATE))
                .attribute(Attribute.string("gender", GENDER).oneOf("male", "female", "other"))
                .attribute(Attribute.string("note", NOTE).maxLength(10_000))
                .attribute(Attribute.timestamp("first_access_at", builder.column("first_access_at", SQLDataType.TIMESTAMPWITHTIMEZONE)).asReadOnly())
                .attribute(Attribute.timestamp("invited_at", builder.column("invited_at", SQLDataType.TIMESTAMPWITHTIMEZONE)).asReadOnly())
                .attribute(Attribute.timestamp("enrolled_at", builder.column("enrolled_at", SQLDataType.TIMESTAMPWITHTIMEZONE)).asReadOnly())
                .attribute(Attribute.timestamp("last_access_at", builder.column("last_access_at", SQLDataType.TIMESTAMPWITHTIMEZONE)).asReadOnly())
                .attribute(Attribute.of("archived", ARCHIVED, AttributeType.BOOLEAN).asReadOnly())
                .attribute(Attribute.of("archive_history", ARCHIVE_HISTORY, AttributeType.JSON).validatedBy(PatientResource::archiveHistory))
                .attribute(Attribute.of("statement", builder.column("statement", SQLDataType.JSONB), AttributeType.JSON).asReadOnly())
                .auditAttributes()
                .relationship(Relationship.toMany("groups", "group", MEMBER, MEMBER_PATIENT, MEMBER_GROUP)
                        .withInput(Relationship.Input.CUSTOM).relatedAt("groups"))
                .relationship(Relationship.toMany("coaches", "coach", PATIENT_COACH, COACH_PATIENT, COACH_COACH)
                        .withPrimaryFlag(COACH_PRIMARY).withInput(Relationship.Input.CUSTOM).relatedAt("coaches"))
                .filter(new FilterDef("organization", FilterKind.ORGANIZATION, org -> ORGANIZATION_ID.eq((String) org)))
                .filter(new FilterDef("groups", FilterKind.GROUPS, groups -> inGroups(ids(groups))))
                .filterAlias("group", "groups")
                .filter(FilterDef.paired("identifier.system", "identifier.value", FilterKind.STRING,
                        (system, all) -> DSL.noCondition()))
                .filter(FilterDef.paired("identifier.value", "identifier.system", FilterKind.STRING,
                        (value, all) -> DSL.exists(DSL.selectOne().from(IDENTIFIER)
                                .where(IDENTIFIER_PATIENT.eq(ID))
                                .and(IDENTIFIER_SYSTEM.eq((String) all.get("identifier.system")))
                                .and(IDENTIFIER_VALUE.eq((String) value)))))
                .filter(new FilterDef("archived", FilterKind.BOOLEAN, archived -> ARCHIVED.eq((Boolean) archived)))
                .auditFilters()
                .sort(new SortField("last_name", LAST_NAME, AttributeType.STRING, true))
                .sort(new SortField("first_name", FIRST_NAME, AttributeType.STRING, true))
                .requireOneOf("groups", "organization")
                .webAppLink("/#/coach/patient/%s/overview")
                .scope(PatientResource::scope)
                .build();
    }

    private PatientResource() {
    }

    private static Condition scope(Principal principal) {
        Condition organization = TenantScope.sameOrganization(ORGANIZATION_ID, principal);
        return principal.groupScoped()
                ? organization.and(DSL.exists(DSL.selectOne().from(MEMBER).where(MEMBER_PATIENT.eq(ID))
                        .and(TenantScope.inAllowedGroups(MEMBER_GROUP, principal))))
                : organization;
    }

    /** The patient belongs to at least one of the groups. */
    public static Condition inGroups(List<String> groupIds) {
        return DSL.exists(DSL.selectOne().from(MEMBER).where(MEMBER_PATIENT.eq(ID)).and(MEMBER_GROUP.in(groupIds)));
    }

    @SuppressWarnings("unchecked")
    private static List<String> ids(Object value) {
        return (List<String>) value;
    }

    private static void email(JsonNode value, String pointer, ApiException.Collector problems) {
        if (!BodyReader.looksLikeEmail(value.asText())) {
            problems.add(ApiError.pointer(pointer, "email_address must be an e-mail address such as fiona@example.com"));
        }
    }

    private static boolean array(JsonNode value, String pointer, String name, ApiException.Collector problems) {
        if (!value.isArray()) {
            problems.add(ApiError.pointer(pointer, name + " must be an array"));
            return false;
        }
        if (value.size() > MAX_ITEMS) {
            problems.add(ApiError.pointer(pointer, name + " has more than " + MAX_ITEMS + " entries"));
            return false;
        }
        return true;
    }

    /** Checks that an entry is an object with only known members; returns false when it is not an object. */
    private static boolean object(JsonNode entry, String pointer, Set<String> known, ApiException.Collector problems) {
        if (!entry.isObject()) {
            problems.add(ApiError.pointer(pointer, "must be an object"));
            return false;
        }
        Iterator<String> names = entry.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                problems.add(ApiError.pointer(pointer + "/" + BodyReader.escape(name), "unknown member"));
            }
        }
        return true;
    }

    private static void text(JsonNode entry, String member, String pointer, boolean required,
            ApiException.Collector problems) {
        JsonNode value = entry.get(member);
        if (value == null || value.isNull()) {
            if (required) {
                problems.add(ApiError.pointer(pointer + "/" + member, member + " is required"));
            }
            return;
        }
        if (!value.isTextual()) {
            problems.add(ApiError.pointer(pointer + "/" + member, member + " must be a string"));
        } else if (required && value.asText().isBlank()) {
            problems.add(ApiError.pointer(pointer + "/" + member, member + " cannot be blank"));
        } else if (value.asText().length() > MAX_TEXT) {
            problems.add(ApiError.pointer(pointer + "/" + member, member + " is longer than " + MAX_TEXT + " characters"));
        }
    }

    private static void bool(JsonNode entry, String member, String pointer, boolean required,
            ApiException.Collector problems) {
        JsonNode value = entry.get(member);
        if (value == null || value.isNull()) {
            if (required) {
                problems.add(ApiError.pointer(pointer + "/" + member, member + " is required"));
            }
        } else if (!value.isBoolean()) {
            problems.add(ApiError.pointer(pointer + "/" + member, member + " must be true or false"));
        }
    }

    private static void phoneNumbers(JsonNode value, String pointer, ApiException.Collector problems) {
        if (!array(value, pointer, "phone_numbers", problems)) {
            return;
        }
        for (int i = 0; i < value.size(); i++) {
            JsonNode entry = value.get(i);
            String entryPointer = pointer + "/" + i;
            if (!object(entry, entryPointer, Set.of("type", "value", "primary"), problems)) {
                continue;
            }
            text(entry, "type", entryPointer, true, problems);
            if (entry.path("type").isTextual() && !PHONE_TYPES.contains(entry.get("type").asText())) {
                problems.add(ApiError.pointer(entryPointer + "/type",
                        "type must be one of home, work, mobile, home-fax, work-fax, other"));
            }
            text(entry, "value", entryPointer, true, problems);
            bool(entry, "primary", entryPointer, true, problems);
        }
    }

    private static void addresses(JsonNode value, String pointer, ApiException.Collector problems) {
        if (!array(value, pointer, "addresses", problems)) {
            return;
        }
        Set<String> known = new HashSet<>(ADDRESS_TEXT);
        known.add("lines");
        for (int i = 0; i < value.size(); i++) {
            JsonNode entry = value.get(i);
            String entryPointer = pointer + "/" + i;
            if (!object(entry, entryPointer, known, problems)) {
                continue;
            }
            for (String member : ADDRESS_TEXT) {
                text(entry, member, entryPointer, false, problems);
            }
            JsonNode lines = entry.get("lines");
            if (lines != null && !lines.isNull()) {
                if (!lines.isArray() || lines.size() > 10) {
                    problems.add(ApiError.pointer(entryPointer + "/lines", "lines must be an array of at most 10 strings"));
                } else {
                    for (int l = 0; l < lines.size(); l++) {
                        if (!lines.get(l).isTextual() || lines.get(l).asText().length() > MAX_TEXT) {
                            problems.add(ApiError.pointer(entryPointer + "/lines/" + l, "must be a string"));
                        }
                    }
                }
            }
        }
    }

    private static void identifiers(JsonNode value, String pointer, ApiException.Collector problems) {
        if (!array(value, pointer, "identifiers", problems)) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode entry = value.get(i);
            String entryPointer = pointer + "/" + i;
            if (!object(entry, entryPointer, Set.of("label", "system", "value", "unique"), problems)) {
                continue;
            }
            text(entry, "label", entryPointer, false, problems);
            text(entry, "system", entryPointer, true, problems);
            text(entry, "value", entryPointer, true, problems);
            bool(entry, "unique", entryPointer, false, problems);
            if (entry.path("system").isTextual() && entry.path("value").isTextual()
                    && !seen.add(entry.get("system").asText() + "\u0000" + entry.get("value").asText())) {
                problems.add(ApiError.pointer(entryPointer, "the patient already has this identifier (system and value)"));
            }
        }
    }

    private static void archiveHistory(JsonNode value, String pointer, ApiException.Collector problems) {
        if (!array(value, pointer, "archive_history", problems)) {
            return;
        }
        for (int i = 0; i < value.size(); i++) {
            JsonNode entry = value.get(i);
            String entryPointer = pointer + "/" + i;
            if (!object(entry, entryPointer, Set.of("archived", "modified_at", "reason", "notes"), problems)) {
                continue;
            }
            bool(entry, "archived", entryPointer, true, problems);
            text(entry, "reason", entryPointer, false, problems);
            text(entry, "notes", entryPointer, false, problems);
            JsonNode modifiedAt = entry.get("modified_at");
            if (modifiedAt != null && !modifiedAt.isNull()) {
                try {
                    OffsetDateTime.parse(modifiedAt.asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME);
                } catch (DateTimeParseException e) {
                    problems.add(ApiError.pointer(entryPointer + "/modified_at",
                            "modified_at must be an ISO-8601 date-time with offset"));
                }
            }
        }
    }
}
