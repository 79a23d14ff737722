package dev.herald.delivery;

import dev.herald.config.HeraldConfig;
import dev.herald.endpoint.EndpointValidator;
import dev.herald.endpoint.TargetGuard;
import dev.herald.store.CredentialStore;
import dev.herald.store.Database;
import dev.herald.store.Dialect;
import dev.herald.store.OwnershipStore;
import dev.herald.store.DeletionStore;
import dev.herald.store.DispatchStore;
import dev.herald.store.EventStore;
import dev.herald.store.SecretBox;
import dev.herald.tracing.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/** The dispatcher with its HTTP clients, metrics and housekeeping: everything after sealing. */
public final class DeliveryEngine implements AutoCloseable {
    private final HttpClients clients;
    private final Dispatcher dispatcher;
    private final Housekeeper housekeeper;

    /**
     * The engine's timings and limits, each a named default: what the configuration sets, and the timings a
     * reader looks for in one place.
     *
     * @param poll          how often the dispatcher looks for due work when nothing wakes it
     * @param leaseMargin   added to every lease beyond the requests it covers (queueing for the database)
     * @param shutdownGrace how long a stop waits for requests in flight: the longest endpoint timeout and a margin
     * @param limits        requests in flight per tenant and in all
     * @param random        jitter source, uniform in [0, 1); tests pin it
     * @param proxyUrl      the egress proxy deliveries go through ({@code HERALD_PROXY_URL}), or empty
     * @param noProxy       the hosts reached without it ({@code HERALD_NO_PROXY})
     */
    public record Settings(String userAgent, Duration retention, Duration retentionFailed, Duration pauseFailingAfter,
                           Optional<String> operatorTenant, Duration poll, Duration leaseMargin, Duration shutdownGrace,
                           InFlight.Limits limits, DoubleSupplier random, Optional<String> proxyUrl, List<String> noProxy) {
        public static final Duration DEFAULT_POLL = Duration.ofMillis(250);
        public static final Duration DEFAULT_LEASE_MARGIN = Duration.ofSeconds(30);
        public static final Duration DEFAULT_SHUTDOWN_GRACE =
                Duration.ofMillis(EndpointValidator.MAX_TIMEOUT_MS).plusSeconds(10);

        public static Settings defaults(HeraldConfig config) {
            return new Settings(config.userAgent(), config.retention(), config.retentionFailed(), config.pauseFailingAfter(),
                    config.operatorTenant(), DEFAULT_POLL, DEFAULT_LEASE_MARGIN, DEFAULT_SHUTDOWN_GRACE,
                    InFlight.Limits.DEFAULTS, () -> ThreadLocalRandom.current().nextDouble(), config.proxyUrl(), config.noProxy());
        }

        /** These settings with the jitter source pinned (0.5 means no jitter). */
        public Settings withRandom(DoubleSupplier pinned) {
            return new Settings(userAgent, retention, retentionFailed, pauseFailingAfter, operatorTenant, poll, leaseMargin,
                    shutdownGrace, limits, pinned, proxyUrl, noProxy);
        }
    }

    /** @param events where Herald's operational events are published (see {@code Notices}) */
    public DeliveryEngine(Database db, SecretBox secrets, EventStore events, TargetGuard guard, Clock clock,
                          MeterRegistry registry, Settings settings) {
        this(db, secrets, events, guard, clock, registry, settings, Tracing.off());
    }

    /** @param tracing records a span per attempt, linked to the span that made its delivery */
    public DeliveryEngine(Database db, SecretBox secrets, EventStore events, TargetGuard guard, Clock clock,
                          MeterRegistry registry, Settings settings, Tracing tracing) {
        DispatchStore store = new DispatchStore(db, secrets, events);
        DeliveryMetrics metrics = new DeliveryMetrics(registry, clock);
        Optional<EgressProxy> proxy = EgressProxy.of(settings.proxyUrl(), settings.noProxy());
        this.clients = new HttpClients(guard, proxy);
        this.dispatcher = new Dispatcher(store, db, events, new Sender(clients, guard, settings.userAgent(), clock, proxy), clock,
                metrics, settings,
                new Ownership(db.dialect() == Dialect.POSTGRESQL ? new OwnershipStore(db) : null), tracing);
        this.housekeeper = new Housekeeper(store, new DeletionStore(db), new CredentialStore(db), metrics, clock, settings.retention(),
                settings.retentionFailed());
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

    /**
     * Deliveries of these endpoints are due now: their lanes are filled in the next cycle, without the look for due
     * work that {@link #wake()} costs (a query over every endpoint, on every publish before this).
     */
    public void wake(Collection<String> endpointIds) {
        dispatcher.wake(endpointIds);
    }

    /** An endpoint's settings, status or secret changed: read it again before sending more of its deliveries. */
    public void changed(String endpointId) {
        dispatcher.changed(endpointId);
        dispatcher.wake();
    }

    /** Attempts in flight in this process now (every slot is given back when its attempt is recorded or dropped). */
    public int attemptsInFlight() {
        return dispatcher.inFlight();
    }

    /** A tenant or endpoint was deleted: purge its rows in the background, starting now. */
    public void deleted() {
        housekeeper.deleted();
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
