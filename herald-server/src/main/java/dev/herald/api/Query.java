package dev.herald.api;

import dev.herald.validation.Times;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.regex.Pattern;

/** Typed query parameters: a bad value is a 400 naming the parameter and its rule. */
final class Query {
    private Query() {
    }

    /** The parameter's value, or null when absent or empty. */
    static String string(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        return raw == null || raw.isEmpty() ? null : raw;
    }

    /**
     * The parameter's value when it matches {@code pattern}, null when absent or empty, else a 400 naming
     * {@code rule}. why: a filter value no stored row could hold (a NUL, which PostgreSQL refuses in text, or
     * 10,000 characters) is a mistake to name, not a query to run.
     */
    static String matching(Context ctx, String name, Pattern pattern, String rule) {
        String value = string(ctx, name);
        if (value != null && !pattern.matcher(value).matches()) {
            throw ApiError.badRequest(name, name + ": " + rule);
        }
        return value;
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
