package dev.openplus.engine;

import java.time.OffsetDateTime;

import java.util.List;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import dev.openplus.Application;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.AttributeType;
import dev.openplus.jsonapi.FilterDef;
import dev.openplus.jsonapi.FilterKind;
import dev.openplus.jsonapi.Operations;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.Shape;
import dev.openplus.jsonapi.SortField;
import dev.openplus.jsonapi.TenantScope;
import dev.openplus.jsonapi.WriteBatch;
import dev.openplus.jsonapi.WriteItem;
import dev.openplus.jsonapi.WriteRules;

/**
 * A resource type that exists only in the tests: one of every kind of rule the engine enforces from a
 * description (types, required, read-only, immutable, defaults, enums, lengths, ranges, formats, nested
 * shapes with server ids, writable to-one, polymorphic to-one and to-many relationships), plus a small domain rule,
 * so that the engine is tested through HTTP without waiting for a feature that needs each rule.
 */
public final class ProbeResource {
    static final String DDL = """
            create table if not exists engine_probe (
                id              char(24)    primary key,
                organization_id char(24)    not null references organization (id),
                owner_id        char(24)    not null references patient (id),
                question_id     text        references health_question_definition (id),
                topic_patient_id  char(24)  references patient (id),
                topic_question_id text      references health_question_definition (id),
                name            text        not null,
                kind            text        not null,
                size            integer,
                ratio           numeric,
                starts_on       date,
                starts_at       timestamptz,
                ends_at         timestamptz,
                time_zone       text        not null,
                contact         text,
                tracking        boolean     not null,
                settings        jsonb,
                summary         text,
                created_at      timestamptz not null default now(),
                created_by      text,
                updated_at      timestamptz not null default now(),
                updated_by      text,
                check (num_nonnulls(topic_patient_id, topic_question_id) <= 1)
            );
            create table if not exists engine_probe_group (
                probe_id        char(24) not null references engine_probe (id) on delete cascade,
                group_id        char(24) not null references patient_group (id),
                organization_id char(24) not null references organization (id),
                primary key (probe_id, group_id)
            );
            """;

    static final ResourceType TYPE;
    private static final Table<?> JOIN = DSL.table(DSL.name("engine_probe_group"));

