package dev.herald.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies SQLite's write-ahead log into the database file on a thread of its own, so that no writer's commit does it.
 *
 * <p>Why: SQLite checkpoints in whichever commit first finds the log over {@code wal_autocheckpoint} pages, and a
 * checkpoint writes and syncs the database file. On the delivery path that was a commit in every few hundred
 * taking milliseconds, with the single writer lock held, so ingest and the dispatcher waited on it in turn. A
 * passive checkpoint runs beside writers and readers: it takes no write lock. The writers' own threshold stays,
 * higher ({@link #WRITERS_CHECKPOINT_AT_PAGES}), only as a backstop should this thread fall behind.
 */
final class Checkpointer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Checkpointer.class);
    /** How often the log is copied into the database file. */
    static final Duration EVERY = Duration.ofMillis(250);
    /** A writer checkpoints itself only past this many pages of log (40 MiB at SQLite's 4 KiB pages). */
    static final int WRITERS_CHECKPOINT_AT_PAGES = 10_000;

    private final DataSource pool;
    private final Thread thread;
    private volatile boolean running = true;

    Checkpointer(DataSource pool) {
        this.pool = pool;
        this.thread = Thread.ofPlatform().name("herald-sqlite-checkpoint").daemon().start(this::loop);
    }

    private void loop() {
        boolean warned = false;
        while (running) {
            try {
                Thread.sleep(EVERY);
            } catch (InterruptedException e) {
                return;
            }
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("PRAGMA wal_checkpoint(PASSIVE)");
                warned = false;
            } catch (SQLException | RuntimeException e) {
                if (!warned && running) {
                    // why: once per failing spell; the writers' own checkpoints go on meanwhile
                    log.warn("SQLite checkpoint failed; the writers checkpoint past {} pages meanwhile: {}",
                            WRITERS_CHECKPOINT_AT_PAGES, e.getMessage());
                    warned = true;
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
