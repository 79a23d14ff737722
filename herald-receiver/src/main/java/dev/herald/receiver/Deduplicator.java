package dev.herald.receiver;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Remembers the delivery ids ({@code webhook-id}) a receiver has accepted, so that a second copy of a delivery is
 * answered 2xx without being processed again.
 *
 * <p>Herald delivers at least once: a delivery comes again after an attempt that timed out although you processed
 * it, and, rarely, after a Herald node died mid-attempt. Every copy has the same id and body. Most copies arrive
 * within minutes, so an id is remembered for {@link #DEFAULT_RETENTION} and at most {@link #DEFAULT_MAX_IDS} are
 * kept (the oldest go first): about 15 MB for Herald's UUID ids.
 *
 * <p>This is memory of one process: it forgets on restart and is not shared between instances. Where processing
 * twice does harm (a payment), record the id in your database in the same transaction as the work, under a unique
 * constraint, and use this class only as the cheap first filter.
 *
 * <p>Thread-safe; every method holds one lock briefly.
 */
public final class Deduplicator {
    /** How many ids are kept by default. */
    public static final int DEFAULT_MAX_IDS = 100_000;
    /** How long an id is kept by default. */
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);

    private final int maxIds;
    private final Duration retention;
    private final Clock clock;
    /** Id to the time it was first seen, oldest first. */
    private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();

    /** Keeps up to {@link #DEFAULT_MAX_IDS} ids for {@link #DEFAULT_RETENTION} each. */
    public Deduplicator() {
        this(DEFAULT_MAX_IDS, DEFAULT_RETENTION, Clock.systemUTC());
    }

    /**
     * Keeps up to {@code maxIds} ids, each for {@code retention}, timed by {@code clock}.
     *
     * @throws IllegalArgumentException when {@code maxIds} is below 1 or {@code retention} is not positive
     */
    public Deduplicator(int maxIds, Duration retention, Clock clock) {
        if (maxIds < 1) {
            throw new IllegalArgumentException("maxIds must be at least 1; it was " + maxIds);
        }
        if (retention == null || retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be a positive duration, such as Duration.ofHours(24);"
                    + " it was " + retention);
        }
        this.maxIds = maxIds;
        this.retention = retention;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Records {@code webhookId} and answers whether this is the first time it is seen (within the retention and the
     * cap). Call it only after the request verified, or a forger could fill the memory with ids.
     */
    public synchronized boolean firstTime(String webhookId) {
        Objects.requireNonNull(webhookId, "webhookId");
        Instant now = clock.instant();
        forgetExpired(now);
        if (seen.containsKey(webhookId)) {
            return false;
        }
        seen.put(webhookId, now);
        if (seen.size() > maxIds) {
            Iterator<String> oldest = seen.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        return true;
    }

    /**
     * Forgets {@code webhookId}, so its next copy counts as the first: call it when you answer a non-2xx after all
     * (the work could not be queued), so that Herald's retry is processed.
     */
    public synchronized void forget(String webhookId) {
        seen.remove(webhookId);
    }

    /** How many ids are remembered now. */
    public synchronized int size() {
        forgetExpired(clock.instant());
        return seen.size();
    }

    private void forgetExpired(Instant now) {
        Instant cutoff = now.minus(retention);
        Iterator<Map.Entry<String, Instant>> it = seen.entrySet().iterator();
        // why: entries are in the order they were seen, so the expired ones are at the head
        while (it.hasNext() && !it.next().getValue().isAfter(cutoff)) {
            it.remove();
        }
    }
}
