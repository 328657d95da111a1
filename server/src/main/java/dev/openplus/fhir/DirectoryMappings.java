package dev.openplus.fhir;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Resource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.jsonapi.ResourceRow;
import dev.openplus.membership.PatientMembership;
import dev.openplus.patient.PatientResource;

/** Who is who: Patient (patient), Practitioner (coach), Organization and Group. */
final class DirectoryMappings {
    private DirectoryMappings() {
    }

    static final ResourceMapping PATIENT = ResourceMapping.perRow(DirectoryMappings::patient);
    static final ResourceMapping PRACTITIONER = ResourceMapping.perRow((row, context) -> {
        SourceRow source = new SourceRow(row);
        Practitioner practitioner = Elements.identify(new Practitioner(), source);
        practitioner.setActive(true);
        name(source, practitioner.addName());
        return practitioner;
    });
    static final ResourceMapping ORGANIZATION = ResourceMapping.perRow((row, context) -> {
        SourceRow source = new SourceRow(row);
        Organization organization = Elements.identify(new Organization(), source);
        organization.setActive(true);
        organization.setName(source.text("name"));
        return organization;
    });
    static final ResourceMapping GROUP = DirectoryMappings::groups;

    private static Resource patient(ResourceRow row, MappingContext context) {
        SourceRow source = new SourceRow(row);
        Patient patient = Elements.identify(new Patient(), source);
        for (JsonNode identifier : source.json("identifiers")) {
            Identifier added = patient.addIdentifier().setSystem(FhirUris.system(identifier.path("system").asText()))
                    .setValue(identifier.path("value").asText());
            if (identifier.hasNonNull("label")) {
                added.getType().setText(identifier.get("label").asText());
            }
        }
        patient.setActive(!source.isTrue("archived"));
        if (source.text("first_name") != null || source.text("last_name") != null) {
            name(source, patient.addName().setUse(HumanName.NameUse.OFFICIAL));
        }
        if (source.text("email_address") != null) {
            patient.addTelecom().setSystem(ContactPoint.ContactPointSystem.EMAIL).setValue(source.text("email_address"));
        }
        for (JsonNode phone : source.json("phone_numbers")) {
            telecom(patient.addTelecom(), phone);
        }
        String gender = source.text("gender");
        if (gender != null) {
            patient.setGender(AdministrativeGender.fromCode(gender));
        }
        if (source.localDate("birth_date") != null) {
            patient.getBirthDateElement().setValueAsString(source.localDate("birth_date").toString());
        }
        for (JsonNode address : source.json("addresses")) {
            address(patient.addAddress(), address);
        }
        patient.setManagingOrganization(Elements.reference("Organization", context.caller().organizationId()));
        List<String> coaches = row.linkage(PatientResource.COACHES);
        List<Boolean> primary = row.primaryFlags(PatientResource.COACHES);
        for (int i = 0; i < coaches.size() && i < primary.size(); i++) {
            if (Boolean.TRUE.equals(primary.get(i))) {
                patient.addGeneralPractitioner(Elements.reference("Practitioner", coaches.get(i)));
            }
        }
        return patient;
    }

    private static void name(SourceRow source, HumanName name) {
        if (source.text("last_name") != null) {
            name.setFamily(source.text("last_name"));
        }
        if (source.text("first_name") != null) {
            name.addGiven(source.text("first_name"));
        }
    }

    /** Phone types home, work, mobile, home-fax, work-fax, other; {@code primary} is rank 1. */
    private static void telecom(ContactPoint point, JsonNode phone) {
        String type = phone.path("type").asText();
        point.setSystem(type.endsWith("-fax") ? ContactPoint.ContactPointSystem.FAX : ContactPoint.ContactPointSystem.PHONE);
        point.setValue(phone.path("value").asText());
        switch (type) {
            case "home", "home-fax" -> point.setUse(ContactPoint.ContactPointUse.HOME);
            case "work", "work-fax" -> point.setUse(ContactPoint.ContactPointUse.WORK);
            case "mobile" -> point.setUse(ContactPoint.ContactPointUse.MOBILE);
            default -> {
                // "other": no FHIR use says more than the absence of one
            }
        }
        if (phone.path("primary").asBoolean(false)) {
            point.setRank(1);
        }
    }

    /** use and type are free text in the source: kept where they are one of FHIR's codes. */
    private static void address(Address address, JsonNode source) {
        for (JsonNode line : source.path("lines")) {
            address.addLine(line.asText());
        }
        address.setCity(text(source, "city")).setState(text(source, "state")).setPostalCode(text(source, "postal_code"))
                .setDistrict(text(source, "district")).setCountry(text(source, "country")).setText(text(source, "text"));
        String use = text(source, "use");
        if (use != null && List.of("home", "work", "temp", "old", "billing").contains(use)) {
            address.setUse(Address.AddressUse.fromCode(use));
        }
        String type = text(source, "type");
        if (type != null && List.of("postal", "physical", "both").contains(type)) {
            address.setType(Address.AddressType.fromCode(type));
        }
    }

    private static String text(JsonNode node, String member) {
        JsonNode value = node.path(member);
        return value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
    }

    /** A group's members are its patients: one statement for the groups of the batch. */
    private static ResourceMapping.RowMapper groups(MappingContext context, List<ResourceRow> rows) {
        Map<String, List<String>> members = new HashMap<>();
        if (!rows.isEmpty()) {
            context.dsl().select(PatientMembership.GROUP, PatientMembership.PATIENT).from(PatientMembership.TABLE)
                    .where(PatientMembership.ORGANIZATION.eq(context.caller().organizationId()))
                    .and(PatientMembership.GROUP.in(rows.stream().map(ResourceRow::id).toList()))
                    .orderBy(PatientMembership.GROUP, PatientMembership.PATIENT)
                    .forEach(record -> members.computeIfAbsent(record.value1(), key -> new java.util.ArrayList<>())
                            .add(record.value2()));
        }
        return row -> {
            SourceRow source = new SourceRow(row);
            Group group = Elements.identify(new Group(), source);
            group.setType(Group.GroupType.PERSON).setActual(true).setName(source.text("name"));
            group.setManagingEntity(Elements.reference("Organization", context.caller().organizationId()));
            List<String> patients = members.getOrDefault(row.id(), List.of());
            group.setQuantity(patients.size());
            patients.forEach(patient -> group.addMember().setEntity(Elements.reference("Patient", patient)));
            return group;
        };
    }
}
