package dev.herald.store;

/** The few places where SQLite and PostgreSQL differ. Everything else is the same SQL. */
public enum Dialect {
    SQLITE("sqlite", ""),
    POSTGRESQL("postgresql", " FOR UPDATE SKIP LOCKED");

    private final String migrations;
    private final String skipLocked;

    Dialect(String migrations, String skipLocked) {
        this.migrations = migrations;
        this.skipLocked = skipLocked;
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
}
