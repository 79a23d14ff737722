package dev.herald.receiver.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.Herald;
import dev.herald.config.HeraldConfig;
import dev.herald.json.Json;
import dev.herald.receiver.Deduplicator;
import dev.herald.receiver.VerifiedWebhook;
import dev.herald.receiver.WebhookVerificationException;
import dev.herald.receiver.WebhookVerifier;
import dev.herald.receiver.example.ExampleReceiver;
import dev.herald.receiver.herald.RecordingReceiver.Received;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Real deliveries from a real Herald, on loopback, verified with the library: what partners will receive, signed
 * with an HMAC secret ({@code whsec_}) or with an ed25519 key pair whose public key ({@code whpk_}) Herald shows.
 */
class HeraldDeliveriesTest {
    private static final String ADMIN = "receiver-test-admin-token-0123456789";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Herald herald;

    @BeforeAll
    static void startHerald(@TempDir Path dataDir) {
        herald = Herald.start(HeraldConfig.from(Map.of(
                HeraldConfig.PORT, "0",
                HeraldConfig.ADMIN_TOKEN, ADMIN,
                HeraldConfig.ALLOW_PRIVATE_TARGETS, "true",
                HeraldConfig.DATA_DIR, dataDir.toString())), Clock.systemUTC(), new PrintStream(OutputStream.nullOutputStream()));
        call("POST", "/v1/event-types", "{\"name\":\"order.paid\",\"description\":\"An order was paid\"}", 201);
    }

    @AfterAll
    static void stopHerald() {
        if (herald != null) {
            herald.close();
        }
    }

