package dev.herald.api;

/** Who is calling: the admin, or one tenant through one of its keys. */
sealed interface Principal {
    record Admin() implements Principal {
    }

    record TenantKey(String tenantId) implements Principal {
    }
}
