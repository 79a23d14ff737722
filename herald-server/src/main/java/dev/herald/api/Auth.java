package dev.herald.api;

import dev.herald.store.CredentialStore;
import dev.herald.tenant.Tokens;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.security.RouteRole;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens and the one place routes are guarded ({@link #enforce}). The admin token may do everything; a
 * tenant key or portal session only its own tenant's routes, and a read-only session only their reads. Another
 * tenant's resources answer 404, so a key cannot even learn that they exist. Every 401 (no token or a wrong
 * one) counts against the caller's address ({@link AuthThrottle}).
 */
final class Auth {
    private static final String PRINCIPAL = "herald.principal";
    /** A key's last use is written at most this often, so reads do not each cost a write. */
    static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);

    /** The admin token's digest, computed once: each request hashes only the token it presents. */
    private final byte[] adminDigest;
    private final CredentialStore credentials;
    private final AuthThrottle throttle;
    private final Clock clock;
    private final Map<String, Instant> lastUseWritten = new ConcurrentHashMap<>();

    Auth(String adminToken, CredentialStore credentials, AuthThrottle throttle, Clock clock) {
        this.adminDigest = Tokens.digest(adminToken);
        this.credentials = credentials;
        this.throttle = throttle;
        this.clock = clock;
    }

    /** Runs before every matched route: lets the caller through as the route's {@link Access} says, or throws. */
    void enforce(Context ctx) {
        Access access = access(ctx);
        if (access == Access.PUBLIC) {
            return;
        }
        Principal p = authenticate(ctx);
        ctx.attribute(PRINCIPAL, p);
        switch (access) {
            case ADMIN -> {
                if (!(p instanceof Principal.Admin)) {
                    throw new ApiError(403, "this operation needs the admin token; a tenant key or portal session may"
                            + " use only its own tenant's routes");
                }
            }
            case TENANT_READ, TENANT_WRITE -> {
                String tenant = ctx.pathParam("tenant");
                if (p.tenantId() != null && !p.tenantId().equals(tenant)) {
                    throw ApiError.notFound("no tenant " + tenant);
                }
                if (access == Access.TENANT_WRITE && p.readOnly()) {
                    // why: the one read a read-only session may not make is revealing a signing key
                    throw new ApiError(403, ctx.method() == HandlerType.GET
                            ? "this portal session is read-only; it may read but not reveal an endpoint's secret"
                            : "this portal session is read-only; it may only read");
                }
            }
            default -> {
                // AUTHENTICATED: any valid token will do
            }
        }
    }

    /** The principal {@link #enforce} authenticated for this request. */
    static Principal principal(Context ctx) {
        Principal p = ctx.attribute(PRINCIPAL);
        if (p == null) {
            throw new IllegalStateException("No principal on a route that reads one. Should never happen: such a route"
                    + " must be registered with an Access other than PUBLIC.");
        }
        return p;
    }

    private static Access access(Context ctx) {
        for (RouteRole role : ctx.routeRoles()) {
            if (role instanceof Access a) {
                return a;
            }
        }
        throw new IllegalStateException("Route " + ctx.method() + " " + ctx.path() + " has no Access."
                + " Should never happen: Routes registers every route with one.");
    }

    private Principal authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            throw refused(ctx, "send 'Authorization: Bearer <token>' with the admin token, a tenant key or a portal session");
        }
        String token = header.substring(7).trim();
        if (MessageDigest.isEqual(Tokens.digest(token), adminDigest)) {
            return new Principal.Admin();
        }
        Instant now = clock.instant();
        if (token.startsWith(Tokens.KEY_PREFIX)) {
            var key = credentials.keyByHash(Tokens.hash(token));
            if (key.isPresent()) {
                noteUse(key.get().id(), now);
                return new Principal.TenantKey(key.get().tenantId(), key.get().id());
            }
        } else if (token.startsWith(Tokens.SESSION_PREFIX)) {
            var session = credentials.sessionByHash(Tokens.hash(token), now);
            if (session.isPresent()) {
                return new Principal.PortalSession(session.get().tenantId(), session.get().id(), session.get().readOnly(),
                        session.get().expiresAt());
            }
            throw refused(ctx, "this portal session has expired or was revoked; ask for a new portal link");
        }
        throw refused(ctx, "the bearer token is not the admin token nor a valid tenant key or portal session");
    }

    private void noteUse(String keyId, Instant now) {
        Instant written = lastUseWritten.get(keyId);
        if (written == null || !now.isBefore(written.plus(LAST_USED_RESOLUTION))) {
            lastUseWritten.put(keyId, now);
            credentials.keyUsed(keyId, now);
        }
    }

    /** A 401, or a 429 with Retry-After once the caller's address has failed too often. */
    private ApiError refused(Context ctx, String detail) {
        Duration blocked = throttle.failed(ctx.req().getRemoteAddr());
        if (blocked == null) {
            return new ApiError(401, detail);
        }
        long seconds = Math.max(1, (blocked.toMillis() + 999) / 1000);
        ctx.header("Retry-After", Long.toString(seconds));
        return new ApiError(429, "too many failed authentications from this address; a valid token still works,"
                + " anything else is refused for " + seconds + " s more");
    }
}
