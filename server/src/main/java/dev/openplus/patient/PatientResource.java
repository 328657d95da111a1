package dev.openplus.patient;

import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.membership.PatientMembership;
import dev.openplus.jsonapi.ApiError;
import dev.openplus.jsonapi.ApiException;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.AttributeType;
import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.Caller;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.FilterKind;
import dev.openplus.jsonapi.KeptCount;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.Shape;
import dev.openplus.jsonapi.SortField;

/**
 * A patient, the core user: attributes and the shapes of its nested ones, relationships to groups (at least
 * one) and coaches (at most one primary), identifiers, archiving, and the tenant rule (a group-scoped client
 * sees the patients of its groups). What a description cannot say is in {@link PatientRules}.
 */
public final class PatientResource {
    public static final ResourceType TYPE;

    public static final Table<?> MEMBER = PatientMembership.TABLE;
    public static final Field<String> MEMBER_PATIENT = PatientMembership.PATIENT;
    public static final Field<String> MEMBER_GROUP = PatientMembership.GROUP;
    static final Field<String> MEMBER_ORGANIZATION = PatientMembership.ORGANIZATION;

    public static final Table<?> PATIENT_COACH = DSL.table(DSL.name("patient_coach"));
    public static final Field<String> COACH_PATIENT = DSL.field(DSL.name("patient_coach", "patient_id"), SQLDataType.CHAR(24));
    public static final Field<String> COACH_COACH = DSL.field(DSL.name("patient_coach", "coach_id"), SQLDataType.CHAR(24));
    static final Field<String> COACH_ORGANIZATION = DSL.field(DSL.name("patient_coach", "organization_id"), SQLDataType.CHAR(24));
    static final Field<Boolean> COACH_PRIMARY = DSL.field(DSL.name("patient_coach", "is_primary"), SQLDataType.BOOLEAN);

    static final Table<?> IDENTIFIER = DSL.table(DSL.name("patient_identifier"));
    static final Field<String> IDENTIFIER_PATIENT = DSL.field(DSL.name("patient_identifier", "patient_id"), SQLDataType.CHAR(24));
    static final Field<String> IDENTIFIER_SYSTEM = DSL.field(DSL.name("patient_identifier", "system"), SQLDataType.VARCHAR);
    static final Field<String> IDENTIFIER_VALUE = DSL.field(DSL.name("patient_identifier", "value"), SQLDataType.VARCHAR);

    public static final Field<String> ID;
    public static final Field<String> ORGANIZATION_ID;
    static final Field<JSONB> IDENTIFIERS;
    static final Field<Boolean> ARCHIVED;
    static final Field<JSONB> ARCHIVE_HISTORY;
    public static final Relationship GROUPS;
    public static final Relationship COACHES;

    private static final int MAX_ENTRIES = 100;
    private static final Shape TEXT = Shape.string().maxLength(1000).nullable();
    private static final Shape REQUIRED_TEXT = Shape.string().maxLength(1000).notBlank();

    static final Shape PHONE_NUMBER = Shape.object()
            .required("type", Shape.string().oneOf("home", "work", "mobile", "home-fax", "work-fax", "other"))
            .required("value", REQUIRED_TEXT)
            .required("primary", Shape.bool());
    static final Shape ADDRESS = Shape.object()
            .member("city", TEXT).member("state", TEXT).member("postal_code", TEXT)
            .member("lines", Shape.arrayOf(Shape.string().maxLength(1000)).maxItems(10).nullable())
            .member("use", TEXT).member("type", TEXT).member("text", TEXT).member("district", TEXT)
            .member("country", TEXT);
    static final Shape IDENTIFIER_SHAPE = Shape.object()
            .member("label", TEXT)
            .required("system", REQUIRED_TEXT)
            .required("value", REQUIRED_TEXT)
            .member("unique", Shape.bool().nullable());
    static final Shape ARCHIVE_ENTRY = Shape.object()
            .required("archived", Shape.bool())
            .member("modified_at", Shape.timestamp().nullable())
            .member("reason", TEXT)
            .member("notes", TEXT);
    private static final Shape STATEMENT = Shape.object()
            .member("value", Shape.string()).member("updated_at", Shape.timestamp()).member("updated_by", Shape.string());

