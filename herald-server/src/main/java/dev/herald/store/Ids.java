package dev.herald.store;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, a 12-bit sequence, then random bits. Sorted as
 * text they fall in creation order, which keeps cursor pagination and the B-tree indexes on them
 * append-mostly.
 *
 * <p>Within one millisecond the 12-bit field counts up (RFC 9562 method 1), so ids made in the same
 * millisecond still sort in the order they were made; past 4,096 in one millisecond the count carries into
 * the timestamp, which runs ahead of the clock by as much. Only within this JVM: ids from two processes
 * sharing PostgreSQL are ordered by their clocks alone.
 */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** A clock that steps back further than this (NTP, a test's clock) restarts the sequence from it. */
    private static final long MAX_STEP_BACK = 1_000L << 12;
    /** The last timestamp and sequence handed out, as {@code millis << 12 | sequence}. */
    private static final AtomicLong LAST = new AtomicLong();

    private Ids() {
    }

    public static String uuid7(Clock clock) {
        long millis = clock.millis();
        long stamp = LAST.updateAndGet(last -> {
            long fresh = millis << 12;
            return fresh > last || last - fresh > MAX_STEP_BACK ? fresh : last + 1;
        });
        long msb = ((stamp >>> 12) << 16) | 0x7000L | (stamp & 0xfffL);
        long lsb = (RANDOM.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
