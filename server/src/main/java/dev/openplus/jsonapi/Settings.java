package dev.openplus.jsonapi;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An application's settings that a feature's rules read ({@link WriteBatch#setting}), keyed by their type: the
 * engine carries them to the rules without knowing them, so that two applications on one database (a test's
 * second server) can differ and nothing is kept in a static field.
 */
public final class Settings {
    private final Map<Class<?>, Object> values = new ConcurrentHashMap<>();

    public <T> Settings set(Class<T> key, T value) {
        values.put(key, value);
        return this;
    }

    /** The setting of this type, or {@code fallback} where the application set none. */
    public <T> T get(Class<T> key, T fallback) {
        Object value = values.get(key);
        return value == null ? fallback : key.cast(value);
    }
}
