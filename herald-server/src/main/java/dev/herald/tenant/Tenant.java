package dev.herald.tenant;

import java.time.Instant;

/** A partner of the platform: owns endpoints and receives deliveries. */
public record Tenant(String id, String name, Instant createdAt) {
}
