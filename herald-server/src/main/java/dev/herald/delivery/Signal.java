package dev.herald.delivery;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** Wakes a worker loop early: many wakes before it looks again count as one. */
public final class Signal {
    private final Semaphore permits = new Semaphore(0);

    public void wake() {
        if (permits.availablePermits() == 0) {
            permits.release();
        }
    }

    /** Waits until woken or {@code max} has passed. */
    public void await(Duration max) throws InterruptedException {
        if (permits.tryAcquire(Math.max(0, max.toMillis()), TimeUnit.MILLISECONDS)) {
            permits.drainPermits();
        }
    }
}
