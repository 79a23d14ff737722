package dev.herald.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/** Publishers: bulk and single POSTs, as fast as they go or at a steady rate; every loop is bounded in count and time. */
final class Load {
    static final String TENANT = "bench";
    static final String TICK = "bench.tick";
    static final String WARM = "bench.warm";
    static final String STORED = "bench.stored";

    private Load() {
    }

    /** A tenant and the two event types every scenario uses. */
    static void seed(HeraldProcess h) throws IOException {
        h.call("POST", "/v1/tenants", "{\"id\":\"" + TENANT + "\",\"name\":\"Bench\"}", 201);
        h.call("POST", "/v1/event-types", "{\"name\":\"" + TICK + "\",\"description\":\"measured\"}", 201);
        h.call("POST", "/v1/event-types", "{\"name\":\"" + WARM + "\",\"description\":\"warm-up\"}", 201);
        h.call("POST", "/v1/event-types", "{\"name\":\"" + STORED + "\",\"description\":\"stored, then delivered\"}", 201);
    }

    /** Registers an endpoint from the given JSON fields (without braces) and answers its id. */
    static String endpoint(HeraldProcess h, String fields) throws IOException {
        String body = h.call("POST", "/v1/tenants/" + TENANT + "/endpoints", "{" + fields + "}", 201);
        return Bench.JSON.readTree(body).get("id").asString();
    }

    static void setStatus(HeraldProcess h, String endpointId, String status) throws IOException {
        h.call("PATCH", "/v1/tenants/" + TENANT + "/endpoints/" + endpointId, "{\"status\":\"" + status + "\"}", 200);
    }

    static String event(String type, String key) {
        return "{\"type\":\"" + type + "\",\"data\":{\"k\":\"" + key + "\"}}";
    }

    static String bulkBody(String type, String prefix, int from, int n) {
        StringBuilder b = new StringBuilder(n * 56 + 16).append("{\"events\":[");
        for (int i = 0; i < n; i++) {
            b.append(i > 0 ? "," : "").append(event(type, prefix + (from + i)));
        }
        return b.append("]}").toString();
    }

    /**
     * Publishes {@code total} events (keys {@code prefix + index}) in bulk requests of {@code perRequest} from
     * {@code posters} concurrent posters; answers how many were acknowledged. When {@code ackAt} is given, the
     * time the 202 arrived is written at each event's index.
     */
    static long bulk(HeraldProcess h, String type, String prefix, int total, int perRequest, int posters,
                     long[] ackAt, Duration max) {
        int chunks = (total + perRequest - 1) / perRequest;
        return run(posters, chunks, max, c -> {
            int from = c * perRequest;
            int n = Math.min(perRequest, total - from);
            h.publish("/v1/tenants/" + TENANT + "/events/bulk", bulkBody(type, prefix, from, n), 202);
            long now = System.nanoTime();
            if (ackAt != null) {
                for (int i = 0; i < n; i++) {
                    ackAt[from + i] = now;
                }
            }
            return n;
        });
    }

    /** Publishes {@code total} events with single POSTs from {@code posters} concurrent posters. */
    static long single(HeraldProcess h, String type, String prefix, int total, int posters, Duration max) {
        return run(posters, total, max, i -> {
            h.publish("/v1/tenants/" + TENANT + "/events", event(type, prefix + i), 202);
            return 1;
        });
    }

    /**
     * Single POSTs at a steady {@code rate} per second for {@code total} events, at most 64 in flight; the time
     * each 202 arrived is written to {@code ackAt}. Answers how many were acknowledged.
     */
    static long paced(HeraldProcess h, String type, String prefix, int total, int rate, long[] ackAt, Duration max) {
        Semaphore inFlight = new Semaphore(64);
        AtomicLong acked = new AtomicLong();
        AtomicReference<Exception> error = new AtomicReference<>();
        long t0 = System.nanoTime();
        long deadline = t0 + max.toNanos();
        long interval = 1_000_000_000L / rate;
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < total && error.get() == null && System.nanoTime() < deadline; i++) {
                long due = t0 + i * interval;
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                try {
                    inFlight.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                int n = i;
                ex.submit(() -> {
                    try {
                        h.publish("/v1/tenants/" + TENANT + "/events", event(type, prefix + n), 202);
                        ackAt[n] = System.nanoTime();
                        acked.incrementAndGet();
                    } catch (IOException | RuntimeException e) {
                        error.compareAndSet(null, e);
                    } finally {
                        inFlight.release();
                    }
                });
            }
        }
        if (error.get() != null) {
            throw new IllegalStateException("publishing failed: " + error.get().getMessage(), error.get());
        }
        return acked.get();
    }

    interface Step {
        /** Does unit {@code i} of the work and answers how many events it acknowledged. */
        int run(int i) throws IOException;
    }

    /** Runs {@code units} steps on {@code workers} virtual threads, until done, failed or {@code max} has passed. */
    static long run(int workers, int units, Duration max, Step step) {
        AtomicInteger next = new AtomicInteger();
        AtomicLong done = new AtomicLong();
        AtomicReference<Exception> error = new AtomicReference<>();
        long deadline = System.nanoTime() + max.toNanos();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < workers; w++) {
                ex.submit(() -> {
                    int i;
                    while (error.get() == null && System.nanoTime() < deadline && (i = next.getAndIncrement()) < units) {
                        try {
                            done.addAndGet(step.run(i));
                        } catch (IOException | RuntimeException e) {
                            error.compareAndSet(null, e);
                        }
                    }
                });
            }
        }
        if (error.get() != null) {
            throw new IllegalStateException("load failed: " + error.get().getMessage(), error.get());
        }
        return done.get();
    }
}
