package dev.openplus.healthprofile;

import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import dev.openplus.jsonapi.Attribute;
import dev.openplus.jsonapi.IdFormat;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.jsonapi.Shape;

/**
 * The health question catalogue shipped with OpenPlus (a migration): the same for every organization, small numeric
 * ids ("21"), read-only. Each question has a category, its text, the answer format (choices with label and value)
 * and the requirements on age and gender a patient must meet for the question to be in their profile.
 */
public final class HealthQuestionDefinitionResource {
    public static final ResourceType TYPE;
    /** The whole catalogue fits on one default page. */
    static final int PAGE_SIZE = 100;

    static final Shape CHOICE = Shape.object().required("label", Shape.string()).required("value", Shape.string())
            .member("icon", Shape.string().nullable());
    static final Shape FORMAT = Shape.object().required("type", Shape.string())
            .required("data", Shape.arrayOf(CHOICE));
    static final Shape REQUIREMENT = Shape.object().required("property", Shape.string().oneOf("age", "gender"))
            .member("shouldBeEqual", Shape.bool())
            .member("shouldBeGreaterThan", Shape.number())
            .member("shouldBeLessThan", Shape.number())
            .member("value", Shape.string());

    static {
        ResourceType.Builder builder = ResourceType.builder("health_question_definition", "health_question_definition",
                IdFormat.NUMERIC);
        Field<String> category = builder.column("category", SQLDataType.VARCHAR);
        TYPE = builder
                .attribute(Attribute.of("category", category, Shape.string()
                        .oneOf("lifestyle_behaviors", "mental_wellbeing", "preventative_care")).notNull().asReadOnly())
                .attribute(Attribute.of("text", builder.column("text", SQLDataType.VARCHAR), Shape.string()).notNull()
                        .asReadOnly())
                .attribute(Attribute.of("format", builder.column("format", SQLDataType.JSONB), FORMAT).notNull()
                        .asReadOnly())
                .attribute(Attribute.of("requirements", builder.column("requirements", SQLDataType.JSONB),
                        Shape.arrayOf(REQUIREMENT)).notNull().asReadOnly())
                .auditAttributes()
                .skipPaging(PAGE_SIZE, PAGE_SIZE)
                .describedAs("A question of the health profile catalogue, the same for every organization.")
                .scope(caller -> DSL.trueCondition())
                .build();
    }

    private HealthQuestionDefinitionResource() {
    }
}
