package dev.herald.api;

import java.time.Instant;

/** Who is calling: the admin, or one tenant through one of its keys or a portal session. */
sealed interface Principal {
    /** The tenant this principal acts for; null for the admin, who may act for any. */
    String tenantId();

    /** Whether only reads are allowed. */
    default boolean readOnly() {
        return false;
    }

    record Admin() implements Principal {
        @Override
        public String tenantId() {
            return null;
        }
    }

    record TenantKey(String tenantId, String keyId) implements Principal {
    }

    record PortalSession(String tenantId, String sessionId, boolean readOnly, Instant expiresAt) implements Principal {
    }
}
