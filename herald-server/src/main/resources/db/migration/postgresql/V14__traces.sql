-- Traces: the W3C traceparent of the span that caused a row, so that a delivery attempt made later (by any node)
-- links to the publish (or the seal) it came from. NULL while HERALD_OTEL_ENDPOINT is unset: nothing is written.
ALTER TABLE events ADD COLUMN traceparent TEXT;
ALTER TABLE deliveries ADD COLUMN traceparent TEXT;
