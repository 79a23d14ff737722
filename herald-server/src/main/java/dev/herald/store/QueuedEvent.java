package dev.herald.store;

import java.time.Instant;

/** An event waiting in an endpoint's queue; {@code data} is its JSON text; {@code orderingKey} null when it has none. */
public record QueuedEvent(long seq, String id, String type, String data, Instant createdAt, String orderingKey) {
    public QueuedEvent(long seq, String id, String type, String data, Instant createdAt) {
        this(seq, id, type, data, createdAt, null);
    }
}
