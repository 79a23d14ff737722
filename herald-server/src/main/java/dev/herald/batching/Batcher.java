package dev.herald.batching;

import dev.herald.store.BatchStore;
import dev.herald.store.StoreException;
import dev.herald.delivery.Signal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second step of the data flow: seals queued events into deliveries. Woken by every publish (so a
 * per-event endpoint gets its delivery at once), and by its own timer when a batch window ends; it also
 * looks every {@code poll} for events another node published.
 */
public final class Batcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Batcher.class);
    public static final Duration DEFAULT_POLL = Duration.ofMillis(250);

    private final BatchStore store;
    private final Clock clock;
    private final Runnable onSealed;
    private final Duration poll;
    private final Signal signal = new Signal();
    private final Thread thread;
    private volatile boolean running = true;

    /** @param onSealed told after deliveries were sealed (wakes the dispatcher) */
    public Batcher(BatchStore store, Clock clock, Runnable onSealed, Duration poll) {
        this.store = store;
        this.clock = clock;
        this.onSealed = onSealed;
        this.poll = poll;
        this.thread = Thread.ofPlatform().name("herald-batcher").daemon().unstarted(this::run);
    }

    public Batcher start() {
        thread.start();
        return this;
    }

    public void wake() {
        signal.wake();
    }

    private void run() {
        while (running) {
            Duration wait = poll;
            try {
                wait = round();
            } catch (RuntimeException e) {
                if (e instanceof StoreException s && s.outage()) {
                    log.warn("Batcher round failed; trying again in {} ms: {}", poll.toMillis(), e.getMessage());
                } else {
                    log.error("Batcher round failed; trying again in {} ms", poll.toMillis(), e);
                }
            }
            try {
                signal.await(wait);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Seals what is due; answers how long to wait before the next look. */
    Duration round() {
        Instant nextLook = clock.instant().plus(poll);
        BatchStore.Due due = store.due(clock.instant());
        if (due.nextWindowEnd() != null && due.nextWindowEnd().isBefore(nextLook)) {
            nextLook = due.nextWindowEnd();
        }
        int sealed = 0;
        for (String endpointId : due.endpointIds()) {
            BatchStore.Sealed s = store.seal(endpointId);
            sealed += s.deliveries();
            if (s.nextLook() != null && s.nextLook().isBefore(nextLook)) {
                nextLook = s.nextLook();
            }
        }
        if (sealed > 0) {
            onSealed.run();
        }
        Duration wait = Duration.between(clock.instant(), nextLook);
        return wait.isNegative() ? Duration.ZERO : wait.compareTo(poll) > 0 ? poll : wait;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
