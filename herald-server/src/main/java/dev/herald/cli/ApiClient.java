package dev.herald.cli;

import dev.herald.json.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A running Herald's public API, as one caller (a bearer token) sees it: JSON in, JSON out, and every answer that is
 * not a 2xx turned into an {@link ApiException} carrying the problem's {@code detail} and {@code field}.
 * The same OkHttp that sends deliveries; one client per command run.
 */
final class ApiClient {
    private static final MediaType JSON = MediaType.get("application/json");

    private final HttpUrl base;
    private final String token;
    private final OkHttpClient http;

    ApiClient(HttpUrl base, String token) {
        this.base = base;
        this.token = token;
        this.http = new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(10))
                // why: a bulk publish of 1,000 events is one transaction; give it time on a busy database
                .readTimeout(Duration.ofSeconds(60))
                .followRedirects(false)
                .build();
    }

    /** One answer: its status and its body as text, parsed on demand. */
    record Answer(int status, String text) {
        JsonNode json() {
            return text.isEmpty() ? Json.object() : Json.parse(text);
        }
    }

    /** The OkHttp client, for a caller that derives its own with {@code newBuilder()} (sharing the pool). */
    OkHttpClient http() {
        return http;
    }

    HttpUrl base() {
        return base;
    }

    /** {@code base/segment/segment...}; each segment is encoded, so an id holding {@code /} or {@code ?} stays one. */
    HttpUrl url(String... segments) {
        HttpUrl.Builder b = base.newBuilder();
        for (String s : segments) {
            b.addPathSegment(s);
        }
        return b.build();
    }

    /** The same with query parameters; null values are left out. */
    HttpUrl url(Map<String, String> query, String... segments) {
        HttpUrl.Builder b = url(segments).newBuilder();
        query.forEach((k, v) -> {
            if (v != null) {
                b.addQueryParameter(k, v);
            }
        });
        return b.build();
    }

    Answer get(HttpUrl url) {
        return send("GET", url, null);
    }

    Answer post(HttpUrl url, String json) {
        return send("POST", url, json == null ? "{}" : json);
    }

    Answer patch(HttpUrl url, String json) {
        return send("PATCH", url, json);
    }

    Answer delete(HttpUrl url) {
        return send("DELETE", url, null);
    }

    Answer send(String method, HttpUrl url, String json) {
        Request.Builder b = new Request.Builder().url(url)
                .header("Accept", "application/json")
                .header("User-Agent", "herald-cli")
                .method(method, json == null ? null : RequestBody.create(json, JSON));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try (Response r = http.newCall(b.build()).execute()) {
            String text = r.body().string();
            if (!r.isSuccessful()) {
                throw problem(r.code(), text);
            }
            return new Answer(r.code(), text);
        } catch (IOException e) {
            ApiException unreachable = new ApiException(0, "cannot reach Herald at " + base + ": " + describe(e)
                    + " (is it running? set HERALD_URL or --url)", null);
            unreachable.initCause(e);
            throw unreachable;
        }
    }

    /** The problem document's detail and field, or the status and the start of whatever else was answered. */
    static ApiException problem(int status, String text) {
        try {
            JsonNode n = Json.parse(text);
            String detail = n.path("detail").asString("");
            if (!detail.isBlank()) {
                String field = n.path("field").isString() ? n.path("field").stringValue() : null;
                return new ApiException(status, detail, field);
            }
        } catch (JacksonException e) {
            // not a problem document: fall through to the raw answer
        }
        String shown = text.strip();
        return new ApiException(status, "HTTP " + status + (shown.isEmpty() ? ""
                : ": " + (shown.length() > 200 ? shown.substring(0, 200) + "…" : shown)), null);
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
