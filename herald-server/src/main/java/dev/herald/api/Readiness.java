package dev.herald.api;

import dev.herald.store.Database;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code /readyz}: the store answers and takes writes, told within {@link #DEADLINE} even while the database
 * hangs. The check runs on a virtual thread; a probe that outlives the deadline answers "unreachable" and keeps
 * running, and later probes wait on that same check instead of starting another, so a hung database never
 * gathers a thread per probe.
 */
final class Readiness {
    /** Under the 2 s a load balancer's probe is promised. */
    static final Duration DEADLINE = Duration.ofMillis(1200);

    private final Database db;
    private CompletableFuture<Database.Health> running;

    Readiness(Database db) {
        this.db = db;
    }

    Database.Health check() {
        try {
            return current().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return Database.Health.UNREACHABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Database.Health.UNREACHABLE;
        }
    }

    /** The check under way, or a new one when none is. */
    private synchronized CompletableFuture<Database.Health> current() {
        if (running == null || running.isDone()) {
            CompletableFuture<Database.Health> check = new CompletableFuture<>();
            Thread.ofVirtual().name("herald-readiness").start(() -> {
                try {
                    check.complete(db.health());
                } catch (RuntimeException e) {
                    check.complete(Database.Health.UNREACHABLE);
                }
            });
            running = check;
        }
        return running;
    }

    /** The answer's status code and body. */
    static int status(Database.Health h) {
        return h == Database.Health.READY ? 200 : 503;
    }

    static String body(Database.Health h) {
        return switch (h) {
            case READY -> "{\"status\":\"ready\"}";
            case UNREACHABLE -> "{\"status\":\"store unreachable\"}";
            case NOT_WRITABLE -> "{\"status\":\"store not writable\"}";
        };
    }
}
