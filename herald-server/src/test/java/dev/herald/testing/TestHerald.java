package dev.herald.testing;

import dev.herald.Herald;
import dev.herald.config.HeraldConfig;
import dev.herald.delivery.DeliveryEngine;
import dev.herald.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A real Herald on a free loopback port, with its own data directory, and a small HTTP client for it.
 * SQLite by default; {@link #postgres()} for a fresh PostgreSQL database.
 */
public final class TestHerald implements AutoCloseable {
    public static final String ADMIN = "test-admin-token-0123456789";

    private final Herald herald;
    private final Path dataDir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** What one request answered: the status, the body as text and as JSON (null when not JSON), the headers. */
    public record Response(int status, String text, JsonNode json, HttpResponse<String> raw) {
        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static TestHerald sqlite() {
        return builder().start();
    }

    public static TestHerald postgres() {
        return builder().postgres().start();
    }

    private TestHerald(Herald herald, Path dataDir) {
        this.herald = herald;
        this.dataDir = dataDir;
    }

    public static final class Builder {
        private final Map<String, String> settings = new HashMap<>();
        private Clock clock = Clock.tickMillis(java.time.ZoneOffset.UTC);
        private Double jitter;

        private Builder() {
            settings.put(HeraldConfig.ADMIN_TOKEN, ADMIN);
            settings.put(HeraldConfig.PORT, "0");
            // why: tests talk to 127.0.0.1 only; nothing else on the machine needs to reach them
            settings.put(HeraldConfig.BIND, "127.0.0.1");
            settings.put(HeraldConfig.ALLOW_PRIVATE_TARGETS, "true");
        }

        public Builder postgres() {
            settings.put(HeraldConfig.DATABASE_URL, Databases.freshPostgres());
            return this;
        }

        public Builder databaseUrl(String url) {
            settings.put(HeraldConfig.DATABASE_URL, url);
            return this;
        }

        public Builder allowPrivateTargets(boolean allow) {
            settings.put(HeraldConfig.ALLOW_PRIVATE_TARGETS, Boolean.toString(allow));
            return this;
        }

        public Builder set(String name, String value) {
            settings.put(name, value);
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        /** Pins the retry jitter source (0.5 means no jitter). */
        public Builder jitter(double random) {
            this.jitter = random;
            return this;
        }

        public TestHerald start() {
            try {
                Path dir = Files.createTempDirectory("herald-test");
                settings.putIfAbsent(HeraldConfig.DATA_DIR, dir.toString());
                HeraldConfig config = HeraldConfig.from(settings);
                var engine = DeliveryEngine.Settings.defaults(config);
                if (jitter != null) {
                    double pinned = jitter;
                    engine = engine.withRandom(() -> pinned);
                }
                PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
                return new TestHerald(Herald.start(config, clock, quiet, engine), dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public Herald herald() {
        return herald;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + herald.port();
    }

    public Path dataDir() {
        return dataDir;
    }

    public Response get(String path) {
        return send("GET", path, null, ADMIN);
    }

    public Response post(String path, String json) {
        return send("POST", path, json, ADMIN);
    }

    public Response patch(String path, String json) {
        return send("PATCH", path, json, ADMIN);
    }

    public Response delete(String path) {
        return send("DELETE", path, null, ADMIN);
    }

    /** Sends {@code body} (null for none) with {@code token} as bearer (null for no Authorization header). */
    public Response send(String method, String path, String body, String token) {
        return sendBytes(method, path, body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8), token);
    }

    /** A request without a body or token, with extra headers (e.g. If-None-Match). */
    public Response sendWith(String method, String path, Map<String, String> headers) {
        return sendBytes(method, path, null, null, headers);
    }

    public Response sendBytes(String method, String path, byte[] body, String token) {
        return sendBytes(method, path, body, token, Map.of());
    }

    private Response sendBytes(String method, String path, byte[] body, String token, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            String type = r.headers().firstValue("Content-Type").orElse("");
            if (type.contains("json") && !r.body().isEmpty()) {
                json = Json.parse(r.body());
            }
            return new Response(r.statusCode(), r.body(), json, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Creates a tenant and an event type (ignored when it exists), the common start of a test. */
    public void seed(String tenant, String... eventTypes) {
        post("/v1/tenants", "{\"id\":\"" + tenant + "\",\"name\":\"" + tenant + "\"}");
        for (String t : eventTypes) {
            post("/v1/event-types", "{\"name\":\"" + t + "\",\"description\":\"\"}");
        }
    }

    @Override
    public void close() {
        herald.close();
    }
}