    private static JsonNode call(String method, String path, String json, int expectedStatus) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + herald.port() + path))
                .header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build();
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(method + " " + path + " answered " + r.body()).isEqualTo(expectedStatus);
            return r.body().isEmpty() ? null : Json.parse(r.body());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A fresh tenant with one endpoint; answers the endpoint as Herald shows it on creation (with its secret). */
    private static JsonNode endpoint(String tenant, String url, String settings) {
        call("POST", "/v1/tenants", "{\"id\":\"" + tenant + "\",\"name\":\"" + tenant + "\"}", 201);
        return call("POST", "/v1/tenants/" + tenant + "/endpoints", "{\"url\":\"" + url + "\"," + settings + "}", 201);
    }

    private static void publish(String tenant, String eventId) {
        call("POST", "/v1/tenants/" + tenant + "/events",
                "{\"id\":\"" + eventId + "\",\"type\":\"order.paid\",\"data\":{\"order\":\"A-1001\",\"note\":\"é\"}}", 202);
    }

    private static VerifiedWebhook verified(Received r, String... keys) throws WebhookVerificationException {
        return WebhookVerifier.forKeys(keys).verify(r.headers(), r.body());
    }

    private static void assertFresh(VerifiedWebhook webhook) {
        assertThat(Duration.between(webhook.timestamp(), Instant.now()).abs()).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void anEventDeliveryVerifiesWithTheEndpointsSecret() throws Exception {
        try (RecordingReceiver receiver = new RecordingReceiver()) {
            String secret = endpoint("per-event", receiver.url(), "\"format\":\"event\"").get("secret").stringValue();
            publish("per-event", "evt-1");

            Received r = receiver.next();
            VerifiedWebhook webhook = verified(r, secret);

            assertThat(webhook.id()).isEqualTo(r.header("X-Webhook-Delivery"));
            assertFresh(webhook);
            JsonNode body = Json.parse(new String(r.body(), StandardCharsets.UTF_8));
            assertThat(body.get("delivery_key").stringValue()).isEqualTo(webhook.id());
            assertThat(body.get("event").stringValue()).isEqualTo("order.paid");
        }
    }

    @Test
    void aBatchDeliveryVerifiesWithTheEndpointsSecret() throws Exception {
        try (RecordingReceiver receiver = new RecordingReceiver()) {
            String secret = endpoint("batched", receiver.url(), "\"format\":\"batch\",\"batch\":{\"max_events\":2,\"window_ms\":60000}")
                    .get("secret").stringValue();
            // why: a fresh endpoint's first batch seals at once, so both events go in one bulk publish
            call("POST", "/v1/tenants/batched/events/bulk", "{\"events\":[{\"id\":\"evt-1\",\"type\":\"order.paid\",\"data\":{}},"
                    + "{\"id\":\"evt-2\",\"type\":\"order.paid\",\"data\":{}}]}", 202);

            Received r = receiver.next();
            VerifiedWebhook webhook = verified(r, secret);

            assertFresh(webhook);
            JsonNode body = Json.parse(new String(r.body(), StandardCharsets.UTF_8));
            assertThat(body.get("batch_id").stringValue()).isEqualTo(webhook.id());
            assertThat(body.get("count").intValue()).isEqualTo(2);
            assertThat(r.header("X-Webhook-Event")).isEqualTo("batch");
        }
    }

    @Test
    void afterARotationEachSecretVerifiesAloneAndAnotherDoesNot() throws Exception {
        try (RecordingReceiver receiver = new RecordingReceiver()) {
            JsonNode created = endpoint("rotating", receiver.url(), "\"format\":\"event\"");
            String oldSecret = created.get("secret").stringValue();
            publish("rotating", "evt-1");
            assertThat(verified(receiver.next(), oldSecret).id()).isNotBlank();

            String newSecret = call("POST", "/v1/tenants/rotating/endpoints/" + created.get("id").stringValue() + "/rotate-secret",
                    null, 200).get("secret").stringValue();
            publish("rotating", "evt-2");
            Received r = receiver.next();

            assertThat(newSecret).isNotEqualTo(oldSecret);
            assertThat(r.header("webhook-signature").split(" ")).as("one signature per live secret").hasSize(2);
            String id = r.header("webhook-id");
            assertThat(verified(r, newSecret).id()).isEqualTo(id);
            assertThat(verified(r, oldSecret).id()).isEqualTo(id);
            assertThat(verified(r, oldSecret, newSecret).id()).isEqualTo(id);
            String unrelated = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);
            assertThatThrownBy(() -> verified(r, unrelated)).isInstanceOf(WebhookVerificationException.class)
                    .hasMessageStartingWith("signature does not match");
        }
    }

    @Test
    void anEd25519EventDeliveryVerifiesWithTheEndpointsPublicKeyAndNotWithAnotherKey() throws Exception {
        try (RecordingReceiver receiver = new RecordingReceiver()) {
            JsonNode created = endpoint("ed-event", receiver.url(), "\"format\":\"event\",\"signing\":\"ed25519\"");
            String publicKey = created.get("public_key").stringValue();
            assertThat(publicKey).startsWith("whpk_");
            assertThat(created.has("secret")).isFalse();
            publish("ed-event", "evt-1");

            Received r = receiver.next();
            VerifiedWebhook webhook = verified(r, publicKey);

            assertThat(r.header("webhook-signature")).startsWith("v1a,").doesNotContain(" ");
            assertThat(webhook.id()).isEqualTo(r.header("X-Webhook-Delivery"));
            assertFresh(webhook);
            assertThat(Json.parse(new String(r.body(), StandardCharsets.UTF_8)).get("delivery_key").stringValue())
                    .isEqualTo(webhook.id());
            assertThatThrownBy(() -> verified(r, otherPublicKey())).isInstanceOf(WebhookVerificationException.class)
                    .hasMessageStartingWith("signature does not match");
            String unrelatedSecret = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);
            assertThatThrownBy(() -> verified(r, unrelatedSecret)).isInstanceOf(WebhookVerificationException.class)
                    .hasMessageContaining("carries v1a signatures and the keys given verify only v1");
        }
    }

    @Test
    void anEd25519BatchDeliveryVerifiesWithTheEndpointsPublicKey() throws Exception {
        try (RecordingReceiver receiver = new RecordingReceiver()) {
            String publicKey = endpoint("ed-batched", receiver.url(), "\"signing\":\"ed25519\","
                    + "\"batch\":{\"max_events\":2,\"window_ms\":60000}").get("public_key").stringValue();
            call("POST", "/v1/tenants/ed-batched/events/bulk", "{\"events\":[{\"id\":\"evt-1\",\"type\":\"order.paid\",\"data\":{}},"
                    + "{\"id\":\"evt-2\",\"type\":\"order.paid\",\"data\":{}}]}", 202);

            Received r = receiver.next();
            VerifiedWebhook webhook = verified(r, publicKey);

            assertFresh(webhook);
            JsonNode body = Json.parse(new String(r.body(), StandardCharsets.UTF_8));
            assertThat(body.get("batch_id").stringValue()).isEqualTo(webhook.id());
            assertThat(body.get("count").intValue()).isEqualTo(2);
            assertThat(r.header("X-Webhook-Event")).isEqualTo("batch");
        }
    }

    @Test
    void afterAnEd25519RotationEachPublicKeyVerifiesAlone() throws Exception {
        try (RecordingReceiver receiver = new RecordingReceiver()) {
            JsonNode created = endpoint("ed-rotating", receiver.url(), "\"format\":\"event\",\"signing\":\"ed25519\"");
            String oldKey = created.get("public_key").stringValue();
            JsonNode rotated = call("POST", "/v1/tenants/ed-rotating/endpoints/" + created.get("id").stringValue()
                    + "/rotate-secret", null, 200);
            String newKey = rotated.get("public_key").stringValue();
            assertThat(rotated.get("previous_public_key").stringValue()).isEqualTo(oldKey);
            publish("ed-rotating", "evt-1");

            Received r = receiver.next();

            assertThat(newKey).isNotEqualTo(oldKey);
            assertThat(r.header("webhook-signature").split(" ")).as("one v1a signature per live key").hasSize(2)
                    .allSatisfy(s -> assertThat(s).startsWith("v1a,"));
            String id = r.header("webhook-id");
            assertThat(verified(r, newKey).id()).isEqualTo(id);
            assertThat(verified(r, oldKey).id()).isEqualTo(id);
            assertThatThrownBy(() -> verified(r, otherPublicKey())).isInstanceOf(WebhookVerificationException.class);
        }
    }

    @Test
    void whileAnEndpointSwitchesFromHmacToEd25519BothTheOldSecretAndTheNewPublicKeyVerify() throws Exception {
        try (RecordingReceiver receiver = new RecordingReceiver()) {
            JsonNode created = endpoint("switching", receiver.url(), "\"format\":\"event\"");
            String secret = created.get("secret").stringValue();
            JsonNode switched = call("PATCH", "/v1/tenants/switching/endpoints/" + created.get("id").stringValue(),
                    "{\"signing\":\"ed25519\"}", 200);
            String publicKey = switched.get("public_key").stringValue();
            publish("switching", "evt-1");

            Received r = receiver.next();

            assertThat(r.header("webhook-signature").split(" ")).hasSize(2);
            assertThat(verified(r, secret).id()).as("a receiver not yet switched").isEqualTo(r.header("webhook-id"));
            assertThat(verified(r, publicKey).id()).as("a receiver already switched").isEqualTo(r.header("webhook-id"));
        }
    }

    /** A public key of a pair made here, which signed nothing Herald sent. */
    private static String otherPublicKey() throws Exception {
        byte[] x509 = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
        return "whpk_" + Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(x509, x509.length - 32, x509.length));
    }

    @Test
    void theExampleReceiverAcceptsHeraldsDeliveriesAndHeraldRecordsThemDelivered() throws Exception {
        // why: the endpoint's secret is chosen here, so the receiver can be running before the endpoint points at it
        String secret = "whsec_" + Base64.getEncoder().encodeToString("the example receiver's secret!!!".getBytes(StandardCharsets.US_ASCII));
        LinkedBlockingQueue<String> processed = new LinkedBlockingQueue<>();
        try (ExampleReceiver receiver = ExampleReceiver.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                WebhookVerifier.forKeys(secret), new Deduplicator(), (webhook, body) -> processed.add(webhook.id()))) {
            endpoint("example", "http://127.0.0.1:" + receiver.port() + "/webhooks", "\"format\":\"event\",\"secret\":\"" + secret + "\"");
            publish("example", "evt-1");

            String id = processed.poll(10, TimeUnit.SECONDS);
            assertThat(id).as("the receiver verified and processed a delivery").isNotNull();
            JsonNode delivery = awaitDelivered("example", id);
            assertThat(delivery.get("attempts").get(0).get("status_code").intValue()).isEqualTo(202);
        }
    }

    private static JsonNode awaitDelivered(String tenant, String deliveryId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode delivery;
        do {
            delivery = call("GET", "/v1/tenants/" + tenant + "/deliveries/" + deliveryId, null, 200);
            if ("delivered".equals(delivery.get("status").stringValue())) {
                return delivery;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("delivery " + deliveryId + " is still " + delivery.get("status") + " after 10 s");
    }
}
