package dev.herald.delivery;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;

/**
 * The deadlines of the calls in flight, enforced by one thread that cancels the late ones every {@link #TICK}.
 * Each call costs a put and a remove in a concurrent map. OkHttp's own call timeout takes a lock shared by every
 * call twice (its timer queue); with a few hundred attempts in flight that lock was a tenth of delivery's CPU.
 * A call is cancelled at most one tick after its deadline.
 */
final class Deadlines implements AutoCloseable {
    static final Duration TICK = Duration.ofMillis(20);

    private final ConcurrentHashMap<Call, Deadline> inFlight = new ConcurrentHashMap<>();
    private final Thread reaper;
    private volatile boolean running = true;

    /** One call's deadline; closing it (when the call is done) forgets it. */
    final class Deadline implements AutoCloseable {
        private final Call call;
        private final long atNanos;
        private volatile boolean passed;

        private Deadline(Call call, long atNanos) {
            this.call = call;
            this.atNanos = atNanos;
        }

        /** Whether the call was cancelled because its deadline passed. */
        boolean passed() {
            return passed;
        }

        @Override
        public void close() {
            inFlight.remove(call, this);
        }
    }

    Deadlines() {
        this.reaper = Thread.ofPlatform().name("herald-deadlines").daemon().start(this::reap);
    }

    /** Starts the clock of {@code call}: it is cancelled once {@code timeout} has passed. */
    Deadline start(Call call, Duration timeout) {
        Deadline d = new Deadline(call, System.nanoTime() + timeout.toNanos());
        inFlight.put(call, d);
        return d;
    }

    private void reap() {
        while (running) {
            long now = System.nanoTime();
            for (Deadline d : inFlight.values()) {
                if (now - d.atNanos >= 0) {
                    d.passed = true;
                    d.call.cancel();
                    inFlight.remove(d.call, d);
                }
            }
            try {
                TimeUnit.NANOSECONDS.sleep(TICK.toNanos());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        reaper.interrupt();
    }
}
