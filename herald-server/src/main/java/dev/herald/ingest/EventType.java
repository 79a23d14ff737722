package dev.herald.ingest;

import java.time.Instant;
import java.util.regex.Pattern;

/** An entry of the catalogue: events are published and subscribed to by these names. */
public record EventType(String name, String description, Instant createdAt) {
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");
    public static final String NAME_RULE = "must be an event type name of 1 to 128 letters, digits, '_', '.', ':' or '-'";
}
