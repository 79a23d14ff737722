package dev.herald.validation;

import java.util.regex.Pattern;

/** The rule for event type names, shared by the catalogue (which defines them) and endpoints (which subscribe). */
public final class EventTypeName {
    public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");
    public static final String RULE = "must be an event type name of 1 to 128 letters, digits, '_', '.', ':' or '-'";

    private EventTypeName() {
    }
}
