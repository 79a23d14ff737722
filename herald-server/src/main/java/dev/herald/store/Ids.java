package dev.herald.store;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, a 12-bit sequence, then random bits. Within
 * one process they are strictly increasing (the sequence counts within a millisecond, method 1 of the
 * RFC), so sorted as text they fall in creation order: cursor pagination and sealed-batch order rely on it.
 */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The last (millis << 12 | sequence) handed out. */
    private static final AtomicLong LAST = new AtomicLong();

    private Ids() {
    }

    public static String uuid7(Clock clock) {
        long now = clock.millis() << 12;
        long next = LAST.updateAndGet(last -> Math.max(now, last + 1));
        long msb = ((next >>> 12) << 16) | 0x7000L | (next & 0xfff);
        long lsb = (RANDOM.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
