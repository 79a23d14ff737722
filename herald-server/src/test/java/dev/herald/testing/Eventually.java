package dev.herald.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/** Waits for something Herald does in the background, by polling, never by sleeping a fixed time. */
public final class Eventually {
    private Eventually() {
    }

    /** Polls {@code probe} until {@code done} holds and answers that value; fails after {@code max}, naming {@code what}. */
    public static <T> T until(String what, Duration max, Callable<T> probe, Predicate<? super T> done) {
        return Awaitility.await(what)
                .atMost(max)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10))
                .until(probe, done::test);
    }
}
