package dev.herald.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes the other nodes sharing PostgreSQL when there is work: a publish or a seal that commits notifies a channel
 * ({@code NOTIFY}, delivered only on commit), and every node listens on it with one connection, so it looks for the
 * new deliveries at once instead of at its next poll. On SQLite (one process) nothing is sent and nobody listens.
 */
public final class Notifications implements AutoCloseable {
    static final String CHANNEL = "herald_work";
    private static final Logger log = LoggerFactory.getLogger(Notifications.class);
    private static final Duration WAIT = Duration.ofMillis(500);
    private static final Duration RECONNECT_AFTER = Duration.ofSeconds(1);

    private final Database db;
    private final Runnable onWork;
    private final Thread thread;
    private volatile boolean running = true;

    private Notifications(Database db, Runnable onWork) {
        this.db = db;
        this.onWork = onWork;
        this.thread = Thread.ofPlatform().name("herald-listener").daemon().unstarted(this::listen);
    }

    /** Listens for other nodes' work (PostgreSQL only; on SQLite answers a listener that does nothing). */
    public static Notifications start(Database db, Runnable onWork) {
        Notifications n = new Notifications(db, onWork);
        if (db.dialect() == Dialect.POSTGRESQL) {
            n.thread.start();
        }
        return n;
    }

    /** Inside a transaction that made work: the other nodes hear of it when (and only if) it commits. */
    static void workMade(Connection c, Dialect dialect) throws SQLException {
        if (dialect == Dialect.POSTGRESQL) {
            try (Statement s = c.createStatement()) {
                s.execute("NOTIFY " + CHANNEL);
            }
        }
    }

    private void listen() {
        while (running) {
            try (Connection c = db.dedicatedConnection()) {
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                c.setAutoCommit(true);
                PGConnection pg = c.unwrap(PGConnection.class);
                // why: what was published while this node was not listening is found by the next look anyway
                onWork.run();
                while (running) {
                    PGNotification[] got = pg.getNotifications((int) WAIT.toMillis());
                    if (got != null && got.length > 0) {
                        onWork.run();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    log.warn("Listening for other nodes' work failed ({}); polling until it listens again", e.getMessage());
                    try {
                        Thread.sleep(RECONNECT_AFTER);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
