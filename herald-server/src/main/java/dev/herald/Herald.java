package dev.herald;

import dev.herald.api.HttpApi;
import dev.herald.batching.Batcher;
import dev.herald.batching.DeliveryBodies;
import dev.herald.catalog.Catalog;
import dev.herald.config.AdminToken;
import dev.herald.config.EncryptionKeys;
import dev.herald.config.HeraldConfig;
import dev.herald.delivery.DeliveryEngine;
import dev.herald.delivery.Notices;
import dev.herald.endpoint.EndpointValidator;
import dev.herald.endpoint.TargetGuard;
import dev.herald.ingest.Publisher;
import dev.herald.store.BatchStore;
import dev.herald.store.CredentialStore;
import dev.herald.store.Database;
import dev.herald.store.DeliveryStore;
import dev.herald.store.EndpointStore;
import dev.herald.store.EventStore;
import dev.herald.store.EventTypeStore;
import dev.herald.store.Notifications;
import dev.herald.store.QueueStore;
import dev.herald.store.SecretBox;
import dev.herald.store.TenantStore;
import dev.herald.tracing.Tracing;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** One Herald process: the store, the API, the batcher and the delivery engine, wired in the order data flows. */
public final class Herald implements AutoCloseable {
    public static final String SQLITE_FILE = "herald.db";

    private final Database db;
    private final HttpApi api;
    private final DeliveryEngine engine;
    /** Every part that was started, in start order; closed in reverse, so data flows out before the store closes. */
    private final List<AutoCloseable> parts;

    private Herald(Database db, HttpApi api, DeliveryEngine engine, List<AutoCloseable> parts) {
        this.db = db;
        this.api = api;
        this.engine = engine;
        this.parts = parts;
    }

    /** Opens the store (migrating it), starts serving, and answers once ready. */
    public static Herald start(HeraldConfig config, Clock clock, PrintStream out) {
        return start(config, clock, out, DeliveryEngine.Settings.defaults(config));
    }

    /** As {@link #start(HeraldConfig, Clock, PrintStream)}, with the delivery engine tuned (tests pin its jitter). */
    public static Herald start(HeraldConfig config, Clock clock, PrintStream out, DeliveryEngine.Settings engineSettings) {
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        new ProcessorMetrics().bindTo(metrics);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(metrics);
        EncryptionKeys keys = EncryptionKeys.read(config);
        String adminToken = AdminToken.resolve(config, out);
        SecretBox secrets = SecretBox.of(keys.current().orElse(null), keys.old());
        Database db = config.databaseUrl().isPresent()
                ? Database.postgres(config.databaseUrl().get(), metrics)
                : Database.sqlite(config.dataDir().resolve(SQLITE_FILE), metrics);
        List<AutoCloseable> parts = new ArrayList<>(List.of(db, gc));
        try {
            // why: closed after the engine, the batcher and the API, so the spans of their last work are exported
            Tracing tracing = started(parts, Tracing.start(config.otelEndpoint()));
            EndpointStore endpoints = new EndpointStore(db, secrets);
            // why: refuse to start rather than serve endpoints whose secrets cannot be read; key ids are enough
            endpoints.checkReadable();
            TargetGuard guard = new TargetGuard(config.allowPrivateTargets());
            TenantStore tenants = new TenantStore(db);
            EventTypeStore eventTypes = new EventTypeStore(db);
            EventStore events = new EventStore(db, DeliveryBodies::event);
            Notices.prepare(config.operatorTenant(), tenants, eventTypes, clock.instant());
            Catalog catalog = new Catalog(eventTypes, clock);
            DeliveryEngine engine = started(parts,
                    new DeliveryEngine(db, secrets, events, guard, clock, metrics, engineSettings, tracing).start());
            Batcher batcher = started(parts, new Batcher(new BatchStore(db), clock, engine::wake, engineSettings.poll(),
                    tracing).start());
            // why: other nodes sharing PostgreSQL publish and seal too; their work wakes this node at once
            started(parts, Notifications.start(db, () -> {
                batcher.wake();
                engine.wake();
            }));
            Publisher publisher = started(parts, new Publisher(events, catalog, clock, metrics, sealedFor -> {
                batcher.wake();
                if (!sealedFor.isEmpty()) {
                    engine.wake(sealedFor); // why: per-event deliveries are sealed by the publish itself
                }
            }, tracing));
            EndpointValidator validator = new EndpointValidator(catalog::unknown, guard);
            HttpApi api = started(parts, new HttpApi(new HttpApi.Parts(db, tenants, new CredentialStore(db), catalog, endpoints,
                    new DeliveryStore(db), new QueueStore(db), publisher, validator, metrics, clock, adminToken, config, engine::wake,
                    engine::changed, engine::deleted))
                    .start(config.bind(), config.port()));
            secrets.currentKeyId().ifPresent(id -> started(parts,
                    new Reencryption(endpoints, id, config.encryptionOldKeysFile().isPresent()).start()));
            return new Herald(db, api, engine, parts);
        } catch (RuntimeException e) {
            closeAll(parts);
            throw e;
        }
    }

    private static <T extends AutoCloseable> T started(List<AutoCloseable> parts, T part) {
        parts.add(part);
        return part;
    }

    public int port() {
        return api.port();
    }

    public HttpApi api() {
        return api;
    }

    public Database database() {
        return db;
    }

    public DeliveryEngine engine() {
        return engine;
    }

    /** Stops taking requests, lets attempts in flight finish and records them, then closes the store. */
    @Override
    public void close() {
        closeAll(parts);
    }

    private static void closeAll(List<AutoCloseable> parts) {
        for (AutoCloseable part : parts.reversed()) {
            try {
                part.close();
            } catch (Exception e) {
                LoggerFactory.getLogger(Herald.class).error("Closing {} failed", part.getClass().getSimpleName(), e);
            }
        }
    }
}
