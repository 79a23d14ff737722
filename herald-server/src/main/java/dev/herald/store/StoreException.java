package dev.herald.store;

/** The database failed (unreachable, full, corrupt): a 503 to API callers, a retry later to workers. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
