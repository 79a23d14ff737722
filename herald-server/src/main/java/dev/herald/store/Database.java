package dev.herald.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.config.ConfigException;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The connection pool and the schema. SQLite runs in WAL mode with {@code synchronous=FULL} (an
 * acknowledged event survives power loss) and every write transaction begins IMMEDIATE, so writers queue
 * on the database lock instead of failing on a lock upgrade. PostgreSQL is the same schema for scale-out.
 *
 * <p>Outages: what a caller waits for while PostgreSQL is down is a connection from the pool, so that wait is
 * bounded ({@link #CONNECTION_TIMEOUT}) and a request answers 503 within 2 s. A statement already running is
 * bounded only by a generous socket timeout, so a long purge is never cut. A write that fails because the
 * database cannot take writes (disk full, I/O error, read-only) marks the store not writable until a write
 * succeeds again; {@link #health()} reports it.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** What readiness reports: the store answers, and takes writes. */
    public enum Health { READY, UNREACHABLE, NOT_WRITABLE }

    /**
     * The newest migration in {@code db/migration/<dialect>}: raise it with every new migration
     * ({@code MigrationsTest} fails until it matches).
     */
    static final int SCHEMA_VERSION = 14;
    private static final int SQLITE_POOL_SIZE = 8;
    private static final int POSTGRES_POOL_SIZE = 16;
    private static final int SQLITE_BUSY_TIMEOUT_MS = 30_000;
    /** The longest a caller waits for a PostgreSQL connection: under the 2 s a request may take while the database is down. */
    static final Duration CONNECTION_TIMEOUT = Duration.ofMillis(1200);
    /** How long a pooled connection may take to prove it is alive before it is dropped (Hikari's minimum is 250 ms). */
    static final Duration VALIDATION_TIMEOUT = Duration.ofMillis(500);
    /** How long opening a new connection may take; the pool opens them in the background and retries. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /**
     * How long a running statement may wait for the server's answer before its connection is given up. Only a
     * backstop against a server that stopped answering (a network partition, a failover that kept the old
     * socket): far longer than any statement Herald runs, purges included.
     */
    static final Duration SOCKET_TIMEOUT = Duration.ofMinutes(2);
    /** How long readiness's query may wait for the server's answer. */
    static final Duration PING_TIMEOUT = Duration.ofMillis(1000);
    /** How long start-up waits for PostgreSQL to accept connections (it may be starting beside Herald). */
    static final Duration START_WAIT = Duration.ofSeconds(10);
    /** Larger than a SQLite page, so the readiness probe's write needs a new page, as an event's insert would. */
    private static final String PROBE_PAYLOAD = "x".repeat(8192);

    private final HikariDataSource pool;
    private final Dialect dialect;
    /** SQLite's checkpoints, off the writers' commits; null for PostgreSQL. */
    private final Checkpointer checkpointer;
    /** The write failure that made the store not writable, or null while writes succeed. */
    private volatile StoreException notWritable;
    /**
     * SQLite has one writer at a time. Writers that meet its lock wait in its busy handler, which sleeps
     * in steps of up to 100 ms; queueing them on a fair Java lock instead hands the database from one
     * writer to the next at once. Null for PostgreSQL, whose row locks need no help.
     */
    private final ReentrantLock writeLock;

    private Database(HikariDataSource pool, Dialect dialect, String name) {
        this.pool = pool;
        this.dialect = dialect;
        this.writeLock = dialect == Dialect.SQLITE ? new ReentrantLock(true) : null;
        try {
            if (!schemaIsCurrent(pool)) {
                Flyway.configure()
                        .dataSource(pool)
                        .locations(dialect.migrations())
                        .load()
                        .migrate();
            }
        } catch (RuntimeException e) {
            pool.close();
            StoreException.Kind kind = StoreFailures.kind(e) == StoreException.Kind.UNREACHABLE
                    ? StoreException.Kind.UNREACHABLE : StoreException.Kind.FAILED;
            throw new StoreException(kind, "cannot prepare the schema of " + name + ": " + StoreFailures.cause(e), e);
        }
        this.checkpointer = dialect == Dialect.SQLITE ? new Checkpointer(pool) : null;
    }

    /**
     * Whether every migration this build has is applied, and none failed: then Flyway is not started at all. Why:
     * preparing Flyway (its plugins, its configuration copies) took about a quarter of a restart on two cores,
     * to find nothing to do. A newer or older schema, a failed migration or no history goes to Flyway, which
     * migrates or says what is wrong.
     */
    private static boolean schemaIsCurrent(DataSource pool) {
        try (Connection c = pool.getConnection();
             var s = c.createStatement();
             var rs = s.executeQuery("SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL")) {
            int newest = 0;
            while (rs.next()) {
                if (!rs.getBoolean("success")) {
                    return false;
                }
                newest = Math.max(newest, Integer.parseInt(rs.getString("version")));
            }
            return newest == SCHEMA_VERSION;
        } catch (SQLException | NumberFormatException noHistoryYet) {
            return false;
        }
    }

    /** Opens the pool, waiting up to {@link #START_WAIT}; a database that cannot be reached is one short message. */
    private static HikariDataSource open(HikariConfig hc, String name) {
        try {
            return new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new StoreException(StoreException.Kind.UNREACHABLE, "cannot reach " + name + ": " + StoreFailures.cause(e), e);
        }
    }

    public static Database sqlite(Path file, MeterRegistry metrics) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            if (!Files.exists(file)) {
                // why: the database holds endpoint secrets and TLS keys; SQLite gives its WAL and shared-memory
                // files the same permissions as the database file
                createPrivate(file);
            }
        } catch (IOException e) {
            throw new ConfigException("HERALD_DATA_DIR: cannot create " + file.getParent() + ": " + e.getMessage());
        }
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sqlite.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        sqlite.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MS);
        sqlite.enforceForeignKeys(true);
        // why: the driver otherwise scans every statement's SQL for generated keys; Herald uses RETURNING
        sqlite.setGetGeneratedKeys(false);
        sqlite.setPragma(SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, Integer.toString(Checkpointer.WRITERS_CHECKPOINT_AT_PAGES));
        SQLiteDataSource ds = new SQLiteDataSource(sqlite);
        ds.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        String name = "SQLite database " + file.toAbsolutePath();
        return new Database(pool(ds, SQLITE_POOL_SIZE, "herald-sqlite", metrics, name), Dialect.SQLITE, name);
    }

    /** Accepts {@code postgresql://user:password@host:port/db?...} or a {@code jdbc:postgresql:} URL. */
    public static Database postgres(String url, MeterRegistry metrics) {
        HikariConfig hc = new HikariConfig();
        JdbcUrl jdbc = JdbcUrl.parse(url);
        hc.setJdbcUrl(jdbc.url());
        if (jdbc.user() != null) {
            hc.setUsername(jdbc.user());
        }
        if (jdbc.password() != null) {
            hc.setPassword(jdbc.password());
        }
        hc.setMaximumPoolSize(POSTGRES_POOL_SIZE);
        hc.setPoolName("herald-postgresql");
        hc.setMetricRegistry(metrics);
        hc.setInitializationFailTimeout(START_WAIT.toMillis());
        hc.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
        hc.setValidationTimeout(VALIDATION_TIMEOUT.toMillis());
        // why: driver defaults; a setting in the URL itself wins over these
        hc.addDataSourceProperty("connectTimeout", Long.toString(CONNECT_TIMEOUT.toSeconds()));
        hc.addDataSourceProperty("socketTimeout", Long.toString(SOCKET_TIMEOUT.toSeconds()));
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        String name = jdbc.describe();
        try {
            return new Database(open(hc, name), Dialect.POSTGRESQL, name);
        } catch (StoreException e) {
            // why: drivers do not put the password in their messages; this makes sure of it
            if (jdbc.password() != null && !jdbc.password().isEmpty() && e.getMessage().contains(jdbc.password())) {
                throw new StoreException(e.kind(), e.getMessage().replace(jdbc.password(), "***"), null);
            }
            throw e;
        }
    }

    private static void createPrivate(Path file) throws IOException {
        try {
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
    }

    private static HikariDataSource pool(DataSource ds, int size, String poolName, MeterRegistry metrics, String name) {
        HikariConfig hc = new HikariConfig();
        hc.setDataSource(ds);
        hc.setMaximumPoolSize(size);
        hc.setPoolName(poolName);
        hc.setMetricRegistry(metrics);
        return open(hc, name);
    }

    public Dialect dialect() {
        return dialect;
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. When this
     * returns, the commit is on disk (SQLite {@code synchronous=FULL}; PostgreSQL's default).
     */
    public <T> T inTransaction(Work<T> work) {
        return locked(work, false);
    }

    /**
     * As {@link #inTransaction}, but the commit may reach the disk later, with the next durable commit: a
     * power loss may undo it, never corrupt anything. For writes that are safe to lose because they are redone
     * (an attempt's outcome: the delivery is sent again with the same id) or because nothing acts on them
     * before a durable commit follows (a sealed batch is sent only after the durable claim that takes it).
     */
    public <T> T inRelaxedTransaction(Work<T> work) {
        return locked(work, true);
    }

    private <T> T locked(Work<T> work, boolean relaxed) {
        if (writeLock == null) {
            return transaction(work, relaxed);
        }
        writeLock.lock();
        try {
            return transaction(work, relaxed);
        } finally {
            writeLock.unlock();
        }
    }

    private <T> T transaction(Work<T> work, boolean relaxed) {
        T result;
        try (Connection c = pool.getConnection()) {
            result = inOpenTransaction(c, work, relaxed);
        } catch (SQLException e) {
            throw failed(e, true);
        }
        if (notWritable != null) {
            notWritable = null;
            log.info("The database takes writes again; /readyz answers ready");
        }
        return result;
    }

    /**
     * Why the cleanup is careful: when a write fails (SQLITE_FULL), SQLite may already have rolled the transaction
     * back, and then the rollback and the return to auto-commit fail too ("cannot commit - no transaction is
     * active"). Those follow-on errors are kept as suppressed, never in place of the cause.
     */
    private <T> T inOpenTransaction(Connection c, Work<T> work, boolean relaxed) throws SQLException {
        if (relaxed) {
            dialect.relax(c);
        }
        c.setAutoCommit(false);
        Throwable failure = null;
        try {
            dialect.relaxInTransaction(c, relaxed);
            T result = work.run(c);
            c.commit();
            return result;
        } catch (Throwable e) {
            failure = e;
            try {
                c.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        } finally {
            try {
                c.setAutoCommit(true);
                if (relaxed) {
                    dialect.restore(c);
                }
            } catch (SQLException cleanup) {
                if (failure == null) {
                    throw cleanup;
                }
                failure.addSuppressed(cleanup);
            }
        }
    }

    /**
     * A connection of the pool held by one long-lived task (the listener for other nodes' work); the caller closes it.
     */
    Connection dedicatedConnection() throws SQLException {
        return pool.getConnection();
    }

    /** Runs read-only {@code work} without an explicit transaction. */
    public <T> T read(Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw failed(e, false);
        }
    }

    /** A StoreException naming the cause; a write the database could not take marks the store not writable. */
    private StoreException failed(SQLException e, boolean write) {
        StoreException.Kind kind = StoreFailures.kind(e);
        StoreException failure = new StoreException(kind, "database error: " + StoreFailures.cause(e), e);
        if (write && kind == StoreException.Kind.NOT_WRITABLE) {
            if (notWritable == null) {
                log.error("The database cannot take writes ({}); /readyz answers 503 until a write succeeds again."
                        + " Free disk space, or make the database writable", StoreFailures.cause(e));
            }
            notWritable = failure;
        }
        return failure;
    }

    /**
     * Readiness: the store answers a trivial query and takes writes. While a write failure has marked it not
     * writable, a small write (a row inserted and deleted in one transaction, never visible) is tried to clear the
     * mark; a healthy store is not written to.
     */
    public Health health() {
        if (!ping()) {
            return Health.UNREACHABLE;
        }
        if (notWritable == null) {
            return Health.READY;
        }
        try {
            probeWrite();
            return Health.READY;
        } catch (StoreException e) {
            return e.kind() == StoreException.Kind.UNREACHABLE ? Health.UNREACHABLE : Health.NOT_WRITABLE;
        }
    }

    /**
     * A write as an event's would be: a row larger than a page, inserted and deleted in one transaction (never
     * visible). A read-only check cannot tell a full disk from a healthy one; this can.
     */
    private void probeWrite() {
        long id = java.util.concurrent.ThreadLocalRandom.current().nextLong();
        inTransaction(c -> {
            Sql.update(c, "INSERT INTO store_probe (id, payload) VALUES (?, ?)", id, PROBE_PAYLOAD);
            return Sql.update(c, "DELETE FROM store_probe WHERE id = ?", id);
        });
    }

    /**
     * The store answers a trivial query within {@link #PING_TIMEOUT}. Why the network timeout: a connection to a
     * server that stopped answering would otherwise hold the ping until the socket timeout, minutes after a new
     * connection would have worked again.
     */
    public boolean ping() {
        try (Connection c = pool.getConnection()) {
            if (dialect == Dialect.POSTGRESQL) {
                c.setNetworkTimeout(Runnable::run, (int) PING_TIMEOUT.toMillis());
            }
            try (var s = c.createStatement()) {
                return s.execute("SELECT 1");
            }
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /** Whether a write commits now (see {@link #probeWrite}). */
    public boolean writable() {
        try {
            probeWrite();
            return true;
        } catch (StoreException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (checkpointer != null) {
            checkpointer.close();
        }
        pool.close();
    }
}
