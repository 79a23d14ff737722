package dev.herald.delivery;

import dev.herald.store.DispatchStore.Stats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** The delivery engine's meters. Labels are bounded: outcomes, never endpoints or tenants. */
final class DeliveryMetrics {
    enum AttemptOutcome { DELIVERED, RETRYING, FAILED, PAUSED, FENCED }

    private final Map<AttemptOutcome, Counter> outcomes = new EnumMap<>(AttemptOutcome.class);
    private final Timer duration;
    private final Counter reclaimed;
    private final Counter droppedOutcomes;
    private final AtomicReference<Stats> stats = new AtomicReference<>(new Stats(0, 0, 0, null));

    DeliveryMetrics(MeterRegistry registry, Clock clock) {
        for (AttemptOutcome o : AttemptOutcome.values()) {
            outcomes.put(o, Counter.builder("herald.deliveries.attempts")
                    .description("Delivery attempts by what they led to")
                    .tag("outcome", o.name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry));
        }
        duration = Timer.builder("herald.attempt.duration")
                .description("Time from sending a delivery to its answer")
                .publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        reclaimed = Counter.builder("herald.leases.reclaimed")
                .description("Deliveries claimed again after another claim's lease ran out (a node died or stalled)")
                .register(registry);
        droppedOutcomes = Counter.builder("herald.outcomes.dropped")
                .description("Attempt outcomes that could not be written while other writes succeeded (logged); the delivery is sent again")
                .register(registry);
        Gauge.builder("herald.queue.waiting_events", stats, s -> s.get().waitingEvents())
                .description("Events waiting to be sealed into deliveries").register(registry);
        Gauge.builder("herald.queue.due_deliveries", stats, s -> s.get().dueDeliveries())
                .description("Deliveries due to be sent now").register(registry);
        Gauge.builder("herald.queue.retrying_deliveries", stats, s -> s.get().retryingDeliveries())
                .description("Pending deliveries that failed at least once").register(registry);
        Gauge.builder("herald.queue.oldest_due_age", stats,
                        s -> s.get().oldestDue() == null ? 0 : Math.max(0, clock.millis() - s.get().oldestDue().toEpochMilli()) / 1000.0)
                .baseUnit("seconds")
                .description("How long the oldest due delivery has been waiting").register(registry);
    }

    void attempt(AttemptOutcome outcome, long durationMs) {
        outcomes.get(outcome).increment();
        duration.record(Duration.ofMillis(durationMs));
    }

    void reclaimed() {
        reclaimed.increment();
    }

    void droppedOutcome() {
        droppedOutcomes.increment();
    }

    void stats(Stats s) {
        stats.set(s);
    }
}
