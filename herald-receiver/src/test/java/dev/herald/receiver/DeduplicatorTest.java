package dev.herald.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeduplicatorTest {
    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-23T10:00:00Z"));

    @Test
    void anIdIsNewOnceThenADuplicate() {
        Deduplicator seen = new Deduplicator();

        assertThat(seen.firstTime("d-1")).isTrue();
        assertThat(seen.firstTime("d-1")).isFalse();
        assertThat(seen.firstTime("d-2")).isTrue();
        assertThat(seen.size()).isEqualTo(2);
    }

    @Test
    void beyondTheCapTheOldestIdIsForgotten() {
        Deduplicator seen = new Deduplicator(3, Duration.ofHours(1), clock);
        for (String id : List.of("a", "b", "c", "d")) {
            assertThat(seen.firstTime(id)).isTrue();
        }

        assertThat(seen.size()).isEqualTo(3);
        assertThat(seen.firstTime("d")).isFalse();
        assertThat(seen.firstTime("b")).isFalse();
        assertThat(seen.firstTime("a")).as("a was the oldest, so it went").isTrue();
    }

    @Test
    void anIdIsForgottenWhenItsRetentionHasPassed() {
        Deduplicator seen = new Deduplicator(10, Duration.ofHours(24), clock);
        seen.firstTime("a");
        clock.advance(Duration.ofHours(12));
        seen.firstTime("b");

        clock.advance(Duration.ofHours(12).minusSeconds(1));
        assertThat(seen.firstTime("a")).as("a duplicate does not extend the retention").isFalse();
        clock.advance(Duration.ofSeconds(1));

        assertThat(seen.size()).isEqualTo(1);
        assertThat(seen.firstTime("a")).isTrue();
        assertThat(seen.firstTime("b")).isFalse();
    }

    @Test
    void aForgottenIdIsNewAgain() {
        Deduplicator seen = new Deduplicator();
        seen.firstTime("d-1");

        seen.forget("d-1");
        seen.forget("never-seen");

        assertThat(seen.firstTime("d-1")).isTrue();
    }

    @Test
    void settingsOutOfRangeAreNamed() {
        Clock system = Clock.systemUTC();
        assertThatThrownBy(() -> new Deduplicator(0, Duration.ofHours(1), system)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxIds must be at least 1; it was 0");
        assertThatThrownBy(() -> new Deduplicator(10, Duration.ZERO, system)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("retention must be a positive duration");
    }

    @Test
    void underContentionEachIdIsNewExactlyOnce() throws Exception {
        Deduplicator seen = new Deduplicator(100_000, Duration.ofHours(1), clock);
        AtomicInteger firsts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        if (seen.firstTime("d-" + i)) {
                            firsts.incrementAndGet();
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }

        assertThat(firsts.get()).isEqualTo(10_000);
        assertThat(seen.size()).isEqualTo(10_000);
    }
}
