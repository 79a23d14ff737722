package dev.herald.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Times as people type them on a command line: an RFC 3339 instant ({@code 2025-01-31T10:00:00Z}), or a span back
 * from now ({@code 90s}, {@code 15m}, {@code 2h}, {@code 7d}). The API receives RFC 3339 either way.
 */
final class Times {
    static final String INSTANT_HELP = "an RFC 3339 time like 2025-01-31T10:00:00Z, or a span back from now like 30m, 2h, 7d";
    private static final Pattern SPAN = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private Times() {
    }

    /** A span like {@code 90s}, {@code 15m}, {@code 2h}, {@code 7d}; empty when {@code raw} is not one. */
    static Optional<Duration> span(String raw) {
        Matcher m = SPAN.matcher(raw.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        });
    }

    /** An instant, or now minus a span; empty when {@code raw} is neither. */
    static Optional<Instant> instant(String raw, Clock clock) {
        Optional<Duration> back = span(raw);
        if (back.isPresent()) {
            return Optional.of(clock.instant().minus(back.get()));
        }
        try {
            return Optional.of(OffsetDateTime.parse(raw.strip()).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
