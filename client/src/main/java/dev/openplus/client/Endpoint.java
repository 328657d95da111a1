package dev.openplus.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.openplus.client.internal.Values;
import dev.openplus.client.model.Resource;
import dev.openplus.client.model.ResourceKind;
import dev.openplus.client.model.ResourceKind.Operation;

/**
 * The operations of one resource type ({@code client.patients()}). An operation the server does not route for the
 * type throws {@link UnsupportedOperationException} without a request (see each accessor's documentation for
 * what its type offers).
 *
 * @param <T> the type's record
 */
public final class Endpoint<T extends Resource> {
    private final Transport transport;
    private final ResourceKind<T> kind;
    private final int maxBulkItems;

    Endpoint(Transport transport, ResourceKind<T> kind, int maxBulkItems) {
        this.transport = transport;
        this.kind = kind;
        this.maxBulkItems = maxBulkItems;
    }

    /**
     * The type this endpoint serves.
     *
     * @return its kind
     */
    public ResourceKind<T> kind() {
        return kind;
    }

    private String collection() {
        return "/pub/" + kind.type();
    }

    private String item(String id) {
        return collection() + "/" + java.net.URLEncoder.encode(Objects.requireNonNull(id, "id"),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    private void require(Operation operation) {
        if (!kind.supports(operation)) {
            throw new UnsupportedOperationException("the server offers no " + operation + " of " + kind.type());
        }
    }

    /**
     * Lists the resources of a query, every page (lazily, as the results are iterated).
     *
     * @param query filters, includes, sort, fields and page size
     * @return the results
     */
    public Results<T> list(Query query) {
        require(Operation.LIST);
        return new Results<>(transport, kind, collection() + query.encode(true));
    }

    /**
     * One resource by id.
     *
     * @param id the id
     * @return the resource
     * @throws NotFoundException when it does not exist or lies outside the client's scope
     */
    public T get(String id) {
        return get(id, Query.all());
    }

    /**
     * One resource by id, with the query's {@code fields[...]} (its filters and sort do not apply).
     *
     * @param id    the id
     * @param query the query whose fieldsets apply
     * @return the resource
     * @throws NotFoundException when it does not exist or lies outside the client's scope
     */
    public T get(String id, Query query) {
        require(Operation.FETCH);
        return kind.read(transport.send("GET", item(id) + Query.encode(query.fetchParameters()), null).path("data"));
    }

    /**
     * Creates a resource from the non-null writable members of a value (usually made with the type's
     * {@code builder()}).
     *
     * @param value the new resource's values
     * @return the resource as created (with its id and server-set attributes)
     */
    public T create(T value) {
        require(Operation.CREATE);
        ObjectNode body = Values.MAPPER.createObjectNode();
        body.set("data", resourceObject(value, null));
        return kind.read(transport.send("POST", collection(), body).path("data"));
    }

    /**
     * Creates many resources: in requests of at most the server's bulk limit where the type has bulk create (each
     * request all-or-nothing), one by one otherwise. A failure stops at the failing request: the requests before it
     * stay created.
     *
     * @param values the new resources' values
     * @return one created resource per value, in the same order
     */
    public List<T> createAll(List<T> values) {
        return createAll(values, false);
    }

    /**
     * {@link #createAll(List)}, with {@code meta.ignore_duplicates} where the type accepts it: values the server
     * skips as duplicates (e.g. a patient whose unique identifier is taken) have null in their place.
     *
     * @param values           the new resources' values
     * @param ignoreDuplicates whether duplicates are skipped rather than refused
     * @return one created resource (or null for a skipped one) per value, in the same order
     */
    public List<T> createAll(List<T> values, boolean ignoreDuplicates) {
        require(Operation.CREATE);
        List<T> created = new ArrayList<>(values.size());
        if (!kind.bulkCreate()) {
            if (ignoreDuplicates) {
                throw new UnsupportedOperationException(kind.type() + " has no bulk create with ignore_duplicates");
            }
            values.forEach(value -> created.add(create(value)));
            return created;
        }
        for (int start = 0; start < values.size(); start += maxBulkItems) {
            List<T> chunk = values.subList(start, Math.min(values.size(), start + maxBulkItems));
            ObjectNode body = Values.MAPPER.createObjectNode();
            ArrayNode data = body.putArray("data");
            chunk.forEach(value -> data.add(resourceObject(value, null)));
            if (ignoreDuplicates) {
                body.putObject("meta").put("ignore_duplicates", true);
            }
            JsonNode answer = transport.send("POST", collection(), body);
            List<T> answered = new ArrayList<>();
            answer.path("data").forEach(resource -> answered.add(kind.read(resource)));
            java.util.Set<Integer> skipped = new java.util.HashSet<>();
            for (JsonNode pointer : answer.path("meta").path("ignored")) {
                String text = pointer.asText();
                if (text.matches("/data/[0-9]+")) {
                    skipped.add(Integer.parseInt(text.substring("/data/".length())));
                }
            }
            int next = 0;
            for (int i = 0; i < chunk.size(); i++) {
                created.add(skipped.contains(i) || next >= answered.size() ? null : answered.get(next++));
            }
        }
        return Collections.unmodifiableList(created);
    }

    /**
     * Changes a resource: sends only the writable attributes and relationships whose values differ between
     * {@code before} (as fetched) and {@code after} (typically {@code before.toBuilder()...build()}). A member
     * set to null in {@code after} is cleared; a relationship set to null is left as it is.
     *
     * @param before the resource as fetched
     * @param after  the values wanted
     * @return the resource as changed
     */
    public T update(T before, T after) {
        require(Operation.UPDATE);
        String id = Objects.requireNonNull(before.id(), "before.id()");
        Map<String, JsonNode> attributes = changed(kind.attributeValues(before), kind.attributeValues(after));
        Map<String, JsonNode> relationships = changed(kind.relationshipValues(before),
                kind.relationshipValues(after));
        relationships.values().removeIf(Objects::isNull);
        return patch(id, attributes, relationships);
    }

    /**
     * Changes attributes given by wire name ({@code null} clears one): for what the record cannot express.
     *
     * @param id         the resource's id
     * @param attributes wire name to Java value (as in the records, or JSON nodes)
     * @return the resource as changed
     */
    public T update(String id, Map<String, ?> attributes) {
        require(Operation.UPDATE);
        Map<String, JsonNode> values = new LinkedHashMap<>();
        attributes.forEach((name, value) -> values.put(name, Values.json(value)));
        return patch(id, values, Map.of());
    }

    private T patch(String id, Map<String, JsonNode> attributes, Map<String, JsonNode> relationships) {
        ObjectNode body = Values.MAPPER.createObjectNode();
        ObjectNode data = body.putObject("data");
        data.put("type", kind.type());
        data.put("id", id);
        if (!attributes.isEmpty()) {
            data.set("attributes", Values.object(attributes));
        }
        if (!relationships.isEmpty()) {
            data.set("relationships", Values.object(relationships));
        }
        return kind.read(transport.send("PATCH", item(id), body).path("data"));
    }

    private static Map<String, JsonNode> changed(Map<String, JsonNode> before, Map<String, JsonNode> after) {
        Map<String, JsonNode> changed = new LinkedHashMap<>();
        after.forEach((name, value) -> {
            if (!Objects.equals(before.get(name), value)) {
                changed.put(name, value);
            }
        });
        return changed;
    }

    /**
     * Deletes a resource.
     *
     * @param id the resource's id
     * @throws NotFoundException when it does not exist (also when it was deleted before)
     */
    public void delete(String id) {
        require(Operation.DELETE);
        transport.send("DELETE", item(id), null);
    }

    /** The JSON:API resource object of a value: its non-null writable members, with {@code meta} if given. */
    ObjectNode resourceObject(T value, JsonNode meta) {
        ObjectNode resource = Values.MAPPER.createObjectNode();
        resource.put("type", kind.type());
        ObjectNode attributes = resource.putObject("attributes");
        kind.attributeValues(value).forEach((name, json) -> {
            if (!json.isNull()) {
                attributes.set(name, json);
            }
        });
        Map<String, JsonNode> relationships = new LinkedHashMap<>(kind.relationshipValues(value));
        relationships.values().removeIf(Objects::isNull);
        if (!relationships.isEmpty()) {
            resource.set("relationships", Values.object(relationships));
        }
        if (meta != null) {
            resource.set("meta", meta);
        }
        return resource;
    }
}
