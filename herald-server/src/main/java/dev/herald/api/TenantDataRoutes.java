package dev.herald.api;

import dev.herald.ingest.Publisher;
import dev.herald.json.Json;
import dev.herald.store.Attempt;
import dev.herald.store.Delivery;
import dev.herald.store.DeliveryStore;
import dev.herald.store.Position;
import dev.herald.store.Published;
import dev.herald.store.RetainedEvent;
import dev.herald.store.RetainedEventStore;
import dev.herald.validation.EventTypeName;
import dev.herald.validation.Fields;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ObjectNode;

/** Publishing a tenant's events (admin), and reading its events and deliveries (admin or the tenant). */
final class TenantDataRoutes {
    private static final String EVENTS = "/v1/tenants/{tenant}/events";
    private static final String DELIVERY = "/v1/tenants/{tenant}/deliveries/{delivery}";
    private static final QueryParams EVENT_FILTERS = QueryParams.PAGE.and("type", "since", "until");
    private static final QueryParams DELIVERY_FILTERS = QueryParams.PAGE.and("status", "endpoint_id", "event_id", "event_type",
            "since", "until");
    /** Ids as publishing takes them (ingest/Publisher); endpoint and delivery ids are of this form too. */
    private static final Pattern ID = Pattern.compile("[\\x21-\\x7e]{1,255}");
    private static final String ID_RULE = "must be 1 to 255 visible ASCII characters";

    private final ManagementRoutes management;
    private final Publisher publisher;
    private final DeliveryStore deliveries;
    private final RetainedEventStore events;
    private final Clock clock;
    private final Runnable onDeliveryDue;

    TenantDataRoutes(ManagementRoutes management, Publisher publisher, DeliveryStore deliveries, RetainedEventStore events,
                     Clock clock, Runnable onDeliveryDue) {
        this.management = management;
        this.publisher = publisher;
        this.deliveries = deliveries;
        this.events = events;
        this.clock = clock;
        this.onDeliveryDue = onDeliveryDue;
    }

    void register(Routes r) {
        r.post(EVENTS, Access.ADMIN, ctx -> {
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
        r.get(EVENTS, Access.TENANT_READ, EVENT_FILTERS, ctx -> {
            String tenant = tenant(ctx);
            Range range = Range.of(ctx);
            var filter = new RetainedEventStore.Filter(Query.matching(ctx, "type", EventTypeName.PATTERN, EventTypeName.RULE),
                    range.since(), range.until());
            Responses.json(ctx, 200, Pagination.page(
                    events.list(tenant, filter, Pagination.cursor(ctx, Position::parseNumbered), Pagination.limit(ctx)),
                    TenantDataRoutes::view));
        });
        r.get(EVENTS + "/{event}", Access.TENANT_READ, ctx -> {
            String tenant = tenant(ctx);
            RetainedEvent e = events.get(tenant, ctx.pathParam("event")).orElseThrow(() -> ApiError.notFound(
                    "no event " + ctx.pathParam("event") + " for tenant " + tenant
                            + "; events are kept for the retention period (HERALD_RETENTION) after they are published"));
            ObjectNode n = view(e);
            var refs = n.putArray("deliveries");
            for (RetainedEvent.DeliveryRef d : e.deliveries()) {
                refs.addObject().put("id", d.id()).put("endpoint_id", d.endpointId()).put("status", d.status().toString());
            }
            Responses.json(ctx, 200, n);
        });
        r.get("/v1/tenants/{tenant}/deliveries", Access.TENANT_READ, DELIVERY_FILTERS, ctx -> {
            String tenant = tenant(ctx);
            Range range = Range.of(ctx);
            var filter = new DeliveryStore.Filter(
                    Query.matching(ctx, "endpoint_id", ID, ID_RULE),
                    status(ctx.queryParam("status")),
                    Query.matching(ctx, "event_id", ID, ID_RULE),
                    Query.matching(ctx, "event_type", EventTypeName.PATTERN, EventTypeName.RULE),
                    range.since(), range.until());
            Responses.json(ctx, 200, Pagination.page(
                    deliveries.list(tenant, filter, Pagination.cursor(ctx, Position::parse), Pagination.limit(ctx)),
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

    /** {@code ?since=&until=}: the range [since, until) of {@code created_at}; either end may be absent (null). */
    private record Range(Instant since, Instant until) {
        static Range of(Context ctx) {
            Instant since = Query.instant(ctx, "since", null);
            Instant until = Query.instant(ctx, "until", null);
            if (since != null && until != null && since.isAfter(until)) {
                throw ApiError.badRequest("since", "since: must not be after until; the range is [since, until)");
            }
            return new Range(since, until);
        }
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

    private static ObjectNode view(RetainedEvent e) {
        ObjectNode n = Json.object();
        n.put("id", e.id());
        n.put("type", e.type());
        n.put("created_at", e.createdAt().toString());
        n.put("ordering_key", e.orderingKey());
        n.set("data", Json.parse(e.data()));
        return n;
    }

    private static ObjectNode view(Delivery d, boolean detail) {
        ObjectNode n = Json.object();
        n.put("id", d.id());
        n.put("endpoint_id", d.endpointId());
        n.put("status", d.status().toString());
        n.put("event_count", d.eventCount());
        n.put("attempt_count", d.attemptCount());
        n.put("test", d.test());
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
