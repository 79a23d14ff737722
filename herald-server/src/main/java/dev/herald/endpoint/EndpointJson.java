package dev.herald.endpoint;

import dev.herald.endpoint.RetryPolicy.Kind;
import dev.herald.json.Json;
import dev.herald.signing.Ed25519Keys;
import dev.herald.signing.Signing;
import java.time.Instant;
import tools.jackson.databind.node.ObjectNode;

/**
 * An endpoint as the API shows it. The TLS private key and an ed25519 private key are never shown; the HMAC
 * secret, or the ed25519 public key, only when asked.
 */
public final class EndpointJson {
    private EndpointJson() {
    }

    /** @param withKey include the current key: {@code secret} (HMAC) or {@code public_key} (ed25519) */
    public static ObjectNode view(Endpoint e, boolean withKey) {
        ObjectNode n = Json.object();
        n.put("id", e.id());
        n.put("tenant_id", e.tenantId());
        n.setAll(spec(e.spec(), false));
        n.put("signing", e.signing().toString());
        if (withKey) {
            putKey(n, "", e.secret());
        }
        if (e.pausedReason() != null) {
            n.put("paused_reason", e.pausedReason());
        } else {
            n.putNull("paused_reason");
        }
        n.put("created_at", e.createdAt().toString());
        n.put("updated_at", e.updatedAt().toString());
        return n;
    }

    /**
     * The answer to a rotation, or to a PATCH that switched the scheme: the endpoint with its new key, and when the
     * previous key stops signing ({@code previous_secret_expires_at}; for an ed25519 key also the key itself,
     * {@code previous_public_key}, which is public).
     */
    public static ObjectNode rotated(Endpoint e) {
        ObjectNode n = view(e, true);
        if (e.previousSecret() != null) {
            if (Signing.of(e.previousSecret()) == Signing.ED25519) {
                putKey(n, "previous_", e.previousSecret());
            }
            n.put(Signing.of(e.previousSecret()) == Signing.ED25519 ? "previous_public_key_expires_at"
                    : "previous_secret_expires_at", e.previousSecretExpiresAt().toString());
        }
        return n;
    }

    /**
     * {@code GET …/secret}: the scheme, the current key, and the previous key while it still signs at {@code now}.
     * The fields of the current scheme are always there ({@code secret, previous_secret, previous_secret_expires_at}
     * or {@code public_key, previous_public_key, previous_public_key_expires_at}), the previous ones null when there
     * is no overlap. In the day after a switch of scheme, the previous key is of the other scheme and comes in the
     * fields of its own kind. An ed25519 private key is never shown.
     */
    public static ObjectNode keys(Endpoint e, Instant now) {
        ObjectNode n = Json.object();
        n.put("signing", e.signing().toString());
        putKey(n, "", e.secret());
        String sameKind = e.signing() == Signing.ED25519 ? "previous_public_key" : "previous_secret";
        n.putNull(sameKind);
        n.putNull(sameKind + "_expires_at");
        if (e.previousOverlaps(now)) {
            String kind = Signing.of(e.previousSecret()) == Signing.ED25519 ? "previous_public_key" : "previous_secret";
            putKey(n, "previous_", e.previousSecret());
            n.put(kind + "_expires_at", e.previousSecretExpiresAt().toString());
        }
        return n;
    }

    /** {@code <prefix>secret} for an HMAC secret, {@code <prefix>public_key} (never the private key) for ed25519. */
    private static void putKey(ObjectNode n, String prefix, String key) {
        if (Signing.of(key) == Signing.ED25519) {
            n.put(prefix + "public_key", Ed25519Keys.publicKey(key));
        } else {
            n.put(prefix + "secret", key);
        }
    }

    /** The tenant's settings; {@code withKey} includes the TLS private key (for merging a PATCH, never shown). */
    static ObjectNode spec(EndpointSpec s, boolean withKey) {
        ObjectNode n = Json.object();
        n.put("url", s.url());
        n.put("description", s.description());
        var types = n.putArray("event_types");
        s.eventTypes().forEach(types::add);
        n.put("format", s.format().toString());
        if (s.batch() != null) {
            ObjectNode b = n.putObject("batch");
            b.put("max_events", s.batch().maxEvents());
            b.put("window_ms", s.batch().window().toMillis());
        }
        n.set("retry", retry(s.retry()));
        ObjectNode headers = n.putObject("headers");
        s.headers().forEach(headers::put);
        if (s.tls() != null) {
            ObjectNode t = n.putObject("tls");
            putIfSet(t, "client_certificate", s.tls().clientCertificate());
            if (withKey) {
                putIfSet(t, "client_key", s.tls().clientKey());
            }
            putIfSet(t, "ca_certificates", s.tls().caCertificates());
        }
        n.put("timeout_ms", s.timeout().toMillis());
        n.put("max_concurrency", s.maxConcurrency());
        n.put("rate_limit_per_s", s.rateLimitPerS());
        n.put("ordering", s.ordering().toString());
        n.put("status", s.status().toString());
        return n;
    }

    static ObjectNode retry(RetryPolicy r) {
        ObjectNode n = Json.object();
        n.put("policy", r.policy().toString());
        n.put("max_attempts", r.maxAttempts());
        if (r.policy() == Kind.POLYNOMIAL) {
            n.put("horizon_ms", r.horizon().toMillis());
        } else {
            n.put("initial_delay_ms", r.initialDelay().toMillis());
        }
        n.put("on", r.on().toString());
        return n;
    }

    private static void putIfSet(ObjectNode n, String name, String value) {
        if (value != null) {
            n.put(name, value);
        }
    }
}
