package dev.herald.validation;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Times as the API takes them, in bodies and queries: RFC 3339 with an offset ({@code Z} or {@code +02:00}). */
public final class Times {
    public static final String RULE = "must be an RFC 3339 time with an offset, like 2026-11-24T10:00:00Z";

    private Times() {
    }

    /** The instant {@code text} names, or empty when it is not RFC 3339 with an offset. */
    public static Optional<Instant> parse(String text) {
        try {
            return Optional.of(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
