package dev.herald.store;

import java.time.Instant;

/**
 * An entry of the catalogue: events are published and subscribed to by these names. {@code schema} (a JSON Schema,
 * draft 2020-12) and {@code example} (an event's {@code data}) are JSON text, null when the type has none.
 */
public record EventType(String name, String description, String schema, String example, Instant createdAt,
                        Instant updatedAt) {

    /** A type with no schema and no example, as created before schemas existed. */
    public EventType(String name, String description, Instant createdAt) {
        this(name, description, null, null, createdAt, createdAt);
    }
}
