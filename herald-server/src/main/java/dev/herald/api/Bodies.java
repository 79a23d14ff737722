package dev.herald.api;

import dev.herald.json.Json;
import dev.herald.validation.Invalid;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** Reads request bodies within their size limit and parses them as JSON. */
final class Bodies {
    static final int MAX_BODY = 1 << 20;
    static final int MAX_BULK_BODY = 16 << 20;
    /** How much of a body over its limit is read and discarded so that the client sees the 413. */
    private static final long DRAIN_LIMIT = 16L << 20;

    private Bodies() {
    }

    /** The body as JSON: 413 over {@code limit} bytes, 400 when empty or not JSON. */
    static JsonNode json(Context ctx, int limit) {
        byte[] bytes = read(ctx, limit);
        if (bytes.length == 0) {
            throw ApiError.badRequest("the request body is empty; send a JSON object");
        }
        JsonNode node = parse(utf8(bytes));
        if (node == null || node.isMissingNode()) {
            throw ApiError.badRequest("the request body is empty; send a JSON object");
        }
        return node;
    }

    /** The body as JSON, or an empty object when there is none (routes whose body is optional). */
    static JsonNode optionalJson(Context ctx) {
        byte[] bytes = read(ctx, MAX_BODY);
        String text = utf8(bytes);
        return text.isBlank() ? Json.object() : parse(text);
    }

    private static JsonNode parse(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (JacksonException e) {
            Invalid loneSurrogate = LoneSurrogateKey.find(text);
            if (loneSurrogate != null) {
                throw loneSurrogate;
            }
            throw ApiError.badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * The body as text, refusing anything that is not strict UTF-8 (RFC 8259): the parser alone would accept
     * overlong sequences (so {@code C0 AF} became '/') and guess UTF-16 from the first bytes.
     */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw ApiError.badRequest("the request body is not valid UTF-8; send JSON encoded as UTF-8");
        }
    }

    private static byte[] read(Context ctx, int limit) {
        long declared = ctx.req().getContentLengthLong();
        try (InputStream in = ctx.req().getInputStream()) {
            if (declared > limit) {
                throw tooLarge(in, limit);
            }
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw tooLarge(in, limit);
            }
            return bytes;
        } catch (IOException e) {
            throw ApiError.badRequest("the request body could not be read: " + e.getMessage());
        }
    }

    /**
     * A 413, after reading and discarding the rest of a body that is not far over the limit: answering
     * while the client is still sending makes the server close the connection under it, and the client
     * sees a reset instead of the 413. A body further over the limit is not read; its sender may see a reset.
     */
    private static ApiError tooLarge(InputStream in, int limit) throws IOException {
        long left = DRAIN_LIMIT;
        byte[] sink = new byte[8192];
        int n;
        while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) {
            left -= n;
        }
        return tooLarge(limit);
    }

    private static ApiError tooLarge(int limit) {
        return new ApiError(413, "the request body is larger than " + (limit >> 20) + " MiB");
    }
}
