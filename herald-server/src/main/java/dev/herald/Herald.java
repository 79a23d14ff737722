package dev.herald;

import dev.herald.api.HttpApi;
import dev.herald.batching.Batcher;
import dev.herald.config.AdminToken;
import dev.herald.config.EncryptionKeys;
import dev.herald.config.HeraldConfig;
import dev.herald.delivery.DeliveryEngine;
import dev.herald.endpoint.EndpointValidator;
import dev.herald.endpoint.TargetGuard;
import dev.herald.ingest.Publisher;
import dev.herald.store.BatchStore;
import dev.herald.store.Database;
import dev.herald.store.DeliveryStore;
import dev.herald.store.EndpointStore;
import dev.herald.store.EventStore;
import dev.herald.store.EventTypeStore;
import dev.herald.store.SecretBox;
import dev.herald.store.TenantStore;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.time.Clock;

/** One Herald process: the store, the API, the batcher and the delivery engine, wired in the order data flows. */
public final class Herald implements AutoCloseable {
    public static final String SQLITE_FILE = "herald.db";

    private final Database db;
    private final HttpApi api;
    private final EventStore events;
    private final Batcher batcher;
    private final DeliveryEngine engine;
    private final JvmGcMetrics gcMetrics;
    private final Reencryption reencryption;

    private Herald(Database db, HttpApi api, EventStore events, Batcher batcher, DeliveryEngine engine, JvmGcMetrics gcMetrics,
                   Reencryption reencryption) {
        this.db = db;
        this.api = api;
        this.events = events;
        this.batcher = batcher;
        this.engine = engine;
        this.gcMetrics = gcMetrics;
        this.reencryption = reencryption;
    }

    /** Opens the store (migrating it), starts serving, and answers once ready. */
    public static Herald start(HeraldConfig config, Clock clock, PrintStream out) {
        return start(config, clock, out, DeliveryEngine.Settings.defaults(config.userAgent(), config.retention()));
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
        DeliveryEngine engine = null;
        Batcher batcher = null;
        EventStore events = null;
        try {
            EndpointStore endpoints = new EndpointStore(db, secrets);
            // why: refuse to start rather than serve endpoints whose secrets cannot be read; key ids are enough
            endpoints.checkReadable();
            TargetGuard guard = new TargetGuard(config.allowPrivateTargets());
            engine = new DeliveryEngine(db, secrets, guard, clock, metrics, engineSettings).start();
            batcher = new Batcher(new BatchStore(db, clock), clock, engine::wake, Batcher.DEFAULT_POLL).start();
            TenantStore tenants = new TenantStore(db);
            EventTypeStore eventTypes = new EventTypeStore(db);
            events = new EventStore(db);
            Batcher sealer = batcher;
            DeliveryEngine sender = engine;
            Publisher publisher = new Publisher(events, eventTypes, clock, metrics, () -> {
                sealer.wake();
                sender.wake(); // why: per-event deliveries are sealed by the publish itself
            });
            EndpointValidator validator = new EndpointValidator(eventTypes::unknown, guard);
            HttpApi api = new HttpApi(new HttpApi.Parts(db, tenants, eventTypes, endpoints, new DeliveryStore(db),
                    publisher, validator, metrics, clock, adminToken, engine::wake)).start(config.port());
            Reencryption reencryption = secrets.currentKeyId()
                    .map(id -> new Reencryption(endpoints, id, config.encryptionOldKeysFile().isPresent()).start())
                    .orElse(null);
            return new Herald(db, api, events, batcher, engine, gc, reencryption);
        } catch (RuntimeException e) {
            if (events != null) {
                events.close();
            }
            if (batcher != null) {
                batcher.close();
            }
            if (engine != null) {
                engine.close();
            }
            db.close();
            throw e;
        }
    }

    public int port() {
        return api.port();
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
        if (reencryption != null) {
            reencryption.close();
        }
        api.close();
        events.close();
        batcher.close();
        engine.close();
        gcMetrics.close();
        db.close();
    }
}
