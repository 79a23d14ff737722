package dev.herald.bench;

import dev.herald.delivery.NoDelaySocketFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The limit's client: OkHttp built and called as Herald's delivery is (herald-server's {@code delivery.HttpClients}
 * and {@code Sender}): no redirects, no silent retries, one pool of 256 connections kept 4 s, {@code TCP_NODELAY},
 * a per-call deadline of the default {@code timeout_ms} (10 s), an event listener on every call, blocking calls
 * on virtual threads, and the headers an attempt carries. A call that fails on a reused connection before any
 * answer is sent again on a fresh one, as Herald does. It does none of Herald's other work (storing, sealing,
 * claiming, signing, recording), which is the point of the comparison.
 */
final class HeraldLikeClient implements AutoCloseable {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    /** As long as a real one: {@code v1,} and the base64 of 32 bytes. */
    private static final String SIGNATURE = "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=";

    private final OkHttpClient client;
    private final AtomicLong retried = new AtomicLong();

    /** What Herald's listener records per call; here only so each call pays for a listener as Herald's do. */
    private static final class Trace {
        volatile boolean acquired;
        volatile boolean connected;
        volatile boolean answered;
    }

    private static final class Tracing extends EventListener {
        private static Trace trace(Call call) {
            return call.request().tag(Trace.class);
        }

        @Override
        public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
            Trace t = trace(call);
            if (t != null) {
                t.connected = true;
            }
        }

        @Override
        public void connectionAcquired(Call call, Connection connection) {
            Trace t = trace(call);
            if (t != null) {
                t.acquired = true;
            }
        }

        @Override
        public void responseHeadersEnd(Call call, Response response) {
            Trace t = trace(call);
            if (t != null) {
                t.answered = true;
            }
        }
    }

    HeraldLikeClient() {
        client = new OkHttpClient.Builder()
                .followRedirects(false)
                .followSslRedirects(false)
                .retryOnConnectionFailure(false)
                .connectionSpecs(List.of(ConnectionSpec.MODERN_TLS, ConnectionSpec.CLEARTEXT))
                .connectionPool(new ConnectionPool(256, 4, TimeUnit.SECONDS))
                .eventListener(new Tracing())
                .connectTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ZERO)
                .writeTimeout(Duration.ZERO)
                .socketFactory(new NoDelaySocketFactory())
                .build();
    }

    /** POSTs {@code body} {@code n} times with {@code concurrency} calls in flight; answers how many got a 200. */
    long post(String url, String body, String eventType, int n, int concurrency) {
        RequestBody requestBody = RequestBody.create(body, HeraldProcess.JSON);
        String deliveryId = UUID.randomUUID().toString();
        return Load.run(concurrency, n, Duration.ofSeconds(120), i -> {
            String timestamp = Long.toString(Instant.now().getEpochSecond());
            Request.Builder request = new Request.Builder().url(url).post(requestBody)
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Herald-Webhook-Sender/1.0")
                    .header("X-Request-ID", UUID.randomUUID().toString())
                    .header("X-Webhook-Retry", "0")
                    .header("X-Webhook-Delivery", deliveryId)
                    .header("webhook-id", deliveryId)
                    .header("X-Webhook-Event", eventType)
                    .header("X-Webhook-Timestamp", timestamp)
                    .header("webhook-timestamp", timestamp)
                    .header("X-Webhook-Signature", SIGNATURE)
                    .header("webhook-signature", SIGNATURE);
            try (Response r = execute(request)) {
                r.body().string();
                if (r.code() != 200) {
                    throw new IOException("receiver answered " + r.code());
                }
            }
            return 1;
        });
    }

    private Response execute(Request.Builder request) throws IOException {
        Trace trace = new Trace();
        Call call = client.newCall(request.tag(Trace.class, trace).build());
        call.timeout().timeout(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return call.execute();
        } catch (IOException e) {
            if (!trace.acquired || trace.connected || trace.answered) {
                throw e;
            }
            retried.incrementAndGet();
            Call again = client.newCall(request.header("X-Request-ID", UUID.randomUUID().toString())
                    .tag(Trace.class, new Trace()).build());
            again.timeout().timeout(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return again.execute();
        }
    }

    long retried() {
        return retried.get();
    }

    @Override
    public void close() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
