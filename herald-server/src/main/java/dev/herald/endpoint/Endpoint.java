package dev.herald.endpoint;

import java.time.Instant;

/**
 * A registered endpoint as stored: the tenant's settings ({@link EndpointSpec}) and what Herald keeps
 * beside them (secret rotation, pause reason, times).
 */
public record Endpoint(
        String id,
        String tenantId,
        EndpointSpec spec,
        String secret,
        String previousSecret,
        Instant previousSecretExpiresAt,
        String pausedReason,
        Instant createdAt,
        Instant updatedAt) {

    /** The secrets that sign a request sent at {@code now}: the current one, and the previous one while it overlaps. */
    public java.util.List<String> liveSecrets(Instant now) {
        if (previousSecret != null && previousSecretExpiresAt != null && now.isBefore(previousSecretExpiresAt)) {
            return java.util.List.of(secret, previousSecret);
        }
        return java.util.List.of(secret);
    }
}
