package dev.herald.api;

import dev.herald.json.Json;
import dev.herald.portal.Resource;
import io.javalin.http.Context;
import tools.jackson.databind.JsonNode;

final class Responses {
    private Responses() {
    }

    static void json(Context ctx, int status, JsonNode body) {
        ctx.status(status).contentType("application/json").result(Json.bytes(body));
    }

    /** A static answer: its caching, its ETag (a 304 when the browser holds it already), its type and bytes. */
    static void resource(Context ctx, Resource r) {
        ctx.header("Cache-Control", r.cacheControl());
        if (r.etag() != null) {
            ctx.header("ETag", r.etag());
            if (r.etag().equals(ctx.header("If-None-Match"))) {
                ctx.status(304);
                return;
            }
        }
        ctx.contentType(r.contentType()).result(r.body());
    }
}
