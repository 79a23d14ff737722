package dev.herald.api;

import dev.herald.catalog.Catalog;
import dev.herald.json.Json;
import dev.herald.store.EventType;
import dev.herald.store.EventTypeStore.Deletion;
import tools.jackson.databind.node.ObjectNode;

/** The event catalogue: the admin defines types (with a schema and an example); every principal may read it. */
final class CatalogRoutes {
    private final Catalog catalog;

    CatalogRoutes(Catalog catalog) {
        this.catalog = catalog;
    }

    void register(Routes r) {
        r.post("/v1/event-types", Access.ADMIN, ctx -> {
            var body = Bodies.json(ctx, Bodies.MAX_BODY);
            EventType t = catalog.create(body).orElseThrow(() -> ApiError.conflict("an event type named "
                    + body.get("name").stringValue() + " exists already; change it with PATCH /v1/event-types/{name}"));
            Responses.json(ctx, 201, view(t));
        });
        r.get("/v1/event-types", Access.AUTHENTICATED, QueryParams.PAGE, ctx -> {
            Responses.json(ctx, 200, Pagination.page(
                    catalog.list(Pagination.cursor(ctx), Pagination.limit(ctx)), CatalogRoutes::view));
        });
        r.get("/v1/event-types/{name}", Access.AUTHENTICATED, ctx -> {
            String name = ctx.pathParam("name");
            Responses.json(ctx, 200, view(catalog.get(name).orElseThrow(() -> unknown(name))));
        });
        r.patch("/v1/event-types/{name}", Access.ADMIN, ctx -> {
            String name = ctx.pathParam("name");
            var body = Bodies.json(ctx, Bodies.MAX_BODY);
            Responses.json(ctx, 200, view(catalog.update(name, body).orElseThrow(() -> unknown(name))));
        });
        r.delete("/v1/event-types/{name}", Access.ADMIN, ctx -> {
            String name = ctx.pathParam("name");
            Deletion d = catalog.delete(name);
            if (!d.found()) {
                throw unknown(name);
            }
            if (!d.deleted()) {
                throw ApiError.conflict("event type " + name + " is subscribed to by name by " + d.endpoints()
                        + (d.endpoints() == 1 ? " endpoint" : " endpoints") + "; remove it from their event_types, then"
                        + " delete it again (wildcards such as order.* do not hold a type)");
            }
            ctx.status(204);
        });
    }

    private static ApiError unknown(String name) {
        return ApiError.notFound("no event type named " + name);
    }

    static ObjectNode view(EventType t) {
        ObjectNode n = Json.object();
        n.put("name", t.name());
        n.put("description", t.description());
        json(n, "schema", t.schema());
        json(n, "example", t.example());
        n.put("created_at", t.createdAt().toString());
        n.put("updated_at", t.updatedAt().toString());
        return n;
    }

    private static void json(ObjectNode n, String name, String text) {
        if (text == null) {
            n.putNull(name);
        } else {
            n.set(name, Json.parse(text));
        }
    }
}
