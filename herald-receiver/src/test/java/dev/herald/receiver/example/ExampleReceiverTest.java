package dev.herald.receiver.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.receiver.Deduplicator;
import dev.herald.receiver.VerifiedWebhook;
import dev.herald.receiver.WebhookVerifier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The example receiver over real HTTP on loopback. */
class ExampleReceiverTest {
    private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("example receiver secret, 32 byte".getBytes(StandardCharsets.US_ASCII));

    private final HttpClient client = HttpClient.newHttpClient();
    private final LinkedBlockingQueue<String> processed = new LinkedBlockingQueue<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean blockWork;
    private ExampleReceiver receiver;

    @AfterEach
    void stop() {
        release.countDown();
        if (receiver != null) {
            receiver.close();
        }
    }

    private ExampleReceiver start() throws Exception {
        receiver = ExampleReceiver.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), WebhookVerifier.forKeys(SECRET),
                new Deduplicator(), (VerifiedWebhook webhook, byte[] body) -> {
                    if (blockWork) {
                        awaitRelease();
                    }
                    processed.add(webhook.id() + " " + new String(body, StandardCharsets.UTF_8));
                });
        return receiver;
    }

    private void awaitRelease() {
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HttpResponse<String> post(String id, String body, String secret) throws Exception {
        long now = Instant.now().getEpochSecond();
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + receiver.port() + "/webhooks"))
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(now))
                .header("webhook-signature", "v1," + hmac(secret, id + "." + now + "." + body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String hmac(String secret, String content) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(6)), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aSignedWebhookIsAcceptedAndProcessedOnceHoweverOftenItComes() throws Exception {
        start();

        HttpResponse<String> first = post("d-1", "{\"event\":\"order.paid\"}", SECRET);
        HttpResponse<String> again = post("d-1", "{\"event\":\"order.paid\"}", SECRET);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).isEqualTo("delivery d-1 was already accepted");
        assertThat(processed.poll(5, TimeUnit.SECONDS)).isEqualTo("d-1 {\"event\":\"order.paid\"}");
        assertThat(processed.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aRequestNotSignedWithTheKeyIsRefusedWithTheReason() throws Exception {
        start();
        String otherSecret = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);

        HttpResponse<String> r = post("d-1", "{}", otherSecret);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).startsWith("signature does not match");
        assertThat(post("d-1", "{}", SECRET).statusCode()).as("a forged copy did not mark the id as seen").isEqualTo(202);
    }

    @Test
    void onlyPostIsAccepted() throws Exception {
        start();

        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + receiver.port() + "/webhooks")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        start();

        HttpResponse<String> r = post("d-1", "x".repeat(ExampleReceiver.MAX_BODY_BYTES + 1), SECRET);

        assertThat(r.statusCode()).isEqualTo(413);
    }

    @Test
    void whenTheWorkQueueIsFullTheAnswerIs503AndTheRetryIsProcessed() throws Exception {
        start();
        blockWork = true;
        int accepted = 0;
        HttpResponse<String> refused = null;
        for (int i = 0; i < 2_000 && refused == null; i++) {
            HttpResponse<String> r = post("d-" + i, "{}", SECRET);
            if (r.statusCode() == 202) {
                accepted++;
            } else {
                refused = r;
            }
        }
        assertThat(refused).as("the queue filled up").isNotNull();
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("30");
        String refusedId = "d-" + accepted;

        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (processed.size() < accepted && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(processed).as("every accepted delivery was processed").hasSize(accepted);

        assertThat(post(refusedId, "{}", SECRET).statusCode()).as("Herald's retry of the refused delivery").isEqualTo(202);
    }
}
