package dev.herald.testing;

import dev.herald.store.Database;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * PostgreSQL for tests: the server named by {@code HERALD_TEST_DATABASE_URL} when set, otherwise one
 * embedded PostgreSQL (from Maven Central) started once per test JVM. Every call gets a fresh database,
 * so tests never see each other's rows. Nothing here skips: without PostgreSQL the tests fail.
 */
public final class Databases {
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static volatile String adminUrl;
    private static EmbeddedPostgres embedded;

    private Databases() {
    }

    /** A fresh, migrated database: {@code "sqlite"} in {@code dir}, or {@code "postgresql"} (a new database). */
    public static Database open(String kind, Path dir) {
        return switch (kind) {
            case "sqlite" -> Database.sqlite(dir.resolve("herald.db"), new SimpleMeterRegistry());
            case "postgresql" -> Database.postgres(freshPostgres(), new SimpleMeterRegistry());
            default -> throw new IllegalArgumentException("no database kind " + kind + "; use sqlite or postgresql");
        };
    }

    /** A {@code jdbc:postgresql:} URL (with credentials) of a new, empty database. */
    public static String freshPostgres() {
        String admin = adminUrl();
        String name = "herald_test_" + ProcessHandle.current().pid() + "_" + NEXT.incrementAndGet();
        try (Connection c = DriverManager.getConnection(admin)) {
            c.createStatement().execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name + " on " + admin, e);
        }
        return admin.replaceFirst("/[^/?]*(\\?|$)", "/" + name + "$1");
    }

    private static synchronized String adminUrl() {
        if (adminUrl != null) {
            return adminUrl;
        }
        String configured = System.getenv("HERALD_TEST_DATABASE_URL");
        if (configured != null && !configured.isBlank()) {
            adminUrl = toJdbc(configured);
            return adminUrl;
        }
        try {
            embedded = EmbeddedPostgres.builder().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL; set HERALD_TEST_DATABASE_URL to use a running server", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                embedded.close();
            } catch (IOException e) {
                // the JVM is exiting; the temporary cluster goes with it
            }
        }));
        adminUrl = embedded.getJdbcUrl("postgres", "postgres");
        return adminUrl;
    }

    private static String toJdbc(String url) {
        if (url.startsWith("jdbc:")) {
            return url;
        }
        URI u = URI.create(url);
        String[] userInfo = u.getUserInfo() == null ? new String[0] : u.getUserInfo().split(":", 2);
        String query = "user=" + (userInfo.length > 0 ? userInfo[0] : "postgres")
                + (userInfo.length > 1 ? "&password=" + userInfo[1] : "");
        return "jdbc:postgresql://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "") + u.getPath() + "?" + query;
    }
}
