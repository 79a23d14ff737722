package dev.herald.api;

import dev.herald.store.Page;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code ?limit=&cursor=} in, {@code {"data": [...], "next_cursor": ...}} out. Cursors are opaque. */
final class Pagination {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 250;
    private static final String BAD_CURSOR = "cursor: is not a cursor this list returned; pass next_cursor from the previous page"
            + " of the same list";

    private Pagination() {
    }

    static int limit(Context ctx) {
        String raw = ctx.queryParam("limit");
        if (raw == null || raw.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiError.badRequest("limit", "limit: must be a whole number from 1 to " + MAX_LIMIT);
    }

    /** The key after which the page starts, or null for the first page. */
    static String cursor(Context ctx) {
        String raw = ctx.queryParam("cursor");
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        try {
            String key = new String(Base64.getUrlDecoder().decode(raw), StandardCharsets.UTF_8);
            if (key.startsWith("k:")) {
                return key.substring(2);
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw ApiError.badRequest("cursor", BAD_CURSOR);
    }

    /**
     * The position after which the page starts, as the list's store reads it ({@code parse} answers empty for a
     * key it did not make), or null for the first page.
     */
    static <K> K cursor(Context ctx, Function<String, java.util.Optional<K>> parse) {
        String key = cursor(ctx);
        if (key == null) {
            return null;
        }
        return parse.apply(key).orElseThrow(() -> ApiError.badRequest("cursor", BAD_CURSOR));
    }

    static <T> ObjectNode page(Page<T> page, Function<T, JsonNode> view) {
        ObjectNode n = dev.herald.json.Json.object();
        var data = n.putArray("data");
        page.items().forEach(item -> data.add(view.apply(item)));
        if (page.nextKey() == null) {
            n.putNull("next_cursor");
        } else {
            n.put("next_cursor", Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(("k:" + page.nextKey()).getBytes(StandardCharsets.UTF_8)));
        }
        return n;
    }
}
