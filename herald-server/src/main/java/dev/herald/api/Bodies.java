package dev.herald.api;

import dev.herald.json.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** Reads request bodies within their size limit and parses them as JSON. */
final class Bodies {
    static final int MAX_BODY = 1 << 20;
    static final int MAX_BULK_BODY = 16 << 20;

    private Bodies() {
    }

    /** The body as JSON: 413 over {@code limit} bytes, 400 when empty or not JSON. */
    static JsonNode json(Context ctx, int limit) {
        byte[] bytes = read(ctx, limit);
        if (bytes.length == 0) {
            throw ApiError.badRequest("the request body is empty; send a JSON object");
        }
        try {
            JsonNode node = Json.MAPPER.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw ApiError.badRequest("the request body is empty; send a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw ApiError.badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** The body as JSON, or an empty object when there is none (routes whose body is optional). */
    static JsonNode optionalJson(Context ctx) {
        byte[] bytes = read(ctx, MAX_BODY);
        if (bytes.length == 0 || new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return Json.object();
        }
        try {
            return Json.MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            throw ApiError.badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static byte[] read(Context ctx, int limit) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw tooLarge(limit);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw tooLarge(limit);
            }
            return bytes;
        } catch (IOException e) {
            throw ApiError.badRequest("the request body could not be read: " + e.getMessage());
        }
    }

    private static ApiError tooLarge(int limit) {
        return new ApiError(413, "the request body is larger than " + (limit >> 20) + " MiB");
    }
}
