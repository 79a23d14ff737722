package dev.herald.api;

import dev.herald.store.TenantStore;
import dev.herald.tenant.TenantKeys;
import io.javalin.http.Context;
import java.security.MessageDigest;
import java.time.Duration;

/**
 * Bearer tokens: the admin token may do everything; a tenant key only its own tenant's endpoints and
 * deliveries. Another tenant's resources answer 404, so a key cannot even learn that they exist. Every 401
 * (no token or a wrong one) counts against the caller's address ({@link AuthThrottle}).
 */
final class Auth {
    /** The admin token's digest, computed once: each request hashes only the token it presents. */
    private final byte[] adminDigest;
    private final TenantStore tenants;
    private final AuthThrottle throttle;

    Auth(String adminToken, TenantStore tenants, AuthThrottle throttle) {
        this.adminDigest = TenantKeys.digest(adminToken);
        this.tenants = tenants;
        this.throttle = throttle;
    }

    Principal authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            throw refused(ctx, "send 'Authorization: Bearer <token>' with the admin token or a tenant key");
        }
        String token = header.substring(7).trim();
        if (MessageDigest.isEqual(TenantKeys.digest(token), adminDigest)) {
            return new Principal.Admin();
        }
        if (token.startsWith(TenantKeys.PREFIX)) {
            var tenant = tenants.tenantOfKey(TenantKeys.hash(token));
            if (tenant.isPresent()) {
                return new Principal.TenantKey(tenant.get());
            }
        }
        throw refused(ctx, "the bearer token is not the admin token nor a valid tenant key");
    }

    Principal.Admin admin(Context ctx) {
        if (authenticate(ctx) instanceof Principal.Admin a) {
            return a;
        }
        throw new ApiError(403, "this operation needs the admin token; a tenant key may manage only its own endpoints and deliveries");
    }

    /** The admin, or a key of {@code tenantId}; any other key gets 404 as if the tenant did not exist. */
    Principal tenant(Context ctx, String tenantId) {
        Principal p = authenticate(ctx);
        if (p instanceof Principal.TenantKey(String own) && !own.equals(tenantId)) {
            throw ApiError.notFound("no tenant " + tenantId);
        }
        return p;
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
