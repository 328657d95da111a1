package dev.openplus.jsonapi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;


/**
 * Where a cursor page ends: the last row's sort key values and id, under the sort they were taken with.
 * On the wire it is opaque: base64url of a small JSON document. Timestamps keep PostgreSQL's microseconds so
 * that the keyset comparison neither skips nor repeats rows.
 */
public record CursorPosition(String sort, List<Object> values, String id) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public String encode() {
        ObjectNode node = JSON.createObjectNode();
        node.put("s", sort);
        ArrayNode array = node.putArray("v");
        for (Object value : values) {
            if (value == null) {
                array.addNull();
            } else if (value instanceof Number number) {
                array.add(number.toString());
            } else {
                array.add(value.toString());
            }
        }
        node.put("i", id);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(node.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a cursor taken under {@code sortOrders}; anything else is a 409 naming {@code parameter}. */
    public static CursorPosition decode(String parameter, String token, List<SortOrder> sortOrders, String sortSpec,
            IdFormat ids) {
        JsonNode node;
        try {
            node = JSON.readTree(Base64.getUrlDecoder().decode(token));
        } catch (Exception e) {
            throw ApiException.invalidParameter(parameter, "not a cursor returned by this server");
        }
        if (node == null || !node.isObject() || !node.path("s").isTextual() || !node.path("v").isArray()
                || !node.path("i").isTextual() || !ids.accepts(node.path("i").asText())) {
            throw ApiException.invalidParameter(parameter, "not a cursor returned by this server");
        }
        if (!node.get("s").asText().equals(sortSpec) || node.get("v").size() != sortOrders.size()) {
            throw ApiException.invalidParameter(parameter,
                    "this cursor was returned for another sort; keep the sort of the request that returned it");
        }
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < sortOrders.size(); i++) {
            JsonNode value = node.get("v").get(i);
            SortField field = sortOrders.get(i).field();
            if (value.isNull()) {
                if (!field.nullable()) {
                    throw ApiException.invalidParameter(parameter, "not a cursor returned by this server");
                }
                values.add(null);
                continue;
            }
            try {
                values.add(switch (field.type()) {
                    case TIMESTAMP -> DateTimes.timestamp(value.asText());
                    case DATE -> DateTimes.date(value.asText());
                    case INTEGER -> Long.parseLong(value.asText());
                    case NUMBER -> new java.math.BigDecimal(value.asText());
                    case BOOLEAN -> Boolean.parseBoolean(value.asText());
                    default -> storableText(value.asText());
                });
            } catch (RuntimeException | DateTimes.Invalid e) {
                throw ApiException.invalidParameter(parameter, "not a cursor returned by this server");
            }
        }
        return new CursorPosition(sortSpec, values, node.get("i").asText());
    }

    private static String storableText(String text) {
        if (StorableText.problem(text) != null) {
            throw new IllegalArgumentException("a sort value that cannot be stored");
        }
        return text;
    }
}
