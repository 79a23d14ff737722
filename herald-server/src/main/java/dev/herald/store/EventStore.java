package dev.herald.store;

import dev.herald.endpoint.Subscription;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Ingest's one write: events and, for each, a queue row per endpoint of the tenant subscribed to its type,
 * in one transaction, so an acknowledged event always has its queue rows. For an endpoint of format
 * {@code event} there is nothing to wait for: the event is sealed into its own delivery in the same
 * transaction, so it can be sent the moment the publish commits.
 */
public final class EventStore {
    /** Writes the body of a per-event delivery; the batching step owns the format, the store only keeps the bytes. */
    @FunctionalInterface
    public interface EventBody {
        byte[] write(String deliveryId, QueuedEvent event);
    }

    /**
     * One caller's publish: its events in order, the time they are stored at, and the W3C traceparent of its span
     * (null while tracing is off), kept with its events and the deliveries sealed from them.
     */
    public record Publish(String tenantId, List<NewEvent> events, Instant now, String traceparent) {
        public Publish(String tenantId, List<NewEvent> events, Instant now) {
            this(tenantId, events, now, null);
        }
    }

    private record Subscriber(String endpointId, Subscription types, boolean perEvent, boolean orderedByKey) {
        boolean wants(String type) {
            return types.matches(type);
        }
    }

    private final Database db;
    private final EventBody eventBody;

    public EventStore(Database db, EventBody eventBody) {
        this.db = db;
        this.eventBody = eventBody;
    }

    /**
     * Stores the events in order, durably, before answering. An id the tenant used before (or earlier in
     * the same list) is a no-op answered with the first event.
     */
    public List<Published> publish(String tenantId, List<NewEvent> events, Instant now) {
        return publish(List.of(new Publish(tenantId, events, now))).getFirst().events();
    }

    /**
     * What one publish stored: its events, and the endpoints whose per-event deliveries it sealed (due now, so the
     * dispatcher can fill those endpoints' lanes without looking for due work first).
     */
    public record Stored(List<Published> events, Set<String> sealedFor) {
    }

    /** Stores several publishes in one transaction (group commit): all of them, or none when it throws. */
    public List<Stored> publish(List<Publish> group) {
        return db.inTransaction(c -> {
            try (Prepared p = new Prepared(c)) {
                Map<String, List<Subscriber>> subscribers = new HashMap<>();
                List<Stored> out = new ArrayList<>(group.size());
                for (Publish publish : group) {
                    out.add(store(p, publish, subscribers));
                }
                p.flush();
                Notifications.workMade(c, db.dialect());
                return out;
            }
        });
    }

    /** Stores publishes inside the caller's transaction (operational events written with the outcome that caused them). */
    void publishWithin(java.sql.Connection c, List<Publish> publishes) throws SQLException {
        try (Prepared p = new Prepared(c)) {
            Map<String, List<Subscriber>> subscribers = new HashMap<>();
            for (Publish publish : publishes) {
                store(p, publish, subscribers);
            }
            p.flush();
        }
    }

    private Stored store(Prepared p, Publish publish, Map<String, List<Subscriber>> cache) throws SQLException {
        List<Subscriber> subscribers = cache.get(publish.tenantId());
        if (subscribers == null) {
            subscribers = p.list("SELECT id, event_types, format, ordering FROM endpoints WHERE tenant_id = ? AND deleted_at IS NULL",
                    rs -> new Subscriber(rs.getString(1), Subscription.of(EndpointStore.types(rs.getString(2))),
                            "event".equals(rs.getString(3)), "key".equals(rs.getString(4))),
                    publish.tenantId());
            cache.put(publish.tenantId(), subscribers);
        }
        List<Published> out = new ArrayList<>(publish.events().size());
        Set<String> sealedFor = new HashSet<>();
        for (NewEvent e : publish.events()) {
            out.add(storeOne(p, publish.tenantId(), e, subscribers, publish.now(), publish.traceparent(), sealedFor));
        }
        return new Stored(out, sealedFor);
    }

    private Published storeOne(Prepared p, String tenantId, NewEvent e, List<Subscriber> subscribers, Instant now,
                               String traceparent, Set<String> sealedFor) throws SQLException {
        Optional<Long> seq = p.one("INSERT INTO events (tenant_id, id, type, data, ordering_key, created_at, traceparent)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, id) DO NOTHING RETURNING seq",
                rs -> rs.getLong(1), tenantId, e.id(), e.type(), e.data(), e.orderingKey(), now.toEpochMilli(), traceparent);
        if (seq.isEmpty()) {
            // why: the first event may be earlier in this very group, its queue rows still batched
            long createdAt = p.one("SELECT created_at FROM events WHERE tenant_id = ? AND id = ?",
                    rs -> rs.getLong(1), tenantId, e.id()).orElseThrow(() -> new IllegalStateException(
                    "Event " + e.id() + " conflicted on insert but cannot be read. Should never happen inside one transaction."));
            return new Published(e.id(), Instant.ofEpochMilli(createdAt), true);
        }
        for (Subscriber s : subscribers) {
            if (s.wants(e.type()) && s.perEvent()) {
                QueuedEvent event = new QueuedEvent(seq.get(), e.id(), e.type(), e.data(), now, e.orderingKey(), traceparent);
                String id = Ids.uuid7(java.time.Clock.fixed(now, java.time.ZoneOffset.UTC));
                BatchStore.insert(p, id, tenantId, s.endpointId(), e.type(), List.of(event), eventBody.write(id, event),
                        s.orderedByKey() ? e.orderingKey() : null, traceparent, now);
                sealedFor.add(s.endpointId());
            } else if (s.wants(e.type())) {
                p.batch("INSERT INTO queue (endpoint_id, event_seq) VALUES (?, ?)", s.endpointId(), seq.get());
            }
        }
        return new Published(e.id(), now, false);
    }
}
