package dev.openplus.jsonapi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jooq.JSONB;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * Writes JSON:API documents straight from database rows with a streaming generator (no intermediate maps):
 * {@code data}, {@code included}, {@code links}, and {@code meta} with {@code req_id}, {@code count} on
 * collections and {@code ignored} on writes. Sparse fieldsets are applied here.
 */
public final class DocumentWriter {
    public static final String MEDIA_TYPE = "application/vnd.api+json";
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");

    private final String webAppUrl;

    /** @param webAppUrl base of the coaching web application's links ({@code links.twine_web_app}) */
    public DocumentWriter(String webAppUrl) {
        this.webAppUrl = webAppUrl;
    }

    /** A writer for documents whose resources carry no web-app link (errors, meta-only documents). */
    public DocumentWriter() {
        this("");
    }

    /** Writes the value of {@code data}. */
    @FunctionalInterface
    public interface DataWriter {
        void write(JsonGenerator json) throws IOException;
    }

    /** The {@code meta} member; {@code count} and {@code ignored} are written when not null. */
    public record Meta(String reqId, Long count, List<String> ignored) {
        public static Meta of(String reqId) {
            return new Meta(reqId, null, null);
        }
    }

    /**
     * {@code yyyy-MM-dd'T'HH:mm:ss.SSS'Z'} in UTC. Every resource carries a few timestamps, and the general
     * formatter cost more than writing the rest of a resource; years outside 1..9999 take the formatter.
     */
    public static String timestamp(OffsetDateTime value) {
        OffsetDateTime utc = value.getOffset().equals(ZoneOffset.UTC) ? value : value.withOffsetSameInstant(ZoneOffset.UTC);
        int year = utc.getYear();
        if (year < 1 || year > 9999) {
            return TIMESTAMP.format(utc);
        }
        byte[] text = new byte[24];
        digits(text, 0, year, 4);
        text[4] = '-';
        digits(text, 5, utc.getMonthValue(), 2);
        text[7] = '-';
        digits(text, 8, utc.getDayOfMonth(), 2);
        text[10] = 'T';
        digits(text, 11, utc.getHour(), 2);
        text[13] = ':';
        digits(text, 14, utc.getMinute(), 2);
        text[16] = ':';
        digits(text, 17, utc.getSecond(), 2);
        text[19] = '.';
        digits(text, 20, utc.getNano() / 1_000_000, 3);
        text[23] = 'Z';
        return new String(text, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static void digits(byte[] text, int offset, int value, int width) {
        for (int i = offset + width - 1; i >= offset; i--) {
            text[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    public byte[] resource(ResourceRow row, List<ResourceRow> included, Map<String, Set<String>> fields, Meta meta) {
        return document(meta, json -> writeResource(json, row, fields), included, fields, null);
    }

    public byte[] collection(List<ResourceRow> rows, List<ResourceRow> included, Map<String, Set<String>> fields,
            Map<String, String> links, Meta meta) {
        return document(meta, json -> {
            json.writeStartArray();
            for (ResourceRow row : rows) {
                writeResource(json, row, fields);
            }
            json.writeEndArray();
        }, included, fields, links);
    }

    /** A document with {@code meta} only (e.g. the answer to a DELETE). */
    public byte[] metaOnly(Meta meta) {
        return write(json -> {
            json.writeStartObject();
            writeMeta(json, meta);
            json.writeEndObject();
        });
    }

    public byte[] errors(List<ApiError> errors, String reqId) {
        return write(json -> {
            json.writeStartObject();
            writeMeta(json, Meta.of(reqId));
            json.writeArrayFieldStart("errors");
            for (ApiError error : errors) {
                json.writeStartObject();
                json.writeStringField("status", Integer.toString(error.status()));
                json.writeStringField("code", error.code().name());
                json.writeStringField("title", error.code().title());
                if (error.detail() != null) {
                    json.writeStringField("detail", error.detail());
                }
                if (error.pointer() != null || error.parameter() != null) {
                    json.writeObjectFieldStart("source");
                    if (error.pointer() != null) {
                        json.writeStringField("pointer", error.pointer());
                    } else {
                        json.writeStringField("parameter", error.parameter());
                    }
                    json.writeEndObject();
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        });
    }

    /** Any document: custom data (e.g. the token resource), resources in {@code included}, optional links. */
    public byte[] document(Meta meta, DataWriter data, List<ResourceRow> included, Map<String, Set<String>> fields,
            Map<String, String> links) {
        return write(json -> {
            json.writeStartObject();
            writeMeta(json, meta);
            if (links != null && !links.isEmpty()) {
                json.writeObjectFieldStart("links");
                for (Map.Entry<String, String> link : links.entrySet()) {
                    json.writeStringField(link.getKey(), link.getValue());
                }
                json.writeEndObject();
            }
            json.writeFieldName("data");
            data.write(json);
            if (included != null && !included.isEmpty()) {
                json.writeArrayFieldStart("included");
                for (ResourceRow row : included) {
                    writeResource(json, row, fields);
                }
                json.writeEndArray();
            }
            json.writeEndObject();
        });
    }

    private static void writeMeta(JsonGenerator json, Meta meta) throws IOException {
        json.writeObjectFieldStart("meta");
        json.writeStringField("req_id", meta.reqId());
        if (meta.count() != null) {
            json.writeNumberField("count", meta.count());
        }
        if (meta.ignored() != null) {
            json.writeArrayFieldStart("ignored");
            for (String pointer : meta.ignored()) {
                json.writeString(pointer);
            }
            json.writeEndArray();
        }
        json.writeEndObject();
    }

    public void writeResource(JsonGenerator json, ResourceRow row, Map<String, Set<String>> fields) throws IOException {
        ResourceType type = row.type();
        Set<String> sparse = fields == null ? null : fields.get(type.name());
        json.writeStartObject();
        json.writeStringField("type", type.name());
        json.writeStringField("id", row.id());
        json.writeObjectFieldStart("attributes");
        for (Attribute attribute : type.attributes()) {
            if (sparse != null && !sparse.contains(attribute.name())) {
                continue;
            }
            json.writeFieldName(attribute.name());
            writeValue(json, attribute.type(), row.value(attribute));
        }
        json.writeEndObject();
        boolean anyRelationship = false;
        for (Relationship relationship : type.relationships()) {
            if (sparse != null && !sparse.contains(relationship.name())) {
                continue;
            }
            if (!anyRelationship) {
                json.writeObjectFieldStart("relationships");
                anyRelationship = true;
            }
            json.writeObjectFieldStart(relationship.name());
            List<String> ids = row.linkage(relationship);
            json.writeFieldName("data");
            if (relationship.toMany()) {
                List<Boolean> primary = relationship.primaryFlag() == null ? null : row.primaryFlags(relationship);
                json.writeStartArray();
                for (int i = 0; i < ids.size(); i++) {
                    json.writeStartObject();
                    json.writeStringField("type", relationship.targetType());
                    json.writeStringField("id", ids.get(i));
                    if (primary != null) {
                        json.writeObjectFieldStart("meta");
                        json.writeBooleanField("primary", i < primary.size() && Boolean.TRUE.equals(primary.get(i)));
                        json.writeEndObject();
                    }
                    json.writeEndObject();
                }
                json.writeEndArray();
            } else if (ids.isEmpty()) {
                json.writeNull();
            } else {
                writeIdentifier(json, row.linkedType(relationship), ids.get(0));
            }
            if (relationship.relatedPath() != null) {
                json.writeObjectFieldStart("links");
                json.writeStringField("related", type.selfLink(row.id()) + "/" + relationship.relatedPath());
                json.writeEndObject();
            }
            json.writeEndObject();
        }
        if (anyRelationship) {
            json.writeEndObject();
        }
        json.writeObjectFieldStart("links");
        json.writeStringField("self", type.selfLink(row.id()));
        if (type.webAppPath() != null) {
            String path = type.webAppPath();
            int at = path.indexOf("%s");
            json.writeStringField("twine_web_app", webAppUrl + path.substring(0, at) + row.id() + path.substring(at + 2));
        }
        json.writeEndObject();
        json.writeEndObject();
    }

    public static void writeIdentifier(JsonGenerator json, String type, String id) throws IOException {
        json.writeStartObject();
        json.writeStringField("type", type);
        json.writeStringField("id", id);
        json.writeEndObject();
    }

    private static void writeValue(JsonGenerator json, AttributeType type, Object value) throws IOException {
        if (value == null) {
            json.writeNull();
            return;
        }
        switch (type) {
            case TIMESTAMP -> json.writeString(timestamp((OffsetDateTime) value));
            case DATE -> json.writeString(((LocalDate) value).toString());
            case BOOLEAN -> json.writeBoolean((Boolean) value);
            case INTEGER -> json.writeNumber(((Number) value).longValue());
            case NUMBER -> {
                if (value instanceof BigDecimal decimal) {
                    json.writeNumber(decimal);
                } else {
                    json.writeNumber(((Number) value).doubleValue());
                }
            }
            case JSON -> json.writeRawValue(value instanceof JSONB jsonb ? jsonb.data() : value.toString());
            default -> json.writeString(value.toString());
        }
    }

    private static byte[] write(DataWriter body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            body.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
