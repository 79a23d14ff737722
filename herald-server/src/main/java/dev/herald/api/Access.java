package dev.herald.api;

import io.javalin.security.RouteRole;

/**
 * Who may call a route, declared where the route is registered and enforced in one place
 * ({@link Auth#enforce}, run before every matched route), so a route cannot be left open by forgetting a call.
 */
enum Access implements RouteRole {
    /** Anyone, without a token: health, metrics, the documentation and the pages. */
    PUBLIC,
    /** Any valid token: the admin token, a tenant key or a portal session. */
    AUTHENTICATED,
    /** The admin token only. */
    ADMIN,
    /** The admin, or a key or portal session of the route's {@code {tenant}} (read-only sessions included). */
    TENANT_READ,
    /** The admin, or a key or a session that is not read-only, of the route's {@code {tenant}}. */
    TENANT_WRITE
}
