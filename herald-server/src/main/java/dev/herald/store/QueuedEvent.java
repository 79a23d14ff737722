package dev.herald.store;

import java.time.Instant;

/**
 * An event waiting in an endpoint's queue; {@code data} is its JSON text; {@code orderingKey} null when it has none;
 * {@code traceparent} the publish span's, null when it was published while tracing was off.
 */
public record QueuedEvent(long seq, String id, String type, String data, Instant createdAt, String orderingKey,
                          String traceparent) {
    public QueuedEvent(long seq, String id, String type, String data, Instant createdAt, String orderingKey) {
        this(seq, id, type, data, createdAt, orderingKey, null);
    }

    public QueuedEvent(long seq, String id, String type, String data, Instant createdAt) {
        this(seq, id, type, data, createdAt, null, null);
    }
}
