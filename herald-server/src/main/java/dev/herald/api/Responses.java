package dev.herald.api;

import dev.herald.json.Json;
import io.javalin.http.Context;
import tools.jackson.databind.JsonNode;

final class Responses {
    private Responses() {
    }

    static void json(Context ctx, int status, JsonNode body) {
        ctx.status(status).contentType("application/json").result(Json.bytes(body));
    }
}
