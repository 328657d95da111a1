package dev.openplus.jsonapi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** All resource types by wire name: relationships name their target by type name and resolve here. */
public final class ResourceRegistry {
    private final Map<String, ResourceType> types = new LinkedHashMap<>();

    public ResourceRegistry register(ResourceType type) {
        if (types.putIfAbsent(type.name(), type) != null) {
            throw new IllegalStateException("resource type " + type.name() + " registered twice");
        }
        return this;
    }

    public Optional<ResourceType> find(String name) {
        return Optional.ofNullable(types.get(name));
    }

    public ResourceType get(String name) {
        return find(name).orElseThrow(() -> new IllegalStateException("unknown resource type " + name));
    }

    /** Every registered type, in registration order. */
    public List<ResourceType> types() {
        return List.copyOf(types.values());
    }

    public ResourceType target(Relationship relationship) {
        return get(relationship.targetType());
    }

    /** Every type the relationship may point to (one, or several for a polymorphic to-one). */
    public List<ResourceType> targets(Relationship relationship) {
        return relationship.targetTypes().stream().map(this::get).toList();
    }
}
