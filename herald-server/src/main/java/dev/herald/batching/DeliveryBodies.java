package dev.herald.batching;

import dev.herald.json.Json;
import dev.herald.store.QueuedEvent;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import tools.jackson.core.JsonGenerator;

/**
 * The bytes an endpoint receives, frozen when a delivery is sealed: every attempt sends them unchanged.
 * Shapes exactly as DESIGN.md and the reference documents give them; times are RFC 3339 UTC seconds.
 */
public final class DeliveryBodies {
    private DeliveryBodies() {
    }

    /** {@code {"batch_id", "timestamp", "count", "events": [{"id", "createdAt", "type", "data"}]}} */
    public static byte[] batch(String batchId, Instant sealedAt, List<QueuedEvent> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + events.size() * 128);
        try (JsonGenerator g = Json.MAPPER.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringProperty("batch_id", batchId);
            g.writeStringProperty("timestamp", time(sealedAt));
            g.writeNumberProperty("count", events.size());
            g.writeArrayPropertyStart("events");
            for (QueuedEvent e : events) {
                g.writeStartObject();
                g.writeStringProperty("id", e.id());
                g.writeStringProperty("createdAt", time(e.createdAt()));
                g.writeStringProperty("type", e.type());
                g.writeName("data");
                g.writeRawValue(e.data());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    /** {@code {"event", "data", "delivery_key"}} */
    public static byte[] event(String deliveryKey, QueuedEvent e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + e.data().length());
        try (JsonGenerator g = Json.MAPPER.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringProperty("event", e.type());
            g.writeName("data");
            g.writeRawValue(e.data());
            g.writeStringProperty("delivery_key", deliveryKey);
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
