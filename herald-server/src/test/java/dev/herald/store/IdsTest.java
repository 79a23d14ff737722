package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.SettableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdsTest {
    @Test
    void idsFromLaterMillisecondsSortAfterEarlierOnesAsText() {
        SettableClock clock = new SettableClock();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            ids.add(Ids.uuid7(clock));
            clock.tick(Duration.ofMillis(1));
        }

        assertThat(ids).isSorted();
    }

    @Test
    void idsMadeWithinOneMillisecondStillSortInCreationOrder() {
        // why: deliveries are listed newest first by id, and many are sealed in the same millisecond
        SettableClock clock = new SettableClock();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            ids.add(Ids.uuid7(clock));
        }

        assertThat(ids).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void isAVersion7UuidCarryingTheClocksMilliseconds() {
        SettableClock clock = new SettableClock(Instant.parse("2031-05-06T07:08:09.123Z"));
        UUID id = UUID.fromString(Ids.uuid7(clock));

        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(clock.millis());
    }

    @Test
    void idsAreUniqueUnderTheSystemClock() {
        HashSet<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(seen.add(Ids.uuid7(Clock.systemUTC()))).isTrue();
        }
    }
}
