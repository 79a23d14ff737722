package dev.herald.api;

import dev.herald.validation.Times;
import io.javalin.http.Context;
import java.time.Instant;

/** Typed query parameters: a bad value is a 400 naming the parameter and its rule. */
final class Query {
    private Query() {
    }

    /** The parameter's value, or null when absent or empty. */
    static String string(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        return raw == null || raw.isEmpty() ? null : raw;
    }

    /** An RFC 3339 time, or {@code fallback} when absent. */
    static Instant instant(Context ctx, String name, Instant fallback) {
        String raw = string(ctx, name);
        if (raw == null) {
            return fallback;
        }
        return Times.parse(raw).orElseThrow(() -> ApiError.badRequest(name, name + ": " + Times.RULE));
    }
}
