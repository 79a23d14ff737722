package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.herald.testing.Databases;
import dev.herald.testing.Eventually;
import dev.herald.testing.TestHerald;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A database that answers but cannot take writes: SQLite with a full disk (simulated with {@code PRAGMA
 * max_page_count}, which fails inserts with SQLITE_FULL, "database or disk is full", as a full disk does), and
 * PostgreSQL turned read-only (as after a failover to a replica). Writes answer 503 naming nothing false, the
 * log names the cause, {@code /readyz} answers 503 "store not writable" until a write succeeds again.
 */
class NotWritableTest {
    private static final String BIG_DATA = "{\"type\":\"disk.filler\",\"data\":{\"pad\":\"" + "p".repeat(40_000) + "\"}}";

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger databaseLog = (Logger) LoggerFactory.getLogger(Database.class);
    private TestHerald h;

    @BeforeEach
    void captureLogs() {
        logs.start();
        databaseLog.addAppender(logs);
    }

    @AfterEach
    void stop() {
        databaseLog.detachAppender(logs);
        if (h != null) {
            h.close();
        }
    }

    @Test
    void sqliteWithAFullDiskIsNotReadyUntilAWriteSucceedsAgain() throws Exception {
        h = TestHerald.sqlite();
        h.seed("full", "disk.filler");
        assertReady();

        setMaxPageCountOnEveryConnection(null);
        TestHerald.Response refused = publishUntilRefused();
        assertThat(refused.json().get("detail").stringValue()).contains("cannot take writes");
        assertThat(logText()).contains("database or disk is full").doesNotContain("no transaction is active");
        assertNotWritable();
        // reads go on
        assertThat(h.get("/v1/tenants/full").status()).isEqualTo(200);

        setMaxPageCountOnEveryConnection(1_000_000_000L);
        assertReady();
        assertThat(logText()).contains("takes writes again");
        assertThat(h.post("/v1/tenants/full/events", BIG_DATA).status()).isEqualTo(202);
    }

    @Test
    void aReadOnlyPostgresqlIsNotReadyUntilAWriteSucceedsAgain() throws Exception {
        String url = Databases.freshPostgres();
        h = TestHerald.builder().databaseUrl(url).start();
        h.seed("full", "disk.filler");
        assertReady();

        readOnly(url, true);
        TestHerald.Response refused = publishUntilRefused();
        assertThat(refused.json().get("detail").stringValue()).contains("cannot take writes");
        assertThat(logText()).contains("read-only transaction");
        assertNotWritable();
        assertThat(h.get("/v1/tenants/full").status()).isEqualTo(200);

        readOnly(url, false);
        assertReady();
        assertThat(h.post("/v1/tenants/full/events", BIG_DATA).status()).isEqualTo(202);
    }

    private void assertReady() {
        Eventually.until("readyz is 200", Duration.ofSeconds(20), () -> h.send("GET", "/readyz", null, null),
                r -> r.status() == 200 && r.json().get("status").stringValue().equals("ready"));
    }

    private void assertNotWritable() {
        for (int i = 0; i < 3; i++) {
            var ready = h.send("GET", "/readyz", null, null);
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.json().get("status").stringValue()).isEqualTo("store not writable");
        }
    }

    /** Publishes large events until one is refused for want of space, which comes once the free pages are used. */
    private TestHerald.Response publishUntilRefused() {
        return Eventually.until("a publish is refused", Duration.ofSeconds(60), () -> h.post("/v1/tenants/full/events", BIG_DATA),
                r -> {
                    assertThat(r.status()).as(r.text()).isIn(202, 503);
                    return r.status() == 503 && r.json().get("detail").stringValue().contains("cannot take writes");
                });
    }

    private String logText() {
        StringBuilder b = new StringBuilder();
        for (ILoggingEvent e : new ArrayList<>(logs.list)) {
            b.append(e.getFormattedMessage()).append('\n');
        }
        return b.toString();
    }

    /**
     * Sets {@code max_page_count} (a per-connection setting) on every connection of Herald's SQLite pool, by
     * holding all of them at once: to the current page count when {@code pages} is null (no page can be added:
     * a full disk), or to {@code pages}.
     */
    private void setMaxPageCountOnEveryConnection(Long pages) throws Exception {
        Database db = h.herald().database();
        int connections = 8;
        CountDownLatch all = new CountDownLatch(connections);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < connections; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    db.read(c -> {
                        try (Statement s = c.createStatement()) {
                            long target;
                            if (pages != null) {
                                target = pages;
                            } else {
                                try (ResultSet rs = s.executeQuery("PRAGMA page_count")) {
                                    rs.next();
                                    target = rs.getLong(1);
                                }
                            }
                            s.execute("PRAGMA max_page_count = " + target);
                        }
                        all.countDown();
                        try {
                            all.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return null;
                    });
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures).isEmpty();
        assertThat(all.getCount()).as("every pooled connection was held at once").isZero();
    }

    /** Turns the test database read-only (or back) and ends Herald's sessions, so its new ones take the setting. */
    private static void readOnly(String url, boolean on) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("SET default_transaction_read_only = off");
            s.execute("ALTER DATABASE " + c.getCatalog() + (on ? " SET default_transaction_read_only = on"
                    : " RESET default_transaction_read_only"));
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND pid <> pg_backend_pid()");
        }
    }
}
