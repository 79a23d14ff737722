package dev.herald.api;

import dev.herald.catalog.Catalog;
import dev.herald.batching.DeliveryBodies;
import dev.herald.endpoint.EndpointValidator;
import dev.herald.ingest.Publisher;
import dev.herald.store.CredentialStore;
import dev.herald.store.Database;
import dev.herald.store.DeliveryStore;
import dev.herald.store.EndpointStore;
import dev.herald.store.QueueStore;
import dev.herald.store.RetainedEventStore;
import dev.herald.store.ReplayStore;
import dev.herald.store.SecretBox;
import dev.herald.store.StatsStore;
import dev.herald.store.StoreException;
import dev.herald.store.TenantStore;
import dev.herald.validation.Invalid;
import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import io.javalin.Javalin;
import io.javalin.util.JavalinBindException;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API (v1) on Javalin with virtual threads. Every failure is a problem document: input errors
 * are 4xx naming the field and the rule; a 5xx means Herald or its database failed, never the input.
 */
public final class HttpApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    private static final String STARTED = "herald.started";

    private final Javalin app;
    private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

    public record Parts(Database db, TenantStore tenants, CredentialStore credentials, Catalog catalog, EndpointStore endpoints,
                        DeliveryStore deliveries, QueueStore queue, Publisher publisher, EndpointValidator validator,
                        PrometheusMeterRegistry metrics, Clock clock, String adminToken, HeraldConfig config,
                        Runnable onDeliveryDue, Consumer<String> onEndpointChanged, Runnable onDeleted) {
    }

    public HttpApi(Parts p) {
        Auth auth = new Auth(p.adminToken(), p.credentials(), new AuthThrottle(p.clock()), p.clock());
        ManagementRoutes management = new ManagementRoutes(p.tenants(), p.clock(), p.onDeleted());
        CatalogRoutes catalog = new CatalogRoutes(p.catalog());
        CredentialRoutes credentials = new CredentialRoutes(management, p.credentials(), p.clock(),
                () -> p.config().publicUrl(port()));
        EndpointRoutes endpoints = new EndpointRoutes(management, p.endpoints(), p.validator(), p.clock(),
                p.config().maxEndpointsPerTenant(), p.onEndpointChanged(), p.onDeleted());
        // why: the operations' own stores are built here from the database; replayed per-event deliveries get
        // the same bodies as published ones
        EndpointOperationRoutes operations = new EndpointOperationRoutes(management, p.endpoints(), p.deliveries(),
                new ReplayStore(p.db(), DeliveryBodies::event), new StatsStore(p.db()), new TestEvents(p.catalog()),
                p.clock(), p.onDeliveryDue());
        TenantDataRoutes data = new TenantDataRoutes(management, p.publisher(), p.deliveries(),
                new RetainedEventStore(p.db()), p.clock(), p.onDeliveryDue());
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.concurrency.useVirtualThreads = true;
            config.http.prefer405over404 = true;
            // why: Bodies enforces the per-route limits (1 MiB, 16 MiB for bulk) with a 413 problem
            config.http.maxRequestSize = Bodies.MAX_BULK_BODY + 1L;
            // why: requests Jetty refuses before routing (431, 414, a malformed path) answer problem+json too
            config.jetty.modifyServer(server -> server.setErrorHandler(new EarlyErrors()));
            Routes r = new Routes(config.routes);
            management.register(r);
            catalog.register(r);
            credentials.register(r);
            endpoints.register(r);
            operations.register(r);
            data.register(r);
            new QueueRoutes(p.queue(), p.clock()).register(r);
            new PageRoutes(new dev.herald.portal.Portal(p.config().portalTitle(), p.config().portalAccent(),
                    p.config().portalFrameAncestors())).register(r);
            r.get("/healthz", Access.PUBLIC, ctx -> ctx.contentType("application/json").result("{\"status\":\"ok\"}"));
            Readiness readiness = new Readiness(p.db());
            r.get("/readyz", Access.PUBLIC, ctx -> {
                var health = readiness.check();
                ctx.status(Readiness.status(health)).contentType("application/json").result(Readiness.body(health));
            });
            r.get("/metrics", Access.PUBLIC, ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(p.metrics().scrape()));

            config.routes.before(ctx -> ctx.attribute(STARTED, System.nanoTime()));
            // why: the one place every route's access is checked, before its handler (see Access)
            config.routes.beforeMatched(auth::enforce);
            config.routes.after(ctx -> record(p.metrics(), ctx));
            config.routes.exception(ApiError.class, (e, ctx) -> Problems.write(ctx, e.status, e.getMessage(), e.field));
            config.routes.exception(Invalid.class, (e, ctx) -> Problems.write(ctx, 422, e.getMessage(), e.field()));
            config.routes.exception(StoreException.class, (e, ctx) -> {
                if (e.outage()) {
                    // why: during an outage every request fails the same way; one line each, not a stack trace each
                    log.warn("Store {} on {} {}: {}", e.kind() == StoreException.Kind.UNREACHABLE ? "unreachable" : "not writable",
                            ctx.method(), Routes.route(ctx), e.getMessage());
                } else {
                    log.error("Store failure on {} {}: {}", ctx.method(), Routes.route(ctx), e.getMessage(), e);
                }
                Problems.write(ctx, 503, e.kind() == StoreException.Kind.NOT_WRITABLE
                        ? "the database cannot take writes at the moment; try again later"
                        : "the database is unavailable; try again shortly", null);
            });
            config.routes.exception(SecretBox.UnreadableSecretException.class, (e, ctx) -> {
                log.error("Cannot decrypt on {} {}: {}", ctx.method(), Routes.route(ctx), e.getMessage());
                Problems.write(ctx, 503, "Herald cannot decrypt this endpoint's secrets with the keys it holds;"
                        + " its operator must fix its encryption keys (the log says which)", null);
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.error("Bug: unexpected failure on {} {}", ctx.method(), Routes.route(ctx), e);
                Problems.write(ctx, 500, "Herald failed unexpectedly; the error is logged", null);
            });
            config.routes.error(404, ctx -> fallback(ctx, "no such route: " + ctx.method() + " " + ctx.path()));
            config.routes.error(405, ctx -> fallback(ctx, "method " + ctx.method() + " is not allowed on " + ctx.path()));
            config.routes.error(413, ctx -> fallback(ctx, "the request body is too large"));
        });
    }

    public HttpApi start(String host, int port) {
        try {
            app.start(host, port);
        } catch (JavalinBindException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof java.net.BindException && String.valueOf(cause.getMessage()).contains("in use")) {
                throw new ConfigException(HeraldConfig.PORT + ": port " + port + " is in use; stop what holds it or choose another port");
            }
            throw new ConfigException(HeraldConfig.BIND + ": cannot listen on " + host + " port " + port + " ("
                    + cause.getMessage() + "); use an address of this machine, or 0.0.0.0 for all of them");
        }
        return this;
    }

    /** A route as registered: its method, path template, who may call it and the query parameters it takes. */
    public record Route(String method, String path, String access, java.util.Set<String> queryParams) {
    }

    /** Every route of the table, in registration order (what the OpenAPI document and its tests walk). */
    public java.util.List<Route> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(parsed -> parsed.endpoint)
                .filter(e -> e.method.isHttpMethod())
                .map(e -> new Route(e.method.name(), e.path,
                        e.metadata(io.javalin.security.Roles.class) == null ? "" // why: a route registered around Routes
                                : e.metadata(io.javalin.security.Roles.class).getRoles().stream().map(Object::toString)
                                .collect(java.util.stream.Collectors.joining(",")),
                        e.metadata(QueryParams.class) == null ? java.util.Set.of() : e.metadata(QueryParams.class).names()))
                .toList();
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    private static void fallback(Context ctx, String detail) {
        if (!Problems.written(ctx)) {
            Problems.write(ctx, ctx.statusCode(), detail, null);
        }
    }

    private void record(PrometheusMeterRegistry metrics, Context ctx) {
        Long started = ctx.attribute(STARTED);
        if (started == null) {
            return;
        }
        String route = Routes.route(ctx);
        String method = ctx.method().name();
        int status = ctx.statusCode();
        // why: building a meter id on every request costs more than the lookup of a cached timer
        timers.computeIfAbsent(route + ' ' + method + ' ' + status, k -> Timer.builder("herald.http.requests")
                        .description("HTTP API requests by route template, method and status")
                        .tag("route", route)
                        .tag("method", method)
                        .tag("status", Integer.toString(status))
                        .register(metrics))
                .record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
