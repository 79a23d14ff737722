package dev.herald.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.herald.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import tools.jackson.databind.JsonNode;

/**
 * What the training run does to a Herald, through its public HTTP API only: a tenant, two event types, an
 * {@code event} and a {@code batch} endpoint on a loopback receiver (the JDK's HttpServer, in this process),
 * events published singly and in bulk until every one has been delivered, then the lists and reads an operator
 * makes, a tenant key, and the usual errors (401, 404, 422). It fails (an exception) when anything answers
 * other than expected, so a broken cache is never recorded from a broken run.
 */
final class Training implements AutoCloseable {
    private static final MediaType JSON = MediaType.get("application/json");
    private static final String TENANT = "training";
    private static final String CREATED = "training.order.created";
    private static final String PAID = "training.order.paid";

    private final String base;
    private final String token;
    private final OkHttpClient http = new OkHttpClient.Builder()
            .connectTimeout(Duration.ofSeconds(10))
            .callTimeout(Duration.ofSeconds(30))
            .build();
    private final HttpServer receiver;
    private final ExecutorService receiverThreads = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong perEvent = new AtomicLong();
    private final AtomicLong batched = new AtomicLong();

    Training(String base, String token) throws IOException {
        this.base = base;
        this.token = token;
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        receiver.setExecutor(receiverThreads);
        receiver.createContext("/", this::receive);
        receiver.start();
    }

    private void receive(HttpExchange ex) throws IOException {
        try (ex; InputStream in = ex.getRequestBody()) {
            byte[] body = in.readAllBytes();
            if (ex.getRequestURI().getPath().equals("/batch")) {
                batched.addAndGet(Json.MAPPER.readTree(body).path("count").asInt());
            } else {
                perEvent.incrementAndGet();
            }
            ex.sendResponseHeaders(200, -1);
        }
    }

