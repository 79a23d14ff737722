package dev.herald.delivery;

import dev.herald.store.CredentialStore;
import dev.herald.store.DeletionStore;
import dev.herald.store.DispatchStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background chores on one thread: refreshes the queue-depth gauges, and purges delivered data older
 * than the retention period and failed deliveries older than theirs, in small batches (each its own short transaction, so delivery never waits
 * long for the database).
 */
final class Housekeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Housekeeper.class);
    static final Duration STATS_EVERY = Duration.ofSeconds(5);
    static final Duration PURGE_EVERY = Duration.ofMinutes(1);
    static final int PURGE_BATCH = 500;

    private final DispatchStore store;
    private final DeletionStore deletions;
    private final CredentialStore credentials;
    private final DeliveryMetrics metrics;
    private final Clock clock;
    private final Duration retention;
    private final Duration retentionFailed;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("herald-housekeeper").daemon().unstarted(r));
    /** Purging what was deleted may take many chunks; it runs on its own thread so the gauges stay fresh. */
    private final ScheduledExecutorService deleter = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("herald-deleter").daemon().unstarted(r));
    private final AtomicBoolean deleting = new AtomicBoolean();

    Housekeeper(DispatchStore store, DeletionStore deletions, CredentialStore credentials, DeliveryMetrics metrics, Clock clock, Duration retention,
                Duration retentionFailed) {
        this.store = store;
        this.deletions = deletions;
        this.credentials = credentials;
        this.metrics = metrics;
        this.clock = clock;
        this.retention = retention;
        this.retentionFailed = retentionFailed;
    }

    Housekeeper start() {
        timer.scheduleWithFixedDelay(this::refreshStats, 0, STATS_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::purge, PURGE_EVERY.toMillis(), PURGE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        // why: also on a schedule, so a purge cut short by a restart (or another node's deletion) is finished
        deleter.scheduleWithFixedDelay(this::purgeDeleted, 0, PURGE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Something was deleted: start purging its rows now rather than at the next scheduled run. */
    void deleted() {
        try {
            deleter.execute(this::purgeDeleted);
        } catch (RejectedExecutionException closing) {
            // the next start purges it
        }
    }

    /**
     * Purges deleted tenants and endpoints chunk by chunk, each chunk its own short transaction, so ingest and
     * delivery wait at most one chunk for the database; answers how many rows went.
     */
    int purgeDeleted() {
        if (!deleting.compareAndSet(false, true)) {
            return 0; // why: one purge at a time; the running one goes on until nothing is left
        }
        int total = 0;
        try {
            int n;
            while ((n = deletions.purgeChunk()) > 0 && !Thread.currentThread().isInterrupted()) {
                total += n;
            }
            if (total > 0) {
                log.info("Deletion: purged {} rows of deleted tenants and endpoints", total);
            }
        } catch (Throwable e) {
            log.warn("Purging deleted tenants and endpoints failed after {} rows; it goes on in {}: {}", total,
                    PURGE_EVERY, e.getMessage());
        } finally {
            deleting.set(false);
        }
        return total;
    }

    void refreshStats() {
        try {
            metrics.stats(store.stats(clock.instant()));
        } catch (Throwable e) {
            // why: a scheduled task that throws is never run again
            log.warn("Refreshing queue statistics failed: {}", e.getMessage());
        }
    }

    /** Purges until nothing older than the retention period is left; answers how many rows went. */
    int purge() {
        int total = 0;
        try {
            int n;
            do {
                Instant now = clock.instant();
                n = store.purge(now.minus(retention), now.minus(retentionFailed), PURGE_BATCH);
                total += n;
            } while (n > 0 && !Thread.currentThread().isInterrupted());
            // why: revoked keys and ended portal sessions are kept as long as delivered data, then go
            total += credentials.purge(clock.instant().minus(retention));
            if (total > 0) {
                log.info("Retention: purged {} rows (delivered deliveries, events, revoked keys and ended portal"
                        + " sessions older than {}, failed deliveries older than {})", total, retention, retentionFailed);
            }
        } catch (Throwable e) {
            // why: a failed purge must not end the timer's schedule; it runs again in a minute
            log.warn("Retention purge failed; it runs again in {}: {}", PURGE_EVERY, e.getMessage());
        }
        return total;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        deleter.shutdownNow();
    }
}
