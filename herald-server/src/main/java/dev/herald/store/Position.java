package dev.herald.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Where a newest-first list stopped: the creation time of the last item shown and its tie-breaker (a delivery
 * id, or an event's sequence number), as {@code <epoch millis>.<tie-breaker>}. Lists ordered by time rather
 * than by id page by both, so a page starts right after the last item even when many share one millisecond,
 * and a {@code since}/{@code until} range and the order come from one index.
 */
public record Position(long createdAt, String last) {

    static Position of(Instant createdAt, Object last) {
        return new Position(createdAt.toEpochMilli(), String.valueOf(last));
    }

    /** The key a page hands on (the API wraps it in an opaque cursor). */
    public String key() {
        return createdAt + "." + last;
    }

    /** The position a key names, or empty when it is not one {@link #key} made. */
    public static Optional<Position> parse(String key) {
        int dot = key.indexOf('.');
        if (dot < 1 || dot == key.length() - 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Position(Long.parseLong(key.substring(0, dot)), key.substring(dot + 1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** As {@link #parse}, for lists whose tie-breaker is a sequence number. */
    public static Optional<Position> parseNumbered(String key) {
        return parse(key).filter(p -> p.last.chars().allMatch(ch -> ch >= '0' && ch <= '9') && p.last.length() <= 18);
    }

    long lastNumber() {
        return Long.parseLong(last);
    }
}
