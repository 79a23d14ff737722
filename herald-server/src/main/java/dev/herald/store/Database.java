package dev.herald.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.config.ConfigException;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The connection pool and the schema. SQLite runs in WAL mode with {@code synchronous=FULL} (an
 * acknowledged event survives power loss) and every write transaction begins IMMEDIATE, so writers queue
 * on the database lock instead of failing on a lock upgrade. PostgreSQL is the same schema for scale-out.
 */
public final class Database implements AutoCloseable {
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private static final int SQLITE_POOL_SIZE = 8;
    private static final int POSTGRES_POOL_SIZE = 16;
    private static final int SQLITE_BUSY_TIMEOUT_MS = 30_000;

    private final HikariDataSource pool;
    private final Dialect dialect;
    /**
     * SQLite has one writer at a time. Writers that meet its lock wait in its busy handler, which sleeps
     * in steps of up to 100 ms; queueing them on a fair Java lock instead hands the database from one
     * writer to the next at once. Null for PostgreSQL, whose row locks need no help.
     */
    private final ReentrantLock writeLock;

    private Database(HikariDataSource pool, Dialect dialect) {
        this.pool = pool;
        this.dialect = dialect;
        this.writeLock = dialect == Dialect.SQLITE ? new ReentrantLock(true) : null;
        try {
            Flyway.configure()
                    .dataSource(pool)
                    .locations(dialect.migrations())
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
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
        SQLiteDataSource ds = new SQLiteDataSource(sqlite);
        ds.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        return new Database(pool(ds, SQLITE_POOL_SIZE, "herald-sqlite", metrics), Dialect.SQLITE);
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
        hc.setInitializationFailTimeout(10_000);
        return new Database(new HikariDataSource(hc), Dialect.POSTGRESQL);
    }

    private static void createPrivate(Path file) throws IOException {
        try {
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
    }

    private static HikariDataSource pool(DataSource ds, int size, String name, MeterRegistry metrics) {
        HikariConfig hc = new HikariConfig();
        hc.setDataSource(ds);
        hc.setMaximumPoolSize(size);
        hc.setPoolName(name);
        hc.setMetricRegistry(metrics);
        return new HikariDataSource(hc);
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
        try (Connection c = pool.getConnection()) {
            if (relaxed) {
                dialect.relax(c);
            }
            c.setAutoCommit(false);
            try {
                dialect.relaxInTransaction(c, relaxed);
                T result = work.run(c);
                c.commit();
                return result;
            } catch (Throwable e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
                if (relaxed) {
                    dialect.restore(c);
                }
            }
        } catch (SQLException e) {
            throw new StoreException("database error: " + e.getMessage(), e);
        }
    }

    /** Runs read-only {@code work} without an explicit transaction. */
    public <T> T read(Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException("database error: " + e.getMessage(), e);
        }
    }

    /** Readiness: the store answers a trivial query. */
    public boolean ping() {
        try {
            return read(c -> {
                try (var s = c.createStatement()) {
                    return s.execute("SELECT 1");
                }
            });
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether a write commits now: updates the one probe row. A read-only check cannot tell a full disk from
     * a healthy one; this can.
     */
    public boolean writable() {
        try {
            inTransaction(c -> Sql.update(c, "UPDATE store_probe SET written_at = ? WHERE id = 1", System.currentTimeMillis()));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    /** A PostgreSQL URL split into the JDBC URL and the credentials it carried. */
    record JdbcUrl(String url, String user, String password) {
        static JdbcUrl parse(String url) {
            if (url.startsWith("jdbc:")) {
                return new JdbcUrl(url, null, null);
            }
            try {
                URI u = new URI(url);
                String user = null;
                String password = null;
                if (u.getRawUserInfo() != null) {
                    String[] parts = u.getRawUserInfo().split(":", 2);
                    user = percentDecode(parts[0]);
                    password = parts.length > 1 ? percentDecode(parts[1]) : null;
                }
                String hostPort = u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "");
                String query = u.getRawQuery() == null ? "" : "?" + u.getRawQuery();
                return new JdbcUrl("jdbc:postgresql://" + hostPort + u.getRawPath() + query, user, password);
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new ConfigException("HERALD_DATABASE_URL is not a valid URL: " + e.getMessage());
            }
        }

        /** Why not plain URLDecoder: user info is percent-encoded, where a '+' is a plus, not a space. */
        private static String percentDecode(String raw) {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        }
    }
}
