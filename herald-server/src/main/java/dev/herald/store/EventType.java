package dev.herald.store;

import java.time.Instant;

/** An entry of the catalogue: events are published and subscribed to by these names. */
public record EventType(String name, String description, Instant createdAt) {
}
