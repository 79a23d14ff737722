package dev.herald.store;

/** The few places where SQLite and PostgreSQL differ. Everything else is the same SQL. */
public enum Dialect {
    SQLITE("sqlite", "", ""),
    POSTGRESQL("postgresql", " FOR UPDATE SKIP LOCKED", " FOR UPDATE");

    private final String migrations;
    private final String skipLocked;
    private final String forUpdate;

    Dialect(String migrations, String skipLocked, String forUpdate) {
        this.migrations = migrations;
        this.skipLocked = skipLocked;
        this.forUpdate = forUpdate;
    }

    /** Flyway location of this dialect's migrations. */
    public String migrations() {
        return "classpath:db/migration/" + migrations;
    }

    /**
     * Appended to a claim query. SQLite has one writer at a time (every write transaction begins
     * IMMEDIATE), so its claims cannot race; PostgreSQL skips rows another node holds.
     */
    public String skipLocked() {
        return skipLocked;
    }

    /** Appended to a read that must hold its rows until commit (on SQLite the IMMEDIATE transaction does). */
    public String forUpdate() {
        return forUpdate;
    }

    /** Before a relaxed transaction begins: SQLite's synchronous setting cannot change inside one. */
    void relax(java.sql.Connection c) throws java.sql.SQLException {
        if (this == SQLITE) {
            try (var s = c.createStatement()) {
                s.execute("PRAGMA synchronous = NORMAL");
            }
        }
    }

    /** First thing inside a transaction: PostgreSQL relaxes per transaction. */
    void relaxInTransaction(java.sql.Connection c, boolean relaxed) throws java.sql.SQLException {
        if (relaxed && this == POSTGRESQL) {
            try (var s = c.createStatement()) {
                s.execute("SET LOCAL synchronous_commit TO OFF");
            }
        }
    }

    /** After a relaxed transaction: the connection goes back to the pool durable. */
    void restore(java.sql.Connection c) throws java.sql.SQLException {
        if (this == SQLITE) {
            try (var s = c.createStatement()) {
                s.execute("PRAGMA synchronous = FULL");
            }
        }
    }
}
