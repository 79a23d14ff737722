-- Finding events and their deliveries: the events list, an event's deliveries, and the delivery list's filters
-- (endpoint, status, event id, event type, time). Every filter of those lists has an index that narrows it;
-- lists are newest first by (created_at, id), so one index gives both the filter and the order.

-- The type of each event a delivery holds, written when the delivery is sealed. why: deliveries.event_type
-- is 'batch' for a batch, and the events themselves are purged by retention while their deliveries remain.
ALTER TABLE delivery_events ADD COLUMN event_type TEXT;
-- Rows sealed before this column: a per-event delivery names its event's type itself (it outlives the event);
-- a batch's rows take it from the event while that is still retained. Null only where neither is left.
UPDATE delivery_events SET event_type = d.event_type FROM deliveries d
    WHERE d.id = delivery_events.delivery_id AND d.event_type <> 'batch' AND delivery_events.event_type IS NULL;
UPDATE delivery_events SET event_type = e.type FROM events e
    WHERE e.seq = delivery_events.event_seq AND delivery_events.event_type IS NULL;

-- An event's deliveries (by event_id and event_seq), and ?event_id= on the delivery list (by event_id alone:
-- it still finds deliveries after retention purged the event).
CREATE INDEX delivery_events_by_event ON delivery_events (event_id, event_seq);
CREATE INDEX delivery_events_by_type ON delivery_events (event_type, delivery_id);

-- The delivery list, newest first, of a tenant, of one endpoint, or of one status; since/until are ranges in
-- the same indexes. These replace (tenant_id, id) and (endpoint_id, id), which only the list used.
DROP INDEX deliveries_by_tenant;
DROP INDEX deliveries_by_endpoint;
CREATE INDEX deliveries_by_tenant ON deliveries (tenant_id, created_at, id);
CREATE INDEX deliveries_by_endpoint ON deliveries (endpoint_id, created_at, id);
CREATE INDEX deliveries_by_tenant_status ON deliveries (tenant_id, status, created_at, id);

-- The events list, newest first, all types or one.
CREATE INDEX events_by_tenant ON events (tenant_id, created_at, seq);
CREATE INDEX events_by_tenant_type ON events (tenant_id, type, created_at, seq);
