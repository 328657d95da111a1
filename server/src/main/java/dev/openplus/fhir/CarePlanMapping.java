package dev.openplus.fhir;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Element;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Timing;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.jsonapi.ResourceRow;
import dev.openplus.plan.MetricTypes;
import dev.openplus.plan.PlanSummaryResource;

/**
 * CarePlan from a patient's plan summary; its actions become {@code activity.detail}, and adherence (the plan's
 * and each action's) the extension {@link #ADHERENCE}. The actions of a batch of plans are read in one
 * statement (the plan's {@code actions} relationship, as an include would read them).
 */
final class CarePlanMapping {
    /** Complex extension: due, complete and streak (integers) and streakUpdatedAt (dateTime); see docs/fhir.md. */
    static final String ADHERENCE = FhirUris.EXTENSION + "adherence";
    static final String ACTION_TYPE_SYSTEM = FhirUris.CODE_SYSTEM + "action-type";
    static final ResourceMapping MAPPING = CarePlanMapping::prepare;

    private CarePlanMapping() {
    }

    private static ResourceMapping.RowMapper prepare(MappingContext context, List<ResourceRow> rows) {
        var actions = PlanSummaryResource.TYPE.relationship("actions").orElseThrow();
        Map<String, List<ResourceRow>> byPlan = new HashMap<>();
        for (ResourceRow action : context.repository().included(context.dsl(), context.caller(), rows, List.of(actions))) {
            byPlan.computeIfAbsent(new SourceRow(action).linked("plan"), key -> new ArrayList<>()).add(action);
        }
        OffsetDateTime now = OffsetDateTime.now();
        return row -> {
            SourceRow source = new SourceRow(row);
            CarePlan plan = Elements.identify(new CarePlan(), source);
            plan.setStatus(CarePlan.CarePlanStatus.ACTIVE).setIntent(CarePlan.CarePlanIntent.PLAN);
            plan.setTitle("Care plan");
            plan.setSubject(Elements.reference("Patient", source.linked("patient")));
            plan.setCreatedElement(Elements.dateTime(source.time("created_at")));
            if (source.time("effective_from") != null) {
                plan.setPeriod(new Period().setStartElement(Elements.dateTime(source.time("effective_from"))));
            }
            adherence(plan, source.json("adherence"));
            // In id order (the include's read order): activities keep their places from one read to the next.
            for (ResourceRow action : byPlan.getOrDefault(row.id(), List.of())) {
                activity(plan.addActivity(), new SourceRow(action), now);
            }
            return plan;
        };
    }

    private static void activity(CarePlan.CarePlanActivityComponent activity, SourceRow action, OffsetDateTime now) {
        activity.setId(action.id());
        adherence(activity, action.json("adherence"));
        String type = action.text("type");
        CarePlan.CarePlanActivityDetailComponent detail = activity.getDetail();
        detail.setKind(switch (type) {
            case "medication" -> CarePlan.CarePlanActivityKind.MEDICATIONREQUEST;
            case "nutrition" -> CarePlan.CarePlanActivityKind.NUTRITIONORDER;
            default -> CarePlan.CarePlanActivityKind.TASK;
        });
        CodeableConcept code = MetricTypes.isMetric(type) ? ObservationMapping.code(MetricCodes.of(type))
                : new CodeableConcept();
        code.addCoding(new Coding(ACTION_TYPE_SYSTEM, type, null));
        detail.setCode(code);
        OffsetDateTime from = action.time("effective_from");
        OffsetDateTime to = action.time("effective_to");
        detail.setStatus(from != null && from.isAfter(now) ? CarePlan.CarePlanActivityStatus.NOTSTARTED
                : to != null && !to.isAfter(now) ? CarePlan.CarePlanActivityStatus.COMPLETED
                : CarePlan.CarePlanActivityStatus.INPROGRESS);
        Timing timing = new Timing();
        Timing.TimingRepeatComponent repeat = timing.getRepeat();
        repeat.setBounds(new Period().setStartElement(Elements.dateTime(from)).setEndElement(Elements.dateTime(to)));
        for (JsonNode day : action.json("frequency_goal").path("weeks").path("days")) {
            repeat.addDayOfWeek(DAYS[day.asInt()]);
        }
        detail.setScheduled(timing);
        detail.setDescription(action.text("title"));
    }

    /** Stored weekday numbers, 0 = Sunday (as PostgreSQL's extract(dow)). */
    private static final Timing.DayOfWeek[] DAYS = {Timing.DayOfWeek.SUN, Timing.DayOfWeek.MON, Timing.DayOfWeek.TUE,
            Timing.DayOfWeek.WED, Timing.DayOfWeek.THU, Timing.DayOfWeek.FRI, Timing.DayOfWeek.SAT};

    /** On the CarePlan (the plan's adherence) or on an activity (its action's). */
    private static void adherence(Base element, JsonNode adherence) {
        if (adherence.isMissingNode() || adherence.isNull()) {
            return;
        }
        Extension extension = new Extension(ADHERENCE);
        extension.addExtension("due", new IntegerType(adherence.path("due").asInt()));
        extension.addExtension("complete", new IntegerType(adherence.path("complete").asInt()));
        JsonNode streak = adherence.path("streak");
        extension.addExtension("streak", new IntegerType(streak.path("count").asInt()));
        if (streak.hasNonNull("updated_at")) {
            extension.addExtension("streakUpdatedAt", new DateTimeType(streak.get("updated_at").asText()));
        }
        if (element instanceof DomainResource resource) {
            resource.addExtension(extension);
        } else {
            ((Element) element).addExtension(extension);
        }
    }
}
