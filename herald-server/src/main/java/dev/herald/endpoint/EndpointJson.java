package dev.herald.endpoint;

import dev.herald.endpoint.RetryPolicy.Kind;
import dev.herald.json.Json;
import tools.jackson.databind.node.ObjectNode;

/** An endpoint as the API shows it. The TLS private key is never shown; the secret only when asked. */
public final class EndpointJson {
    private EndpointJson() {
    }

    public static ObjectNode view(Endpoint e, boolean withSecret) {
        ObjectNode n = Json.object();
        n.put("id", e.id());
        n.put("tenant_id", e.tenantId());
        n.setAll(spec(e.spec(), false));
        if (withSecret) {
            n.put("secret", e.secret());
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
