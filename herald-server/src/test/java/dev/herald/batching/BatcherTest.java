package dev.herald.batching;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointSpec;
import dev.herald.endpoint.EndpointSpec.Batching;
import dev.herald.endpoint.EndpointSpec.Format;
import dev.herald.endpoint.EndpointSpec.Status;
import dev.herald.endpoint.RetryPolicy;
import dev.herald.store.BatchStore;
import dev.herald.store.BatchStore.Queue;
import dev.herald.store.BatchStore.Sealing;
import dev.herald.store.Database;
import dev.herald.store.EndpointStore;
import dev.herald.store.EventStore;
import dev.herald.store.NewEvent;
import dev.herald.store.QueuedEvent;
import dev.herald.store.TenantStore;
import dev.herald.tenant.Tenant;
import dev.herald.testing.Databases;
import dev.herald.testing.SettableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sealing rules (a pure function of the queue and the clock), and the batcher draining a backlog on both stores. */
class BatcherTest {
    private final SettableClock clock = new SettableClock();
    private final Batcher batcher = new Batcher(null, clock, () -> { }, Batcher.DEFAULT_POLL);

    @TempDir
    Path dir;

    @Test
    void aPerEventQueueSealsEveryEventOnItsOwnWhateverTheWindow() {
        Queue q = queue(true, 100, clock.instant());

        List<Sealing> out = batcher.plan(q, events(3), clock.instant());

        assertThat(out).hasSize(3).allSatisfy(d -> assertThat(d.events()).hasSize(1));
        assertThat(out).extracting(Sealing::eventType).containsOnly("order.created");
    }

    @Test
    void fullBatchesAreSealedAtOnceAndTheRestWaitsForTheWindow() {
        Queue q = queue(false, 2, clock.instant().minusMillis(999));

        List<Sealing> out = batcher.plan(q, events(5), clock.instant());

        assertThat(out).extracting(d -> d.events().size()).containsExactly(2, 2);
        assertThat(out).extracting(Sealing::eventType).containsOnly("batch");
    }

    @Test
    void aPartialBatchIsSealedOnceTheWindowHasPassedAndTheWindowRestartsAtThatSeal() {
        Queue q = queue(false, 10, clock.instant().minusSeconds(1));

        List<Sealing> out = batcher.plan(q, events(3), clock.instant());

        assertThat(out).singleElement().extracting(d -> d.events().size()).isEqualTo(3);
        assertThat(Batcher.isDue(queue(false, 10, clock.instant()), 3, clock.instant())).isFalse();
        assertThat(Batcher.isDue(queue(false, 10, clock.instant()), 10, clock.instant())).isTrue();
        assertThat(Batcher.isDue(queue(false, 10, null), 1, clock.instant())).isTrue();
    }

    @Test
    void eventsKeepTheirPublishOrderWithinAndAcrossBatchesAndOnlyOnePartialBatchEndsAWindow() {
        Queue q = queue(false, 3, null);

        List<Sealing> out = batcher.plan(q, events(7), clock.instant());

        assertThat(out.stream().flatMap(d -> d.events().stream()).map(QueuedEvent::id))
                .containsExactly("ev-0", "ev-1", "ev-2", "ev-3", "ev-4", "ev-5");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aBacklogLongerThanOneSealingTransactionIsSealedWithoutWaitingForAWakeOrAPoll(String kind) {
        try (Database db = Databases.open(kind, dir)) {
            new TenantStore(db).create(new Tenant("acme", "Acme", clock.instant()));
            EndpointSpec spec = new EndpointSpec("https://partner.example/webhooks", "", List.of(), Format.BATCH,
                    Batching.defaults(), RetryPolicy.polynomialDefault(), Map.of(), null, Duration.ofSeconds(10), 8, null, EndpointSpec.Ordering.NONE, Status.ACTIVE);
            new EndpointStore(db, dev.herald.store.SecretBox.plaintext()).create(new Endpoint("ep-1", "acme", spec, "whsec_x", null, null, null, clock.instant(), clock.instant()));
            List<NewEvent> backlog = new ArrayList<>();
            for (int i = 0; i < 2 * Batcher.MAX_EVENTS_PER_TRANSACTION; i++) {
                backlog.add(new NewEvent("ev-" + i, "order.created", "{}"));
            }
            new EventStore(db, DeliveryBodies::event).publish("acme", backlog, clock.instant());
            Batcher live = new Batcher(new BatchStore(db), clock, () -> { }, Batcher.DEFAULT_POLL);

            Duration first = live.round();
            Duration second = live.round();
            Duration third = live.round();

            assertThat(first).isZero();
            assertThat(second).isZero();
            assertThat(third).isEqualTo(Batcher.DEFAULT_POLL);
            assertThat(new BatchStore(db).waiting(1)).isEmpty();
        }
    }

    private static Queue queue(boolean perEvent, int maxEvents, Instant lastSealedAt) {
        return new Queue("ep-1", "acme", perEvent, maxEvents, Duration.ofSeconds(1), lastSealedAt);
    }

    private List<QueuedEvent> events(int n) {
        return IntStream.range(0, n).mapToObj(i -> new QueuedEvent(i + 1, "ev-" + i, "order.created", "{}", clock.instant())).toList();
    }
}
