package dev.herald.api;

import dev.herald.json.Json;
import dev.herald.store.QueueStore;
import java.time.Clock;
import java.time.Instant;
import tools.jackson.databind.node.ObjectNode;

/** Queue health for operators: the console's queue screen and anyone watching a backlog by hand. */
final class QueueRoutes {
    /** How many endpoints the answer lists, largest backlog first. */
    static final int ENDPOINTS_SHOWN = 50;

    private final QueueStore queue;
    private final Clock clock;

    QueueRoutes(QueueStore queue, Clock clock) {
        this.queue = queue;
        this.clock = clock;
    }

    void register(Routes r) {
        r.get("/v1/queue", Access.ADMIN, ctx -> {
            QueueStore.Health h = queue.health(clock.instant(), ENDPOINTS_SHOWN);
            ObjectNode n = Json.object();
            n.put("pending", h.pending());
            n.put("due", h.due());
            n.put("retrying", h.retrying());
            n.put("oldest_due_at", time(h.oldestDueAt()));
            var endpoints = n.putArray("endpoints");
            for (QueueStore.EndpointBacklog e : h.endpoints()) {
                ObjectNode en = endpoints.addObject();
                en.put("tenant_id", e.tenantId());
                en.put("endpoint_id", e.endpointId());
                en.put("url", e.url());
                en.put("status", e.status());
                en.put("pending", e.pending());
                en.put("due", e.due());
                en.put("retrying", e.retrying());
                en.put("oldest_due_at", time(e.oldestDueAt()));
            }
            Responses.json(ctx, 200, n);
        });
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }
}
