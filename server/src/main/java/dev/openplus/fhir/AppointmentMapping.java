package dev.openplus.fhir;

import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.coach.CoachResource;
import dev.openplus.jsonapi.ResourceRow;
import dev.openplus.jsonapi.ResourceType;
import dev.openplus.patient.PatientResource;

/**
 * Appointment from a calendar event. Attendees name a coach or a patient by id only: one statement per kind
 * finds which of a batch's attendees are coaches and patients the caller sees; an attendee it does not see stays
 * a participant without an actor (never a reference the caller could not read).
 */
final class AppointmentMapping {
    static final String ALL_DAY = FhirUris.EXTENSION + "all-day";
    static final String EVENT_TYPE_SYSTEM = FhirUris.CODE_SYSTEM + "calendar-event-type";
    static final String PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
    static final ResourceMapping MAPPING = AppointmentMapping::prepare;

    private AppointmentMapping() {
    }

    private static ResourceMapping.RowMapper prepare(MappingContext context, List<ResourceRow> rows) {
        Set<String> users = new LinkedHashSet<>();
        for (ResourceRow row : rows) {
            new SourceRow(row).json("attendees").forEach(attendee -> users.add(attendee.path("user").asText()));
        }
        Set<String> coaches = visible(context, CoachResource.TYPE, users);
        Set<String> patients = visible(context, PatientResource.TYPE, users);
        return row -> {
            SourceRow source = new SourceRow(row);
            Appointment appointment = Elements.identify(new Appointment(), source);
            boolean allDay = source.isTrue("all_day");
            OffsetDateTime start = source.time("start_at");
            OffsetDateTime end = source.time("end_at");
            if (end == null) {
                end = allDay ? start.plusDays(1) : start;
            }
            appointment.setStatus(source.time("completed_at") != null ? Appointment.AppointmentStatus.FULFILLED
                    : Appointment.AppointmentStatus.BOOKED);
            appointment.addServiceType(new CodeableConcept().addCoding(
                    new Coding(EVENT_TYPE_SYSTEM, source.text("type"), null)));
            appointment.setDescription(source.text("title"));
            appointment.setComment(source.text("description"));
            appointment.setStartElement(Elements.instant(start));
            appointment.setEndElement(Elements.instant(end));
            appointment.setCreatedElement(Elements.dateTime(source.time("created_at")));
            if (allDay) {
                appointment.addExtension(ALL_DAY, new BooleanType(true));
            }
            String owner = source.linked("owner");
            boolean ownerAttends = false;
            for (JsonNode attendee : source.json("attendees")) {
                String user = attendee.path("user").asText();
                Appointment.AppointmentParticipantComponent participant = appointment.addParticipant()
                        .setRequired(Appointment.ParticipantRequired.REQUIRED)
                        .setStatus(status(attendee.path("response_status").asText("needsAction")));
                if (user.equals(owner) || patients.contains(user)) {
                    participant.setActor(Elements.reference("Patient", user));
                    ownerAttends |= user.equals(owner);
                } else if (coaches.contains(user)) {
                    participant.setActor(Elements.reference("Practitioner", user));
                } else {
                    participant.addType(new CodeableConcept().addCoding(new Coding(PARTICIPATION_TYPE, "ATND", "attender")));
                }
            }
            if (!ownerAttends) {
                appointment.addParticipant().setActor(Elements.reference("Patient", owner))
                        .setRequired(Appointment.ParticipantRequired.INFORMATIONONLY)
                        .setStatus(Appointment.ParticipationStatus.ACCEPTED);
            }
            return appointment;
        };
    }

    private static Appointment.ParticipationStatus status(String responseStatus) {
        return switch (responseStatus) {
            case "accepted" -> Appointment.ParticipationStatus.ACCEPTED;
            case "declined" -> Appointment.ParticipationStatus.DECLINED;
            case "tentative" -> Appointment.ParticipationStatus.TENTATIVE;
            default -> Appointment.ParticipationStatus.NEEDSACTION;
        };
    }

    /** The ids that are resources of this type in the caller's scope (one statement). */
    private static Set<String> visible(MappingContext context, ResourceType type, Set<String> ids) {
        List<String> wellFormed = ids.stream().filter(type::isWellFormedId).toList();
        if (wellFormed.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(context.dsl().select(type.idColumns()).from(type.rowsWithIds(wellFormed))
                .where(type.scope(context.caller())).fetch(type::idOf));
    }
}
