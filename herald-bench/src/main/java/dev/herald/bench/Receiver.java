package dev.herald.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The fast loopback receiver, inside the bench process: {@code /ok/{n}} answers 200, {@code /fail/{n}} 500,
 * {@code /slow/{n}} sleeps 3 s and then answers 200. It counts requests and events per {@code n} (a batch
 * body has {@code count}), keeps the time of the last request per {@code n}, and, while recording, the first
 * receive time ({@link System#nanoTime()}) of every event by {@code n + ":" + data.k}.
 */
final class Receiver implements AutoCloseable {
    static final int SLOTS = 64;
    static final long SLOW_MILLIS = 3_000;
    private static final byte[] KEY = "\"k\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COUNT = "\"count\":".getBytes(StandardCharsets.US_ASCII);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLongArray requests = new AtomicLongArray(SLOTS);
    private final AtomicLongArray events = new AtomicLongArray(SLOTS);
    private final AtomicLongArray lastAt = new AtomicLongArray(SLOTS);
    private final Map<String, Long> receivedAt = new ConcurrentHashMap<>();
    private volatile boolean recording;

    Receiver() throws IOException {
        // why: without TCP_NODELAY, small answers wait on delayed ACKs (about 40 ms each) and cap the receiver near 1,000 req/s
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    String url(String kind, int n) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + kind + "/" + n;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex; InputStream in = ex.getRequestBody()) {
            byte[] body = in.readAllBytes();
            long now = System.nanoTime();
            String[] parts = ex.getRequestURI().getPath().split("/");
            if (parts.length != 3) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            int n = Integer.parseInt(parts[2]);
            int count = count(body);
            requests.incrementAndGet(n);
            events.addAndGet(n, count);
            lastAt.accumulateAndGet(n, now, Math::max);
            if (recording && count == 1) {
                String k = key(body);
                if (k != null) {
                    receivedAt.putIfAbsent(n + ":" + k, now);
                }
            }
            switch (parts[1]) {
                case "ok" -> ex.sendResponseHeaders(200, -1);
                case "fail" -> ex.sendResponseHeaders(500, -1);
                case "slow" -> {
                    try {
                        Thread.sleep(SLOW_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ex.sendResponseHeaders(200, -1);
                }
                default -> ex.sendResponseHeaders(404, -1);
            }
        } catch (IOException | RuntimeException e) {
            // why: a sender that gave up (timeout) closes the connection mid-answer; nothing to do
        }
    }

    /** Events in a body: a batch says {@code "count":N}; a per-event body is one. */
    private static int count(byte[] body) {
        int at = indexOf(body, COUNT, 0);
        if (at < 0 || indexOf(body, "\"batch_id\"".getBytes(StandardCharsets.US_ASCII), 0) < 0) {
            return 1;
        }
        int i = at + COUNT.length;
        while (i < body.length && body[i] == ' ') {
            i++;
        }
        int v = 0;
        while (i < body.length && body[i] >= '0' && body[i] <= '9') {
            v = v * 10 + (body[i++] - '0');
        }
        return v;
    }

    private static String key(byte[] body) {
        int at = indexOf(body, KEY, 0);
        if (at < 0) {
            return null;
        }
        int from = at + KEY.length;
        int to = from;
        while (to < body.length && body[to] != '"') {
            to++;
        }
        return new String(body, from, to - from, StandardCharsets.US_ASCII);
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    long requests(int n) {
        return requests.get(n);
    }

    long events(int n) {
        return events.get(n);
    }

    long lastAt(int n) {
        return lastAt.get(n);
    }

    /** Receive times by {@code n + ":" + k}, recorded while {@link #record(boolean)} is on. */
    Map<String, Long> receivedAt() {
        return receivedAt;
    }

    void record(boolean on) {
        recording = on;
    }

    /** Forgets every count and time (between runs). */
    void reset() {
        recording = false;
        for (int i = 0; i < SLOTS; i++) {
            requests.set(i, 0);
            events.set(i, 0);
            lastAt.set(i, 0);
        }
        receivedAt.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
