package dev.herald.receiver.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.herald.receiver.Deduplicator;
import dev.herald.receiver.VerifiedWebhook;
import dev.herald.receiver.WebhookVerificationException;
import dev.herald.receiver.WebhookVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A complete receiver of Herald's webhooks on the JDK's own HTTP server: it verifies each request, drops copies of
 * a delivery it already accepted, answers 202 at once and leaves the work to a bounded pool of worker threads, so
 * that slow work never makes Herald time out and retry.
 *
 * <p>Answers: 202 accepted (the work is queued); 200 a copy of a delivery already accepted; 401 not signed by Herald
 * with the given keys, or not fresh (the body says why); 405 not a POST; 413 a body over {@link #MAX_BODY_BYTES};
 * 503 the work queue is full (Herald retries later, honouring {@code Retry-After}).
 *
 * <p>After a 202 Herald considers the delivery done: work that must never be lost belongs in a durable queue or
 * database before answering, not only in memory as here.
 *
 * <p>Try it: {@code HERALD_ENDPOINT_KEYS=whsec_... java -cp herald-receiver.jar
 * dev.herald.receiver.example.ExampleReceiver 9000} prints every verified webhook.
 */
public final class ExampleReceiver implements AutoCloseable {
    /** The largest body accepted: Herald's largest batch with room to spare. */
    public static final int MAX_BODY_BYTES = 32 * 1024 * 1024;
    /** Threads that read, verify and answer requests: Herald sends up to 8 at once to one endpoint by default. */
    private static final int HTTP_THREADS = 8;
    private static final int WORKERS = 4;
    private static final int QUEUED_WORK = 1_000;
    private static final System.Logger LOG = System.getLogger(ExampleReceiver.class.getName());

    private final HttpServer server;
    private final ExecutorService http;
    private final ThreadPoolExecutor workers;
    private final WebhookVerifier verifier;
    private final Deduplicator deduplicator;
    private final BiConsumer<VerifiedWebhook, byte[]> work;

    private ExampleReceiver(InetSocketAddress address, WebhookVerifier verifier, Deduplicator deduplicator,
            BiConsumer<VerifiedWebhook, byte[]> work) throws IOException {
        this.verifier = verifier;
        this.deduplicator = deduplicator;
        this.work = work;
        // why: a bounded queue turns overload into a 503 that Herald retries, instead of unbounded memory
        this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUED_WORK));
        this.http = Executors.newFixedThreadPool(HTTP_THREADS);
        this.server = HttpServer.create(address, 0);
        server.createContext("/", this::handle);
        server.setExecutor(http);
        server.start();
    }

    /**
     * Starts listening on {@code address} (port 0 picks a free one); {@code work} runs on a worker thread for each
     * delivery accepted, with its raw body.
     */
    public static ExampleReceiver start(InetSocketAddress address, WebhookVerifier verifier, Deduplicator deduplicator,
            BiConsumer<VerifiedWebhook, byte[]> work) throws IOException {
        return new ExampleReceiver(address, verifier, deduplicator, work);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.getResponseHeaders().set("Allow", "POST");
                answer(exchange, 405, "only POST is accepted");
                return;
            }
            byte[] body = readBody(exchange.getRequestBody());
            if (body == null) {
                answer(exchange, 413, "the body is larger than " + MAX_BODY_BYTES + " bytes");
                return;
            }
            VerifiedWebhook webhook;
            try {
                webhook = verifier.verify(exchange.getRequestHeaders(), body);
            } catch (WebhookVerificationException e) {
                LOG.log(System.Logger.Level.WARNING, "refused a webhook from " + exchange.getRemoteAddress() + ": " + e.getMessage());
                answer(exchange, 401, e.getMessage());
                return;
            }
            if (!deduplicator.firstTime(webhook.id())) {
                answer(exchange, 200, "delivery " + webhook.id() + " was already accepted");
                return;
            }
            try {
                workers.execute(() -> process(webhook, body));
            } catch (RejectedExecutionException e) {
                deduplicator.forget(webhook.id()); // why: so that Herald's retry of it is processed
                exchange.getResponseHeaders().set("Retry-After", "30");
                answer(exchange, 503, "too much work queued; retry later");
                return;
            }
            answer(exchange, 202, "");
        }
    }

    private void process(VerifiedWebhook webhook, byte[] body) {
        try {
            work.accept(webhook, body);
        } catch (RuntimeException e) {
            // why: Herald was already told 202 and will not send it again; the log is where this failure shows
            LOG.log(System.Logger.Level.ERROR, "processing delivery " + webhook.id() + " failed", e);
        }
    }

    /** The body, or null when it is larger than {@link #MAX_BODY_BYTES}. */
    private static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        return body.length > MAX_BODY_BYTES ? null : body;
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops listening, then lets queued work finish for up to 10 seconds. */
    @Override
    public void close() {
        server.stop(0);
        http.shutdown();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, workers.shutdownNow().size() + " queued webhooks were not processed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs a receiver on the port given (default 9000) that prints every verified webhook. The keys come from
     * {@code HERALD_ENDPOINT_KEYS}, separated by spaces (the old and the new one while you switch).
     */
    public static void main(String[] args) throws IOException {
        String keys = System.getenv("HERALD_ENDPOINT_KEYS");
        if (keys == null || keys.isBlank()) {
            System.err.println("set HERALD_ENDPOINT_KEYS to the endpoint's secret (whsec_...) or public key (whpk_...)");
            System.exit(2);
        }
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9000;
        WebhookVerifier verifier = WebhookVerifier.forKeys(keys.trim().split("\\s+"));
        ExampleReceiver receiver = start(new InetSocketAddress(port), verifier, new Deduplicator(),
                (webhook, body) -> System.out.println("verified webhook " + webhook.id() + " sent at "
                        + webhook.timestamp() + ": " + new String(body, StandardCharsets.UTF_8)));
        Runtime.getRuntime().addShutdownHook(new Thread(receiver::close));
        System.out.println("listening on port " + receiver.port());
    }
}
