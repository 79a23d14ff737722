package dev.herald.api;

import dev.herald.ingest.Publisher;
import dev.herald.json.Json;
import dev.herald.store.Attempt;
import dev.herald.store.Delivery;
import dev.herald.store.DeliveryStore;
import dev.herald.store.Published;
import dev.herald.validation.Fields;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.node.ObjectNode;

/** Publishing a tenant's events (admin) and reading its deliveries (admin or the tenant). */
final class TenantDataRoutes {
    private static final String DELIVERY = "/v1/tenants/{tenant}/deliveries/{delivery}";
    private static final QueryParams DELIVERY_FILTERS = QueryParams.PAGE.and("status", "endpoint_id");

    private final ManagementRoutes management;
    private final Publisher publisher;
    private final DeliveryStore deliveries;
    private final Clock clock;
    private final Runnable onDeliveryDue;

    TenantDataRoutes(ManagementRoutes management, Publisher publisher, DeliveryStore deliveries, Clock clock,
                     Runnable onDeliveryDue) {
        this.management = management;
        this.publisher = publisher;
        this.deliveries = deliveries;
        this.clock = clock;
        this.onDeliveryDue = onDeliveryDue;
    }

    void register(Routes r) {
        r.post("/v1/tenants/{tenant}/events", Access.ADMIN, ctx -> {
            String tenant = management.existing(ctx.pathParam("tenant")).id();
            Responses.json(ctx, 202, view(publisher.publish(tenant, Bodies.json(ctx, Bodies.MAX_BODY))));
        });
        r.post("/v1/tenants/{tenant}/events/bulk", Access.ADMIN, ctx -> {
            String tenant = management.existing(ctx.pathParam("tenant")).id();
            List<Published> published = publisher.publishBulk(tenant, Bodies.json(ctx, Bodies.MAX_BULK_BODY));
            ObjectNode n = Json.object();
            var data = n.putArray("data");
            published.forEach(p -> data.add(view(p)));
            Responses.json(ctx, 202, n);
        });
        r.get("/v1/tenants/{tenant}/deliveries", Access.TENANT_READ, DELIVERY_FILTERS, ctx -> {
            String tenant = tenant(ctx);
            Delivery.Status status = status(ctx.queryParam("status"));
            String endpointId = ctx.queryParam("endpoint_id");
            Responses.json(ctx, 200, Pagination.page(
                    deliveries.list(tenant, endpointId == null || endpointId.isEmpty() ? null : endpointId, status,
                            Pagination.cursor(ctx), Pagination.limit(ctx)),
                    d -> view(d, false)));
        });
        r.get(DELIVERY, Access.TENANT_READ, ctx -> {
            ObjectNode n = view(existing(ctx), true);
            // why: the delivery log shows exactly what the receiver was sent (the same bytes on every attempt)
            deliveries.request(tenant(ctx), ctx.pathParam("delivery")).ifPresent(req -> {
                n.put("event_type", req.eventType());
                n.set("body", dev.herald.json.Json.parse(new String(req.body(), java.nio.charset.StandardCharsets.UTF_8)));
            });
            Responses.json(ctx, 200, n);
        });
        r.post(DELIVERY + "/retry", Access.TENANT_WRITE, ctx -> {
            String tenant = tenant(ctx);
            Fields.of(Bodies.optionalJson(ctx), "").only();
            switch (deliveries.retry(tenant, ctx.pathParam("delivery"), clock.instant())) {
                case NOT_FOUND -> throw missing(ctx);
                case NOT_FAILED -> throw ApiError.conflict("delivery " + ctx.pathParam("delivery")
                        + " is not failed; only a failed delivery can be retried by hand");
                case RETRYING -> {
                    onDeliveryDue.run();
                    Responses.json(ctx, 202, view(existing(ctx), true));
                }
            }
        });
    }

    private String tenant(Context ctx) {
        return management.existing(ctx.pathParam("tenant")).id();
    }

    private Delivery existing(Context ctx) {
        return deliveries.get(tenant(ctx), ctx.pathParam("delivery")).orElseThrow(() -> missing(ctx));
    }

    private static ApiError missing(Context ctx) {
        return ApiError.notFound("no delivery " + ctx.pathParam("delivery") + " for tenant " + ctx.pathParam("tenant"));
    }

    private static Delivery.Status status(String raw) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        try {
            return Delivery.Status.valueOf(raw.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("status", "status: must be one of pending, delivered, failed");
        }
    }

    private static ObjectNode view(Published p) {
        ObjectNode n = Json.object();
        n.put("id", p.id());
        n.put("created_at", p.createdAt().toString());
        return n;
    }

    private static ObjectNode view(Delivery d, boolean detail) {
        ObjectNode n = Json.object();
        n.put("id", d.id());
        n.put("endpoint_id", d.endpointId());
        n.put("status", d.status().toString());
        n.put("event_count", d.eventCount());
        n.put("attempt_count", d.attemptCount());
        putTime(n, "next_attempt_at", d.status() == Delivery.Status.PENDING ? d.nextAttemptAt() : null);
        putTime(n, "created_at", d.createdAt());
        putTime(n, "delivered_at", d.deliveredAt());
        if (detail) {
            var ids = n.putArray("event_ids");
            d.eventIds().forEach(ids::add);
            var attempts = n.putArray("attempts");
            for (Attempt a : d.attempts()) {
                ObjectNode an = attempts.addObject();
                an.put("n", a.n());
                an.put("at", a.at().toString());
                if (a.statusCode() == null) {
                    an.putNull("status_code");
                } else {
                    an.put("status_code", a.statusCode());
                }
                an.put("duration_ms", a.durationMs());
                an.put("error", a.error());
                an.put("response_body", a.responseBody());
            }
        }
        return n;
    }

    private static void putTime(ObjectNode n, String name, Instant t) {
        if (t == null) {
            n.putNull(name);
        } else {
            n.put(name, t.toString());
        }
    }
}