    /** Drives {@code events} events (half single, half bulk) through publish and delivery, within {@code max}. */
    void run(int events, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        String receiverBase = "http://127.0.0.1:" + receiver.getAddress().getPort();
        call("POST", "/v1/tenants", "{\"id\":\"" + TENANT + "\",\"name\":\"Training\"}", 201);
        call("POST", "/v1/event-types", "{\"name\":\"" + CREATED + "\",\"description\":\"an order was placed\"}", 201);
        call("POST", "/v1/event-types", "{\"name\":\"" + PAID + "\",\"description\":\"an order was paid\"}", 201);
        String eventEndpoint = id(call("POST", "/v1/tenants/" + TENANT + "/endpoints",
                "{\"url\":\"" + receiverBase + "/event\",\"format\":\"event\",\"event_types\":[\"" + CREATED + "\"]}", 201));
        String batchEndpoint = id(call("POST", "/v1/tenants/" + TENANT + "/endpoints",
                "{\"url\":\"" + receiverBase + "/batch\",\"event_types\":[\"" + CREATED + "\",\"" + PAID + "\"],"
                        + "\"batch\":{\"max_events\":100,\"window_ms\":100},\"headers\":{\"X-Partner-Account\":\"42\"}}", 201));

        int single = events / 2;
        int bulk = events - single;
        publishSingly(single);
        for (int from = 0; from < bulk; from += 250) {
            StringBuilder b = new StringBuilder("{\"events\":[");
            for (int i = from; i < Math.min(bulk, from + 250); i++) {
                b.append(i > from ? "," : "").append(event(PAID, "b" + i));
            }
            call("POST", "/v1/tenants/" + TENANT + "/events/bulk", b.append("]}").toString(), 202);
        }
        while ((perEvent.get() < single || batched.get() < events) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        if (perEvent.get() < single || batched.get() < events) {
            throw new IllegalStateException("only " + perEvent.get() + " of " + single + " per-event and " + batched.get()
                    + " of " + events + " batched events were delivered within " + max.toSeconds() + " s");
        }
        reads(eventEndpoint, batchEndpoint);
    }

    /** Single POSTs from 8 publishers at once, as a platform's request threads would send them. */
    private void publishSingly(int n) throws Exception {
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService publishers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>();
            for (int p = 0; p < 8; p++) {
                running.add(publishers.submit(() -> {
                    for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                        call("POST", "/v1/tenants/" + TENANT + "/events", event(CREATED, "s" + i), 202);
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(120, TimeUnit.SECONDS);
            }
        }
    }

    private void reads(String eventEndpoint, String batchEndpoint) throws IOException {
        String t = "/v1/tenants/" + TENANT;
        call("GET", "/v1/me", null, 200);
        call("GET", "/v1/tenants", null, 200);
        call("GET", t, null, 200);
        call("GET", "/v1/event-types", null, 200);
        call("GET", t + "/endpoints", null, 200);
        call("GET", t + "/endpoints/" + eventEndpoint, null, 200);
        call("PATCH", t + "/endpoints/" + batchEndpoint, "{\"status\":\"paused\"}", 200);
        call("PATCH", t + "/endpoints/" + batchEndpoint, "{\"status\":\"active\"}", 200);
        call("POST", t + "/endpoints/" + eventEndpoint + "/rotate-secret", null, 200);
        String cursor = null;
        String deliveryId = null;
        for (int page = 0; page < 5; page++) {
            JsonNode list = Json.parse(call("GET", t + "/deliveries?limit=50" + (cursor == null ? "" : "&cursor=" + cursor), null, 200));
            if (deliveryId == null && !list.path("data").isEmpty()) {
                deliveryId = list.path("data").get(0).path("id").asString();
            }
            cursor = list.path("next_cursor").isNull() ? null : list.path("next_cursor").asString();
            if (cursor == null) {
                break;
            }
        }
        call("GET", t + "/deliveries?status=delivered&endpoint_id=" + batchEndpoint, null, 200);
        if (deliveryId != null) {
            call("GET", t + "/deliveries/" + deliveryId, null, 200);
        }
        String key = Json.parse(call("POST", t + "/keys", "{}", 201)).path("key").asString();
        call("GET", t + "/keys", null, 200);
        send("GET", t + "/endpoints", null, "Bearer " + key, 200);
        // the answers a client's mistakes get: problem+json from the same paths
        call("POST", t + "/endpoints", "{\"url\":\"ftp://nowhere\"}", 422);
        call("GET", t + "/deliveries/no-such-delivery", null, 404);
        send("GET", t + "/endpoints", null, "Bearer not-a-token", 401);
        send("GET", "/readyz", null, null, 200);
        send("GET", "/healthz", null, null, 200);
        send("GET", "/metrics", null, null, 200);
    }

    private static String event(String type, String key) {
        return "{\"type\":\"" + type + "\",\"data\":{\"order\":\"" + key + "\",\"amount\":1250,\"currency\":\"EUR\"}}";
    }

    private static String id(String json) {
        return Json.parse(json).path("id").asString();
    }

    private String call(String method, String path, String json, int expected) throws IOException {
        return send(method, path, json, "Bearer " + token, expected);
    }

    private String send(String method, String path, String json, String authorization, int expected) throws IOException {
        Request.Builder req = new Request.Builder().url(base + path)
                .method(method, json == null ? (method.equals("POST") ? RequestBody.create(new byte[0], JSON) : null)
                        : RequestBody.create(json, JSON));
        if (authorization != null) {
            req.header("Authorization", authorization);
        }
        try (Response r = http.newCall(req.build()).execute()) {
            String body = r.body().string();
            if (r.code() != expected) {
                throw new IOException(method + " " + path + " answered " + r.code() + " (expected " + expected + "): "
                        + body.substring(0, Math.min(body.length(), 300)));
            }
            return body;
        }
    }

    @Override
    public void close() {
        receiver.stop(0);
        receiverThreads.shutdownNow();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
