package dev.herald.delivery;

import dev.herald.endpoint.TargetGuard;
import dev.herald.store.Database;
import dev.herald.store.DispatchStore;
import dev.herald.store.SecretBox;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/** The dispatcher with its HTTP clients, metrics and housekeeping: everything after sealing. */
public final class DeliveryEngine implements AutoCloseable {
    private final HttpClients clients;
    private final Dispatcher dispatcher;
    private final Housekeeper housekeeper;

    /** @param random jitter source, uniform in [0, 1); tests pin it */
    public record Settings(String userAgent, Duration retention, Duration poll, int maxInFlight, DoubleSupplier random) {
        public static Settings defaults(String userAgent, Duration retention) {
            return new Settings(userAgent, retention, Dispatcher.DEFAULT_POLL, Dispatcher.DEFAULT_MAX_IN_FLIGHT,
                    () -> ThreadLocalRandom.current().nextDouble());
        }
    }

    public DeliveryEngine(Database db, SecretBox secrets, TargetGuard guard, Clock clock, MeterRegistry registry,
                          Settings settings) {
        DispatchStore store = new DispatchStore(db, secrets);
        DeliveryMetrics metrics = new DeliveryMetrics(registry, clock);
        this.clients = new HttpClients(guard);
        this.dispatcher = new Dispatcher(store, new Sender(clients, guard, settings.userAgent(), clock), clock, metrics,
                settings.random(), settings.poll(), settings.maxInFlight());
        this.housekeeper = new Housekeeper(store, metrics, clock, settings.retention());
    }

    public DeliveryEngine start() {
        dispatcher.start();
        housekeeper.start();
        return this;
    }

    /** A delivery may be due now: look without waiting for the next poll. */
    public void wake() {
        dispatcher.wake();
    }

    /** Purges now rather than at the next scheduled run; answers how many rows went. */
    public int purgeNow() {
        return housekeeper.purge();
    }

    @Override
    public void close() {
        housekeeper.close();
        dispatcher.close();
        clients.close();
    }
}
