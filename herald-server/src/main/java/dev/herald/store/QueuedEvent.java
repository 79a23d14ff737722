package dev.herald.store;

import java.time.Instant;

/** An event waiting in an endpoint's queue; {@code data} is its JSON text. */
public record QueuedEvent(long seq, String id, String type, String data, Instant createdAt) {
}
