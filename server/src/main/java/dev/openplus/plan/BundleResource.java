package dev.openplus.plan;

import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import dev.openplus.membership.PatientMembership;
import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.Shape;

/**
 * A bundle groups actions of one plan. Membership is one join table read from both sides, so a change made
 * through the bundle shows on its actions and the other way round; {@code _actions} mirrors the ids.
 */
public final class BundleResource {
    public static final ResourceType TYPE;
    public static final Field<String> ID;
    static final Field<String> ORGANIZATION_ID;
    static final Field<String> PATIENT_ID;
    static final Field<String> PLAN_ID;
    public static final Relationship PLAN;
    public static final Relationship ACTIONS;

    static {
        ResourceType.Builder builder = ResourceType.builder("bundle", "bundle");
        ID = builder.id();
        ORGANIZATION_ID = builder.column("organization_id", SQLDataType.CHAR(24));
        PATIENT_ID = builder.column("patient_id", SQLDataType.CHAR(24));
        PLAN_ID = builder.column("plan_id", SQLDataType.CHAR(24));
        PLAN = Relationship.toOne("plan", "patient_plan_summary", PLAN_ID).writable().asRequired();
        ACTIONS = Relationship.toMany("actions", "action", ActionResource.BUNDLE_ACTION,
                ActionResource.BUNDLE_ACTION_BUNDLE, ActionResource.BUNDLE_ACTION_ACTION)
                .joinOrganization(ActionResource.BUNDLE_ACTION_ORGANIZATION).writable();
        TYPE = builder
                .attribute(Attribute.string("type", builder.column("type", SQLDataType.VARCHAR)).maxLength(64)
                        .asRequired())
                .attribute(Attribute.string("title", builder.column("title", SQLDataType.VARCHAR)).maxLength(255)
                        .asRequired())
                .attribute(Attribute.of("_actions", DSL.field(
                        "(select coalesce(jsonb_agg(ba.action_id order by ba.action_id), '[]'::jsonb)"
                                + " from bundle_action ba where ba.bundle_id = {0})", SQLDataType.JSONB, ID)
                        .as("_actions"), Shape.arrayOf(Shape.string())).asReadOnly())
                .attribute(Attribute.timestamp("effective_from",
                        builder.column("effective_from", SQLDataType.TIMESTAMPWITHTIMEZONE)).asRequired())
                .attribute(Attribute.timestamp("effective_to",
                        builder.column("effective_to", SQLDataType.TIMESTAMPWITHTIMEZONE)))
                .attribute(Attribute.string("_thread", builder.column("thread", SQLDataType.VARCHAR)).maxLength(255))
                .auditAttributes()
                .relationship(PLAN)
                .relationship(ACTIONS)
                .tenant(ORGANIZATION_ID)
                .rules(new PlanRules.BundleRules())
                .scope(caller -> PatientMembership.visible(ORGANIZATION_ID, PATIENT_ID, caller))
                .linkScope(PatientMembership.LINK_SCOPE)
                .build();
    }

    private BundleResource() {
    }
}
