package dev.herald.endpoint;

import dev.herald.signing.Signing;
import java.time.Instant;
import java.util.List;

/**
 * A registered endpoint as stored: the tenant's settings ({@link EndpointSpec}) and what Herald keeps
 * beside them (signing keys and their rotation, pause reason, times).
 *
 * <p>{@code secret} is the current signing key and {@code previousSecret} the one before it, which keeps signing
 * until {@code previousSecretExpiresAt}: each an HMAC secret ({@code whsec_}) or an ed25519 private key
 * ({@code whsk_}), never shown for ed25519. The endpoint signs with the scheme of its current key
 * ({@link #signing()}); the previous key may be of the other scheme for a day after the endpoint switched.
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

    /** How this endpoint's requests are signed: the scheme of its current key. */
    public Signing signing() {
        return Signing.of(secret);
    }

    /** The keys that sign a request sent at {@code now}: the current one, and the previous one while it overlaps. */
    public List<String> liveSecrets(Instant now) {
        if (previousOverlaps(now)) {
            return List.of(secret, previousSecret);
        }
        return List.of(secret);
    }

    /** Whether the previous key still signs at {@code now}. */
    public boolean previousOverlaps(Instant now) {
        return previousSecret != null && previousSecretExpiresAt != null && now.isBefore(previousSecretExpiresAt);
    }
}
