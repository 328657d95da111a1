package dev.openplus.email;

import java.time.OffsetDateTime;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.jsonapi.BodyReader;
import dev.openplus.jsonapi.DocumentWriter;
import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.WriteBatch;
import dev.openplus.jsonapi.WriteItem;
import dev.openplus.jsonapi.WriteRules;

/**
 * Status times are a record of what the mail provider reported: a PATCH adds the statuses it names and keeps the
 * others; a time once recorded cannot be removed (null) or changed (409 at its pointer). The receiver and the
 * sender are set on create and never change. Times are stored in the API's form (UTC, milliseconds).
 */
final class EmailHistoryRules implements WriteRules {

    @Override
    public void beforeWrite(WriteBatch batch) {
        for (WriteItem item : batch.items()) {
            if (!item.isCreate()) {
                unchangedLink(item, EmailHistoryResource.RECEIVER);
                unchangedLink(item, EmailHistoryResource.SENDER);
            }
            if (item.isCreate() || item.has("status_times")) {
                statusTimes(item);
            }
        }
    }

    private static void unchangedLink(WriteItem item, Relationship relationship) {
        if (item.input().links().containsKey(relationship)
                && !(Objects.equals(item.linkedId(relationship), item.storedLink(relationship.name()))
                        && Objects.equals(item.linkedType(relationship), item.storedLinkType(relationship.name())))) {
            item.problem("/relationships/" + relationship.name() + "/data",
                    relationship.name() + " cannot be changed after creation");
        }
    }

    private static void statusTimes(WriteItem item) {
        String pointer = "/attributes/status_times";
        JsonNode stored = item.stored("status_times") instanceof JsonNode node ? node
                : BodyReader.mapper().createObjectNode();
        // As sent: an explicit null would otherwise already read as the empty object it clears to.
        JsonNode given = item.has("status_times") && item.input().value("status_times") instanceof JsonNode sent
                ? sent : null;
        if (given == null) {
            if (item.has("status_times") && !stored.isEmpty()) {
                item.problem(pointer, "recorded status times cannot be removed");
            }
            return;
        }
        ObjectNode merged = stored.deepCopy();
        for (String status : EmailHistoryResource.STATUSES) {
            JsonNode recorded = stored.get(status);
            JsonNode sent = given.get(status);
            if (sent == null) {
                continue;
            }
            if (sent.isNull()) {
                if (recorded != null) {
                    item.problem(pointer + "/" + status, "a recorded status time cannot be removed");
                }
                continue;
            }
            OffsetDateTime time = OffsetDateTime.parse(sent.asText());
            if (recorded != null) {
                if (!OffsetDateTime.parse(recorded.asText()).toInstant().equals(time.toInstant())) {
                    item.problem(pointer + "/" + status, "a recorded status time cannot be changed");
                }
                continue;
            }
            merged.put(status, DocumentWriter.timestamp(time));
        }
        item.set(EmailHistoryResource.STATUS_TIMES, merged);
    }
}
