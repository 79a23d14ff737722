package dev.herald.tenant;

import java.time.Instant;

/** A partner of the platform: owns endpoints and receives deliveries. */
public record Tenant(String id, String name, Instant createdAt) {
    public static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    public static final String ID_RULE = "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";
}
