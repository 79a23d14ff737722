package dev.herald.store;

import java.time.Instant;

/** What a publish acknowledges: the event's id and time; {@code repeated} when the id was seen before. */
public record Published(String id, Instant createdAt, boolean repeated) {
}
