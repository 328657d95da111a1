package dev.openplus.jsonapi;

import java.util.List;

import org.jooq.DSLContext;

import com.fasterxml.jackson.databind.JsonNode;

/** The resources one write request creates or updates, as the rules see them. */
public record WriteBatch(DSLContext dsl, Caller caller, ResourceType type, Mode mode, List<WriteItem> items,
        JsonNode meta, boolean ignoreDuplicates, Settings settings) {

    public enum Mode { CREATE, UPDATE }

    /** The application's setting of this type ({@link Settings}), or {@code fallback}. */
    public <T> T setting(Class<T> key, T fallback) {
        return settings.get(key, fallback);
    }

    /** The items that are still to be written (not skipped). */
    public List<WriteItem> written() {
        return items.stream().filter(item -> !item.skipped()).toList();
    }

    /** Throws every problem any item has collected, all together. */
    public void throwIfProblems() {
        ApiException.Collector all = new ApiException.Collector();
        items.forEach(item -> all.addAll(item.problems()));
        all.throwIfAny();
    }
}
