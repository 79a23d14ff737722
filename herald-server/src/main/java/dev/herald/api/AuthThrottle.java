package dev.herald.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slows down guessing tokens: after {@link #LIMIT} failed authentications from one address within
 * {@link #WINDOW}, that address's requests without a valid credential are refused (429) for {@link #BLOCK}.
 * A valid credential is never refused, since many clients may share one proxy's address.
 *
 * <p>The address is the peer Jetty sees, never {@code X-Forwarded-For}, which a client can write itself. Memory
 * is bounded: at most {@link #MAX_ADDRESSES} addresses are remembered, the one that failed least recently is
 * forgotten first, so an attacker with many addresses cannot grow the table, only forget his own oldest ones.
 */
final class AuthThrottle {
    private static final Logger log = LoggerFactory.getLogger(AuthThrottle.class);
    static final int LIMIT = 20;
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final Duration BLOCK = Duration.ofMinutes(1);
    static final int MAX_ADDRESSES = 10_000;

    /** Failures of one address in the window that started at its first one; blocked until a time once over the limit. */
    private static final class Window {
        final Instant start;
        int failures;
        Instant blockedUntil;

        Window(Instant start) {
            this.start = start;
        }
    }

    private final Clock clock;
    private final Map<String, Window> windows = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    AuthThrottle(Clock clock) {
        this.clock = clock;
    }

    /**
     * Records a failed authentication from {@code address}. Answers how long the address stays blocked when it
     * already is (the request gets 429, and is not counted again), or null when this failure is an ordinary 401.
     */
    synchronized Duration failed(String address) {
        Instant now = clock.instant();
        Window w = windows.get(address);
        if (w != null && w.blockedUntil != null && now.isBefore(w.blockedUntil)) {
            return Duration.between(now, w.blockedUntil);
        }
        if (w == null || w.blockedUntil != null || !now.isBefore(w.start.plus(WINDOW))) {
            w = new Window(now);
            windows.put(address, w);
        }
        if (++w.failures >= LIMIT) {
            w.blockedUntil = now.plus(BLOCK);
            log.warn("{} failed authentications from {} within {}; its requests without a valid token get 429 for {}",
                    w.failures, address, WINDOW, BLOCK);
        }
        return null;
    }

    /** How many addresses are remembered (for tests of the bound). */
    synchronized int size() {
        return windows.size();
    }
}
