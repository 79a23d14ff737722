package dev.herald.delivery;

import dev.herald.store.DispatchStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background chores on one thread: refreshes the queue-depth gauges, and purges delivered data older
 * than the retention period in small batches (each its own short transaction, so delivery never waits
 * long for the database).
 */
final class Housekeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Housekeeper.class);
    static final Duration STATS_EVERY = Duration.ofSeconds(5);
    static final Duration PURGE_EVERY = Duration.ofMinutes(1);
    static final int PURGE_BATCH = 500;

    private final DispatchStore store;
    private final DeliveryMetrics metrics;
    private final Clock clock;
    private final Duration retention;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("herald-housekeeper").daemon().unstarted(r));

    Housekeeper(DispatchStore store, DeliveryMetrics metrics, Clock clock, Duration retention) {
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
        this.retention = retention;
    }

    Housekeeper start() {
        timer.scheduleWithFixedDelay(this::refreshStats, 0, STATS_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::purge, PURGE_EVERY.toMillis(), PURGE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    void refreshStats() {
        try {
            metrics.stats(store.stats(clock.instant()));
        } catch (RuntimeException e) {
            log.warn("Refreshing queue statistics failed: {}", e.getMessage());
        }
    }

    /** Purges until nothing older than the retention period is left; answers how many rows went. */
    int purge() {
        int total = 0;
        try {
            int n;
            do {
                n = store.purge(clock.instant().minus(retention), PURGE_BATCH);
                total += n;
            } while (n > 0 && !Thread.currentThread().isInterrupted());
            if (total > 0) {
                log.info("Retention: purged {} delivered deliveries and events older than {}", total, retention);
            }
        } catch (RuntimeException e) {
            log.warn("Retention purge failed; it runs again in {}: {}", PURGE_EVERY, e.getMessage());
        }
        return total;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