    static {
        ResourceType.Builder builder = ResourceType.builder("patient", "patient");
        ID = builder.id();
        ORGANIZATION_ID = builder.column("organization_id", SQLDataType.CHAR(24));
        IDENTIFIERS = builder.column("identifiers", SQLDataType.JSONB);
        ARCHIVED = builder.column("archived", SQLDataType.BOOLEAN);
        ARCHIVE_HISTORY = builder.column("archive_history", SQLDataType.JSONB);
        Field<String> firstName = builder.column("first_name", SQLDataType.VARCHAR);
        Field<String> lastName = builder.column("last_name", SQLDataType.VARCHAR);
        JsonNode none = BodyReader.mapper().createArrayNode();
        GROUPS = Relationship.toMany("groups", "group", MEMBER, MEMBER_PATIENT, MEMBER_GROUP)
                .joinOrganization(MEMBER_ORGANIZATION).withInput(Relationship.Input.CUSTOM).asRequired()
                .relatedAt("groups")
                .storedIn(builder.column("group_ids", SQLDataType.CHAR(24).array()), null);
        COACHES = Relationship.toMany("coaches", "coach", PATIENT_COACH, COACH_PATIENT, COACH_COACH)
                .joinOrganization(COACH_ORGANIZATION).withPrimaryFlag(COACH_PRIMARY)
                .withInput(Relationship.Input.CUSTOM).relatedAt("coaches")
                .storedIn(builder.column("coach_ids", SQLDataType.CHAR(24).array()),
                        builder.column("coach_primary_flags", SQLDataType.BOOLEAN.array()));
        TYPE = builder
                .attribute(Attribute.string("first_name", firstName).maxLength(255))
                .attribute(Attribute.string("last_name", lastName).maxLength(255))
                .attribute(Attribute.of("email_address", builder.column("email_address", SQLDataType.VARCHAR),
                        Shape.string().email()))
                .attribute(list("phone_numbers", builder.column("phone_numbers", SQLDataType.JSONB), PHONE_NUMBER, none))
                .attribute(list("addresses", builder.column("addresses", SQLDataType.JSONB), ADDRESS, none))
                .attribute(list("identifiers", IDENTIFIERS, IDENTIFIER_SHAPE, none)
                        .validatedBy(PatientResource::distinctIdentifiers))
                .attribute(Attribute.of("birth_date", builder.column("birth_date", SQLDataType.LOCALDATE), Shape.date()))
                .attribute(Attribute.string("gender", builder.column("gender", SQLDataType.VARCHAR))
                        .oneOf("male", "female", "other"))
                .attribute(Attribute.string("note", builder.column("note", SQLDataType.VARCHAR)).maxLength(10_000))
                .attribute(readOnlyTimestamp(builder, "first_access_at"))
                .attribute(readOnlyTimestamp(builder, "invited_at"))
                .attribute(readOnlyTimestamp(builder, "enrolled_at"))
                .attribute(readOnlyTimestamp(builder, "last_access_at"))
                .attribute(Attribute.of("archived", ARCHIVED, Shape.bool()).notNull().asReadOnly())
                .attribute(list("archive_history", ARCHIVE_HISTORY, ARCHIVE_ENTRY, none))
                .attribute(Attribute.of("statement", builder.column("statement", SQLDataType.JSONB), STATEMENT)
                        .asReadOnly())
                .auditAttributes()
                .relationship(GROUPS)
                .relationship(COACHES)
                .filter(new FilterDef("organization", FilterKind.ORGANIZATION, org -> ORGANIZATION_ID.eq((String) org)))
                .filter(new FilterDef("groups", FilterKind.GROUPS, groups -> inGroups(ids(groups)))
                        .describedAs("Comma-separated group ids."))
                .filterAlias("group", "groups")
                .filter(FilterDef.paired("identifier.system", "identifier.value", FilterKind.STRING,
                        (system, all) -> DSL.noCondition()).describedAs("Given together with `filter[identifier][value]`."))
                .filter(FilterDef.paired("identifier.value", "identifier.system", FilterKind.STRING,
                        (value, all) -> DSL.exists(DSL.selectOne().from(IDENTIFIER)
                                .where(IDENTIFIER_PATIENT.eq(ID))
                                .and(IDENTIFIER_SYSTEM.eq((String) all.get("identifier.system")))
                                .and(IDENTIFIER_VALUE.eq((String) value))))
                        .describedAs("Given together with `filter[identifier][system]`."))
                .filter(new FilterDef("archived", FilterKind.BOOLEAN, archived -> ARCHIVED.eq((Boolean) archived)))
                .auditFilters()
                .sort(new SortField("last_name", lastName, AttributeType.STRING, true))
                .sort(new SortField("first_name", firstName, AttributeType.STRING, true))
                .requireOneOf("groups", "organization")
                // meta.count of the organization's patients and of one group's, kept by the database.
                .keptCount(KeptCount.perOrganization(ORGANIZATION_ID))
                .keptCount(KeptCount.perGroup("groups", MEMBER_ORGANIZATION, MEMBER_GROUP, MEMBER_PATIENT))
                .webAppLink("/#/coach/patient/%s/overview")
                .tenant(ORGANIZATION_ID)
                .bulkCreate()
                .duplicatesIgnorable()
                .rules(new PatientRules())
                .scope(PatientResource::scope)
                .build();
    }

    private PatientResource() {
    }

    /** A list attribute: at most 100 entries; absent on create or null stores an empty list. */
    private static Attribute list(String name, Field<JSONB> column, Shape entry, JsonNode empty) {
        return Attribute.of(name, column, Shape.arrayOf(entry).maxItems(MAX_ENTRIES)).defaultValue(empty)
                .clearedTo(empty);
    }

    private static Attribute readOnlyTimestamp(ResourceType.Builder builder, String name) {
        Field<OffsetDateTime> column = builder.column(name, SQLDataType.TIMESTAMPWITHTIMEZONE);
        return Attribute.timestamp(name, column).asReadOnly();
    }

    private static Condition scope(Caller caller) {
        return PatientMembership.visible(ORGANIZATION_ID, ID, caller);
    }

    /** The patient belongs to at least one of the groups. */
    public static Condition inGroups(List<String> groupIds) {
        return PatientMembership.inGroups(ID, groupIds);
    }

    @SuppressWarnings("unchecked")
    private static List<String> ids(Object value) {
        return (List<String>) value;
    }

    /** A patient holds each (system, value) once. */
    private static void distinctIdentifiers(JsonNode value, String pointer, ApiException.Collector problems) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode entry = value.get(i);
            if (!seen.add(entry.get("system").asText() + '\u0000' + entry.get("value").asText())) {
                problems.add(ApiError.pointer(pointer + "/" + i, "the patient already has this identifier (system and value)"));
            }
        }
    }
}
