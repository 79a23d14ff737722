package dev.herald.api;

import dev.herald.json.Json;
import dev.herald.store.TenantStore;
import dev.herald.tenant.Tenant;
import dev.herald.validation.Fields;
import dev.herald.validation.Invalid;
import java.time.Clock;
import tools.jackson.databind.node.ObjectNode;

/** Tenants: the admin's side of the API (the event catalogue is {@link CatalogRoutes}). */
final class ManagementRoutes {

    private final TenantStore tenants;
    private final Clock clock;
    private final Runnable onDeleted;

    /** @param onDeleted told when a tenant was deleted, so its rows are purged in the background */
    ManagementRoutes(TenantStore tenants, Clock clock, Runnable onDeleted) {
        this.tenants = tenants;
        this.clock = clock;
        this.onDeleted = onDeleted;
    }

    void register(Routes r) {
        r.post("/v1/tenants", Access.ADMIN, ctx -> {
            Fields f = Fields.of(Bodies.json(ctx, Bodies.MAX_BODY), "").only("id", "name");
            String id = f.requiredString("id", Tenant.ID, Tenant.ID_RULE);
            Tenant t = new Tenant(id, name(f), clock.instant());
            if (!tenants.create(t)) {
                throw ApiError.conflict(tenants.deleting(id)
                        ? "the tenant with id " + id + " is being deleted; its id is free again once its data is purged"
                        : "a tenant with id " + id + " exists already");
            }
            Responses.json(ctx, 201, view(t));
        });
        r.get("/v1/tenants", Access.ADMIN, QueryParams.PAGE, ctx -> {
            Responses.json(ctx, 200, Pagination.page(
                    tenants.list(Pagination.cursor(ctx), Pagination.limit(ctx)), ManagementRoutes::view));
        });
        r.get("/v1/tenants/{tenant}", Access.ADMIN, ctx -> Responses.json(ctx, 200, view(existing(ctx.pathParam("tenant")))));
        r.patch("/v1/tenants/{tenant}", Access.ADMIN, ctx -> {
            String id = ctx.pathParam("tenant");
            String name = name(Fields.of(Bodies.json(ctx, Bodies.MAX_BODY), "").only("name"));
            if (!tenants.rename(id, name)) {
                throw ApiError.notFound("no tenant " + id);
            }
            Responses.json(ctx, 200, view(existing(id)));
        });
        r.delete("/v1/tenants/{tenant}", Access.ADMIN, ctx -> {
            if (!tenants.delete(ctx.pathParam("tenant"), clock.instant())) {
                throw ApiError.notFound("no tenant " + ctx.pathParam("tenant"));
            }
            onDeleted.run();
            ctx.status(204);
        });
    }

    private static String name(Fields f) {
        String name = f.requiredString("name");
        if (name.isBlank() || name.length() > 256) {
            throw new Invalid("name", "must be 1 to 256 characters, not blank");
        }
        return name;
    }

    Tenant existing(String id) {
        return tenants.get(id).orElseThrow(() -> ApiError.notFound("no tenant " + id));
    }

    private static ObjectNode view(Tenant t) {
        ObjectNode n = Json.object();
        n.put("id", t.id());
        n.put("name", t.name());
        n.put("created_at", t.createdAt().toString());
        return n;
    }

}
