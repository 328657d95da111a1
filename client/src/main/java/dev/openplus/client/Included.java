package dev.openplus.client;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;

import dev.openplus.client.model.Id;
import dev.openplus.client.model.OpenPlusResources;
import dev.openplus.client.model.Resource;

/** The {@code included} resources of the pages read so far, read into their records once, when first asked. */
final class Included {
    private final Map<String, JsonNode> resources = new ConcurrentHashMap<>();
    private final Map<String, Resource> read = new ConcurrentHashMap<>();

    /** Keeps a page's {@code included} resources. */
    void add(JsonNode page) {
        for (JsonNode resource : page.path("included")) {
            resources.put(key(resource.path("type").asText(), resource.path("id").asText()), resource);
        }
    }

    /** The included resource of an id, as its type's record; empty when not included or of a type not known here. */
    @SuppressWarnings("unchecked")
    <R extends Resource> Optional<R> get(Id<R> id) {
        if (id == null || id.id() == null || id.type() == null) {
            return Optional.empty();
        }
        String key = key(id.type(), id.id());
        JsonNode resource = resources.get(key);
        if (resource == null) {
            return Optional.empty();
        }
        return Optional.ofNullable((R) read.computeIfAbsent(key, k -> OpenPlusResources.kind(id.type())
                .map(found -> (Resource) found.read(resource)).orElse(null)));
    }

    private static String key(String type, String id) {
        return type + "/" + id;
    }
}
