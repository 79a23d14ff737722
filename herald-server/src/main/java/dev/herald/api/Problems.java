package dev.herald.api;

import dev.herald.json.Json;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import tools.jackson.databind.node.ObjectNode;

/** Writes problem documents (RFC 9457): a title from the status, a detail that says what to fix. */
final class Problems {
    static final String CONTENT_TYPE = "application/problem+json";
    private static final String WRITTEN = "herald.problem";

    private Problems() {
    }

    static void write(Context ctx, int status, String detail, String field) {
        ctx.attribute(WRITTEN, true);
        ctx.status(status).contentType(CONTENT_TYPE).result(body(status, detail, field));
    }

    /** The problem document itself, for writers outside a Javalin handler (Jetty's error handler). */
    static byte[] body(int status, String detail, String field) {
        ObjectNode n = Json.object();
        n.put("type", "about:blank");
        n.put("title", HttpStatus.forStatus(status).getMessage());
        n.put("status", status);
        n.put("detail", detail);
        if (field != null) {
            n.put("field", field);
        }
        return Json.bytes(n);
    }

    /** Whether a handler already answered with a problem (so the status-code fallback must not replace it). */
    static boolean written(Context ctx) {
        return Boolean.TRUE.equals(ctx.attribute(WRITTEN));
    }
}