    static {
        ResourceType.Builder builder = ResourceType.builder("probe", "engine_probe");
        Field<String> organization = builder.column("organization_id", SQLDataType.CHAR(24));
        Field<String> owner = builder.column("owner_id", SQLDataType.CHAR(24));
        Field<String> question = builder.column("question_id", SQLDataType.VARCHAR);
        Relationship topic = Relationship.toOneOf("topic", List.of(
                new Relationship.Target("patient", builder.column("topic_patient_id", SQLDataType.CHAR(24))),
                new Relationship.Target("health_question_definition",
                        builder.column("topic_question_id", SQLDataType.VARCHAR)))).writable();
        Field<String> name = builder.column("name", SQLDataType.VARCHAR);
        Field<OffsetDateTime> startsAt = builder.column("starts_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
        Field<String> summary = builder.column("summary", SQLDataType.VARCHAR);
        Shape goal = Shape.object().required("value", Shape.number()).member("unit", Shape.string().maxLength(20));
        Shape metric = Shape.object().serverId("_id")
                .required("metric_type", Shape.string().oneOf("weight", "steps"))
                .member("goal", goal);
        TYPE = builder
                .attribute(Attribute.string("name", name).asRequired().maxLength(40))
                .attribute(Attribute.string("kind", builder.column("kind", SQLDataType.VARCHAR)).oneOf("alpha", "beta")
                        .asRequired().immutable())
                .attribute(Attribute.of("size", builder.column("size", SQLDataType.INTEGER), Shape.integer().range(1, 10)))
                .attribute(Attribute.of("ratio", builder.column("ratio", SQLDataType.NUMERIC), Shape.number().above(0)))
                .attribute(Attribute.of("starts_on", builder.column("starts_on", SQLDataType.LOCALDATE), Shape.date()))
                .attribute(Attribute.of("starts_at", startsAt, Shape.timestamp()))
                .attribute(Attribute.of("ends_at", builder.column("ends_at", SQLDataType.TIMESTAMPWITHTIMEZONE),
                        Shape.timestamp()))
                .attribute(Attribute.of("time_zone", builder.column("time_zone", SQLDataType.VARCHAR),
                        Shape.string().timeZone()).notNull().defaultValue("UTC"))
                .attribute(Attribute.of("contact", builder.column("contact", SQLDataType.VARCHAR), Shape.string().email()))
                .attribute(Attribute.of("tracking", builder.column("tracking", SQLDataType.BOOLEAN), Shape.bool())
                        .notNull().defaultValue(true))
                .attribute(Attribute.of("settings", builder.column("settings", SQLDataType.JSONB), Shape.object()
                        .required("mode", Shape.string().oneOf("daily", "weekly"))
                        .member("days", Shape.arrayOf(Shape.integer().range(0, 6)).distinct().maxItems(7))
                        .member("metrics", Shape.arrayOf(metric).maxItems(20))))
                .attribute(Attribute.string("summary", summary).asReadOnly())
                .auditAttributes()
                .relationship(Relationship.toOne("owner", "patient", owner).writable().asRequired())
                .relationship(Relationship.toMany("groups", "group", JOIN,
                        DSL.field(DSL.name("engine_probe_group", "probe_id"), SQLDataType.CHAR(24)),
                        DSL.field(DSL.name("engine_probe_group", "group_id"), SQLDataType.CHAR(24)))
                        .joinOrganization(DSL.field(DSL.name("engine_probe_group", "organization_id"), SQLDataType.CHAR(24)))
                        .writable())
                .relationship(Relationship.toOne("question", "health_question_definition", question).writable())
                .relationship(topic)
                .filter(new FilterDef("organization", FilterKind.ORGANIZATION, org -> organization.eq((String) org)))
                .filter(new FilterDef("owner", FilterKind.ID_LIST, owners -> owner.in((List<?>) owners)).idsOf("patient"))
                .filter(new FilterDef("question", FilterKind.ID_LIST, ids -> question.in((java.util.List<?>) ids))
                        .idsOf("health_question_definition"))
                .filter(new FilterDef("topic", FilterKind.ID_LIST, ids -> topic.pointsToAny(idList(ids)))
                        .idsOf("patient", "health_question_definition"))
                .sort(new SortField("name", name, AttributeType.STRING, false))
                .requireOneOf("organization")
                .tenant(organization)
                .bulkCreate()
                .deletable()
                .rules(new ProbeRules(summary))
                .scope(caller -> caller.groupScoped()
                        ? TenantScope.sameOrganization(organization, caller).and(DSL.exists(DSL.selectOne()
                                .from(DSL.table(DSL.name("patient_group_member")))
                                .where(DSL.field(DSL.name("patient_group_member", "patient_id"), SQLDataType.CHAR(24)).eq(owner))
                                .and(TenantScope.inAllowedGroups(DSL.field(DSL.name("patient_group_member", "group_id"),
                                        SQLDataType.CHAR(24)), caller))))
                        : TenantScope.sameOrganization(organization, caller))
                .build();
    }

    private ProbeResource() {
    }

    @SuppressWarnings("unchecked")
    private static List<String> idList(Object value) {
        return (List<String>) value;
    }

    /** Creates the probe's tables and describes the types and their operations to the application. */
    public static Application.Extra install(DSLContext dsl) {
        dsl.execute(DDL);
        dsl.execute(ProbeShelfResource.DDL);
        return new Application.Extra(List.of(TYPE, ProbeShelfResource.SHELF, ProbeShelfResource.SLOT), operations -> {
            operations(operations);
            ProbeShelfResource.operations(operations);
        });
    }

    /** The probe's operations, all beyond the reference. */
    static void operations(Operations operations) {
        operations.create(TYPE, "createProbe", 201).asExtension()
                .list(TYPE, "fetchProbes").asExtension()
                .fetch(TYPE, "fetchProbe").asExtension()
                .update(TYPE, "updateProbe", 200).asExtension()
                .delete(TYPE, "deleteProbe").asExtension();
    }

    /** A cross-field rule (ends_at after starts_at) and a derived column (summary). */
    private record ProbeRules(Field<String> summary) implements WriteRules {
        @Override
        public void beforeWrite(WriteBatch batch) {
            for (WriteItem item : batch.items()) {
                if (item.value("starts_at") instanceof OffsetDateTime start
                        && item.value("ends_at") instanceof OffsetDateTime end && !end.isAfter(start)) {
                    item.problem("/attributes/ends_at", "ends_at must be after starts_at");
                }
                item.set(summary, item.value("name") + " (" + item.value("kind") + ")");
            }
        }
    }
}
