package dev.herald;

import dev.herald.api.HttpApi;
import dev.herald.config.AdminToken;
import dev.herald.config.HeraldConfig;
import dev.herald.endpoint.EndpointValidator;
import dev.herald.endpoint.TargetGuard;
import dev.herald.ingest.Publisher;
import dev.herald.store.Database;
import dev.herald.store.DeliveryStore;
import dev.herald.store.EndpointStore;
import dev.herald.store.EventStore;
import dev.herald.store.EventTypeStore;
import dev.herald.store.TenantStore;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.time.Clock;

/** One Herald process: the store, the API and (with the delivery engine) the batcher and dispatcher. */
public final class Herald implements AutoCloseable {
    public static final String SQLITE_FILE = "herald.db";

    private final Database db;
    private final HttpApi api;
    private final JvmGcMetrics gcMetrics;

    private Herald(Database db, HttpApi api, JvmGcMetrics gcMetrics) {
        this.db = db;
        this.api = api;
        this.gcMetrics = gcMetrics;
    }

    /** Opens the store (migrating it), starts serving, and answers once ready. */
    public static Herald start(HeraldConfig config, Clock clock, PrintStream out) {
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        new ProcessorMetrics().bindTo(metrics);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(metrics);
        String adminToken = AdminToken.resolve(config, out);
        Database db = config.databaseUrl().isPresent()
                ? Database.postgres(config.databaseUrl().get(), metrics)
                : Database.sqlite(config.dataDir().resolve(SQLITE_FILE), metrics);
        try {
            TenantStore tenants = new TenantStore(db);
            EventTypeStore eventTypes = new EventTypeStore(db);
            EndpointStore endpoints = new EndpointStore(db);
            Publisher publisher = new Publisher(new EventStore(db), eventTypes, clock, metrics, () -> { });
            EndpointValidator validator = new EndpointValidator(eventTypes::unknown, new TargetGuard(config.allowPrivateTargets()));
            HttpApi api = new HttpApi(new HttpApi.Parts(db, tenants, eventTypes, endpoints, new DeliveryStore(db),
                    publisher, validator, metrics, clock, adminToken)).start(config.port());
            return new Herald(db, api, gc);
        } catch (RuntimeException e) {
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

    @Override
    public void close() {
        api.close();
        gcMetrics.close();
        db.close();
    }
}
