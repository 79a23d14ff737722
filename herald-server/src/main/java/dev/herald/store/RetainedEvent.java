package dev.herald.store;

import java.time.Instant;
import java.util.List;

/**
 * A tenant's event as stored until retention purges it; {@code data} is its JSON text. {@code deliveries} (every
 * delivery that carries it, oldest first) is filled only when one event is read, not in lists.
 */
public record RetainedEvent(
        long seq,
        String id,
        String type,
        Instant createdAt,
        String orderingKey,
        String data,
        List<DeliveryRef> deliveries) {

    /** A delivery that carries the event (alone, or in a batch), as the event's view names it. */
    public record DeliveryRef(String id, String endpointId, Delivery.Status status) {
    }

    RetainedEvent withDeliveries(List<DeliveryRef> refs) {
        return new RetainedEvent(seq, id, type, createdAt, orderingKey, data, refs);
    }
}
