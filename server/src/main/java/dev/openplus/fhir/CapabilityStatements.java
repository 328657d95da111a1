package dev.openplus.fhir;

import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Enumerations.FHIRVersion;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;
import org.hl7.fhir.r4.model.Enumerations.SearchParamType;

/**
 * GET /fhir/r4/metadata: exactly what {@link FhirTypes} serves (read and search-type of each type, its search
 * parameters and includes, the vital-signs profiles), built from the same list the searches run on.
 */
final class CapabilityStatements {
    private static final String SEARCH_PARAMETER = "http://hl7.org/fhir/SearchParameter/";
    private final Date published = new Date();
    /** By base URL (the statement names it); a server has one or a few. */
    private final Map<String, byte[]> encoded = new ConcurrentHashMap<>();

    byte[] encoded(String baseUrl) {
        return encoded.computeIfAbsent(baseUrl, this::encode);
    }

    private byte[] encode(String baseUrl) {
        CapabilityStatement statement = new CapabilityStatement();
        statement.setStatus(PublicationStatus.ACTIVE).setDate(published)
                .setKind(CapabilityStatement.CapabilityStatementKind.INSTANCE)
                .setFhirVersion(FHIRVersion._4_0_1).setPublisher("OpenPlus");
        statement.addFormat("application/fhir+json").addFormat("json");
        statement.getSoftware().setName("OpenPlus");
        statement.getImplementation().setDescription("OpenPlus FHIR R4 (read, search and Bulk Data export)").setUrl(baseUrl);
        CapabilityStatement.CapabilityStatementRestComponent rest = statement.addRest()
                .setMode(CapabilityStatement.RestfulCapabilityMode.SERVER);
        rest.getSecurity().addService(new CodeableConcept().addCoding(new Coding(
                "http://terminology.hl7.org/CodeSystem/restful-security-service", "OAuth", "OAuth")))
                .setDescription("OAuth 2.0 bearer tokens of the client credentials grant (POST /pub/oauth/token), the"
                        + " same tokens and scopes as /pub");
        for (FhirType type : FhirTypes.all()) {
            CapabilityStatement.CapabilityStatementRestResourceComponent resource = rest.addResource()
                    .setType(type.name());
            resource.addInteraction().setCode(CapabilityStatement.TypeRestfulInteraction.READ);
            resource.addInteraction().setCode(CapabilityStatement.TypeRestfulInteraction.SEARCHTYPE);
            resource.setVersioning(CapabilityStatement.ResourceVersionPolicy.NOVERSION).setReadHistory(false)
                    .setUpdateCreate(false);
            type.profiles().forEach(resource::addSupportedProfile);
            common(resource, "_id", SearchParamType.TOKEN, "Resource-id", "Comma-separated ids.");
            common(resource, "_lastUpdated", SearchParamType.DATE, "Resource-lastUpdated",
                    "meta.lastUpdated with ge, gt, le, lt or eq; may be repeated.");
            for (SearchParameter parameter : type.parameters().values()) {
                resource.addSearchParam().setName(parameter.name()).setType(parameter.type())
                        .setDocumentation(parameter.documentation());
            }
            type.includes().keySet().forEach(resource::addSearchInclude);
            String export = BulkExport.OPERATIONS.get(type.name());
            if (export != null) {
                resource.addOperation().setName("export").setDefinition(export);
            }
        }
        statement.addInstantiates("http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data");
        return FhirJson.encode(statement);
    }

    private static void common(CapabilityStatement.CapabilityStatementRestResourceComponent resource, String name,
            SearchParamType type, String definition, String documentation) {
        resource.addSearchParam().setName(name).setType(type).setDefinition(SEARCH_PARAMETER + definition)
                .setDocumentation(documentation);
    }
}
