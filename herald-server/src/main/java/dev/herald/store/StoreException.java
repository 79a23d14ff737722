package dev.herald.store;

/** The database failed (unreachable, full, corrupt): a 503 to API callers, a retry later to workers. */
public final class StoreException extends RuntimeException {
    /** What kind of failure: whether the database could not be reached, could not be written, or failed otherwise. */
    public enum Kind {
        /** No connection within the wait (the database is down, restarting, or out of reach). */
        UNREACHABLE,
        /** A write failed because the database cannot take writes (disk full, I/O error, read-only). */
        NOT_WRITABLE,
        /** Anything else: a constraint, a bug, a corrupt file. */
        FAILED
    }

    private final Kind kind;

    public StoreException(String message, Throwable cause) {
        this(Kind.FAILED, message, cause);
    }

    public StoreException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** Whether the failure is the database's state rather than this operation's: retrying the same work may succeed. */
    public boolean outage() {
        return kind != Kind.FAILED;
    }
}
