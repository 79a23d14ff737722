package dev.herald.api;

import dev.herald.json.Json;
import dev.herald.store.CredentialStore;
import dev.herald.store.CredentialStore.Key;
import dev.herald.store.CredentialStore.Session;
import dev.herald.store.Ids;
import dev.herald.tenant.Tenant;
import dev.herald.tenant.Tokens;
import dev.herald.validation.Fields;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import tools.jackson.databind.node.ObjectNode;

/**
 * Who may call the API: tenant keys (issued, listed, revoked by the admin), portal sessions (links the admin
 * mints for a tenant's people), and {@code GET /v1/me}, which tells a token who it is. Tokens are shown once,
 * at creation; lists show only what tells them apart.
 */
final class CredentialRoutes {
    static final Duration MIN_SESSION = Duration.ofMinutes(5);
    static final Duration MAX_SESSION = Duration.ofDays(7);
    static final Duration DEFAULT_SESSION = Duration.ofHours(1);

    private final ManagementRoutes management;
    private final CredentialStore credentials;
    private final Clock clock;
    /** The URL partners reach Herald at (asked each time: the port is known only once Herald listens). */
    private final Supplier<String> publicUrl;

    CredentialRoutes(ManagementRoutes management, CredentialStore credentials, Clock clock, Supplier<String> publicUrl) {
        this.management = management;
        this.credentials = credentials;
        this.clock = clock;
        this.publicUrl = publicUrl;
    }

    void register(Routes r) {
        r.get("/v1/me", Access.AUTHENTICATED, ctx -> Responses.json(ctx, 200, me(Auth.principal(ctx))));

        r.post("/v1/tenants/{tenant}/keys", Access.ADMIN, ctx -> {
            Tenant t = management.existing(ctx.pathParam("tenant"));
            Fields.of(Bodies.optionalJson(ctx), "").only();
            String key = Tokens.generate(Tokens.KEY_PREFIX);
            Instant now = clock.instant();
            String id = "key_" + Ids.uuid7(clock);
            credentials.addKey(id, t.id(), Tokens.hash(key), key.substring(0, Tokens.SHOWN), now);
            ObjectNode n = Json.object();
            n.put("id", id);
            n.put("key", key);
            n.put("tenant_id", t.id());
            n.put("created_at", now.toString());
            Responses.json(ctx, 201, n);
        });
        r.get("/v1/tenants/{tenant}/keys", Access.ADMIN, ctx -> {
            Tenant t = management.existing(ctx.pathParam("tenant"));
            ObjectNode n = Json.object();
            var data = n.putArray("data");
            credentials.keys(t.id()).forEach(k -> data.add(view(k)));
            n.putNull("next_cursor");
            Responses.json(ctx, 200, n);
        });
        r.delete("/v1/tenants/{tenant}/keys/{key}", Access.ADMIN, ctx -> {
            Tenant t = management.existing(ctx.pathParam("tenant"));
            if (!credentials.revokeKey(t.id(), ctx.pathParam("key"), clock.instant())) {
                throw ApiError.notFound("no key " + ctx.pathParam("key") + " for tenant " + t.id());
            }
            ctx.status(204);
        });

        r.post("/v1/tenants/{tenant}/portal-sessions", Access.ADMIN, ctx -> {
            Tenant t = management.existing(ctx.pathParam("tenant"));
            Fields f = Fields.of(Bodies.optionalJson(ctx), "").only("expires_in_s", "read_only");
            Duration lifetime = Duration.ofSeconds(f.integer("expires_in_s", DEFAULT_SESSION.toSeconds(),
                    MIN_SESSION.toSeconds(), MAX_SESSION.toSeconds()));
            String token = Tokens.generate(Tokens.SESSION_PREFIX);
            Instant now = clock.instant();
            Session s = new Session("ps_" + Ids.uuid7(clock), t.id(), f.bool("read_only", false), now, now.plus(lifetime));
            credentials.addSession(s, Tokens.hash(token));
            ObjectNode n = view(s);
            n.put("token", token);
            // why: the token travels in the fragment, which browsers never send to a server or put in a Referer
            n.put("url", publicUrl.get() + "/portal#token=" + token);
            Responses.json(ctx, 201, n);
        });
        r.get("/v1/tenants/{tenant}/portal-sessions", Access.ADMIN, ctx -> {
            Tenant t = management.existing(ctx.pathParam("tenant"));
            ObjectNode n = Json.object();
            var data = n.putArray("data");
            credentials.sessions(t.id(), clock.instant()).forEach(s -> data.add(view(s)));
            n.putNull("next_cursor");
            Responses.json(ctx, 200, n);
        });
        r.delete("/v1/tenants/{tenant}/portal-sessions/{session}", Access.ADMIN, ctx -> {
            Tenant t = management.existing(ctx.pathParam("tenant"));
            if (!credentials.revokeSession(t.id(), ctx.pathParam("session"), clock.instant())) {
                throw ApiError.notFound("no portal session " + ctx.pathParam("session") + " for tenant " + t.id());
            }
            ctx.status(204);
        });
    }

    private static ObjectNode me(Principal p) {
        ObjectNode n = Json.object();
        n.put("principal", switch (p) {
            case Principal.Admin a -> "admin";
            case Principal.TenantKey k -> "tenant_key";
            case Principal.PortalSession s -> "portal_session";
        });
        n.put("tenant_id", p.tenantId());
        n.put("read_only", p.readOnly());
        if (p instanceof Principal.PortalSession s) {
            n.put("expires_at", s.expiresAt().toString());
        } else {
            n.putNull("expires_at");
        }
        return n;
    }

    private static ObjectNode view(Key k) {
        ObjectNode n = Json.object();
        n.put("id", k.id());
        n.put("prefix", k.prefix());
        n.put("created_at", k.createdAt().toString());
        n.put("last_used_at", k.lastUsedAt() == null ? null : k.lastUsedAt().toString());
        return n;
    }

    private static ObjectNode view(Session s) {
        ObjectNode n = Json.object();
        n.put("id", s.id());
        n.put("tenant_id", s.tenantId());
        n.put("read_only", s.readOnly());
        n.put("created_at", s.createdAt().toString());
        n.put("expires_at", s.expiresAt().toString());
        return n;
    }
}
