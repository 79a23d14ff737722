package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.standardwebhooks.Webhook;
import dev.herald.testing.SettableClock;
import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * ed25519 signing, rotation and switching scheme, through a real Herald on both databases. Every signature is
 * checked independently of Herald's code: {@code v1a} with the JDK's own Ed25519 from the {@code whpk_} key the API
 * showed, {@code v1} with the public Standard Webhooks library.
 */
class SigningSchemesTest {
    /** The DER header of an X.509 SubjectPublicKeyInfo for Ed25519 (RFC 8410): the raw 32-byte key follows it. */
    private static final byte[] X509_ED25519 = HexFormat.of().parseHex("302a300506032b6570032100");

    private final MockWebServer receiver = new MockWebServer();
    private final SettableClock clock = new SettableClock(Instant.now());
    private TestHerald h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
        receiver.close();
    }

    private TestHerald start(String database) throws Exception {
        receiver.start();
        TestHerald.Builder b = TestHerald.builder().clock(clock);
        h = (database.equals("sqlite") ? b : b.postgres()).start();
        h.seed("acme", "order.paid");
        return h;
    }

    private JsonNode create(String path, String settings) {
        TestHerald.Response r = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url(path) + "\"," + settings + "}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.text()).as("no private key in an answer").doesNotContain("whsk_");
        return r.json();
    }

    /** Publishes one event and answers the {@code n} requests it causes (one per endpoint), by path. */
    private Map<String, RecordedRequest> publish(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            receiver.enqueue(new MockResponse.Builder().code(200).build());
        }
        assertThat(h.post("/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{\"order\":\"A-1\",\"note\":\"é\"}}")
                .status()).isEqualTo(202);
        Map<String, RecordedRequest> byPath = new HashMap<>();
        for (int i = 0; i < n; i++) {
            RecordedRequest r = receiver.takeRequest(10, TimeUnit.SECONDS);
            assertThat(r).as("request %d of %d arrived", i + 1, n).isNotNull();
            byPath.put(r.getUrl().encodedPath(), r);
        }
        return byPath;
    }

    private RecordedRequest publishOne() throws Exception {
        return publish(1).values().iterator().next();
    }

    /** The signature header's entries, in order. */
    static List<String> entries(RecordedRequest r) {
        assertThat(r.getHeaders().get("X-Webhook-Signature")).isEqualTo(r.getHeaders().get("webhook-signature"));
        return List.of(r.getHeaders().get("webhook-signature").split(" "));
    }

    private static byte[] signedContent(RecordedRequest r) {
        byte[] prefix = (r.getHeaders().get("webhook-id") + "." + r.getHeaders().get("webhook-timestamp") + ".")
                .getBytes(StandardCharsets.UTF_8);
        byte[] body = r.getBody().toByteArray();
        byte[] content = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, content, 0, prefix.length);
        System.arraycopy(body, 0, content, prefix.length, body.length);
        return content;
    }

    /** The entries of the header that {@code key} verifies: a {@code whpk_} public key, or a {@code whsec_} secret. */
    static List<String> verifiedBy(String key, RecordedRequest r) throws Exception {
        List<String> verified = new ArrayList<>();
        for (String entry : entries(r)) {
            if (key.startsWith("whpk_") && entry.startsWith("v1a,")) {
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(publicKey(key));
                s.update(signedContent(r));
                if (s.verify(Base64.getDecoder().decode(entry.substring(4)))) {
                    verified.add(entry);
                }
            } else if (key.startsWith("whsec_") && entry.startsWith("v1,")) {
                // why: the library checks the timestamp against the wall clock, which the moved clock is ahead of
                String expected = new Webhook(key).sign(r.getHeaders().get("webhook-id"),
                        Long.parseLong(r.getHeaders().get("webhook-timestamp")), r.getBody().string(StandardCharsets.UTF_8));
                if (expected.equals(entry)) {
                    verified.add(entry);
                }
            }
        }
        return verified;
    }

    private static PublicKey publicKey(String whpk) throws Exception {
        byte[] raw = Base64.getDecoder().decode(whpk.substring("whpk_".length()));
        assertThat(raw).as("a whpk_ key is the raw 32-byte ed25519 public key").hasSize(32);
        byte[] der = new byte[X509_ED25519.length + raw.length];
        System.arraycopy(X509_ED25519, 0, der, 0, X509_ED25519.length);
        System.arraycopy(raw, 0, der, X509_ED25519.length, raw.length);
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    }

    private JsonNode revealed(JsonNode endpoint) {
        TestHerald.Response r = h.get("/v1/tenants/acme/endpoints/" + endpoint.get("id").stringValue() + "/secret");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.text()).doesNotContain("whsk_");
        return r.json();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void anEd25519EndpointSignsEachDeliveryOnceWithAV1aSignatureItsPublicKeyVerifies(String database) throws Exception {
        start(database);
        JsonNode event = create("/event", "\"format\":\"event\",\"signing\":\"ed25519\"");
        JsonNode batch = create("/batch", "\"signing\":\"ed25519\"");
        JsonNode hmac = create("/hmac", "\"format\":\"event\"");
        String eventKey = event.get("public_key").stringValue();
        assertThat(event.has("secret")).isFalse();
        assertThat(event.get("signing").stringValue()).isEqualTo("ed25519");
        assertThat(eventKey).as("a key pair per endpoint").isNotEqualTo(batch.get("public_key").stringValue());

        Map<String, RecordedRequest> received = publish(3);

        RecordedRequest r = received.get("/event");
        assertThat(entries(r)).singleElement().asString().startsWith("v1a,");
        assertThat(verifiedBy(eventKey, r)).hasSize(1);
        assertThat(verifiedBy(batch.get("public_key").stringValue(), r)).as("another endpoint's key").isEmpty();
        RecordedRequest b = received.get("/batch");
        assertThat(r.getHeaders().get("X-Webhook-Event")).isEqualTo("order.paid");
        assertThat(b.getHeaders().get("X-Webhook-Event")).isEqualTo("batch");
        assertThat(verifiedBy(batch.get("public_key").stringValue(), b)).hasSize(1);
        assertThat(entries(received.get("/hmac"))).singleElement().asString().startsWith("v1,");
        new Webhook(hmac.get("secret").stringValue()).verify(received.get("/hmac").getBody().string(StandardCharsets.UTF_8),
                DeliveryTest.headers(received.get("/hmac")));
        // a tampered body verifies with neither
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(publicKey(eventKey));
        byte[] tampered = signedContent(r);
        tampered[tampered.length - 2] ^= 1;
        s.update(tampered);
        assertThat(s.verify(Base64.getDecoder().decode(entries(r).getFirst().substring(4)))).isFalse();
        assertThat(revealed(event).get("public_key").stringValue()).isEqualTo(eventKey);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aRotatedEd25519KeySignsBesideTheNewOneForADayThenStops(String database) throws Exception {
        start(database);
        JsonNode e = create("/hook", "\"format\":\"event\",\"signing\":\"ed25519\"");
        String oldKey = e.get("public_key").stringValue();

        TestHerald.Response rotated = h.post("/v1/tenants/acme/endpoints/" + e.get("id").stringValue() + "/rotate-secret", "");
        assertThat(rotated.status()).as(rotated.text()).isEqualTo(200);
        assertThat(rotated.text()).doesNotContain("whsk_").doesNotContain("\"secret\"");
        String newKey = rotated.json().get("public_key").stringValue();
        assertThat(newKey).startsWith("whpk_").isNotEqualTo(oldKey);
        assertThat(rotated.json().get("previous_public_key").stringValue()).isEqualTo(oldKey);
        Instant expires = Instant.parse(rotated.json().get("previous_public_key_expires_at").stringValue());
        assertThat(Duration.between(Instant.parse(rotated.json().get("updated_at").stringValue()), expires))
                .isEqualTo(Duration.ofHours(24));

        RecordedRequest during = publishOne();
        assertThat(entries(during)).hasSize(2).allSatisfy(s -> assertThat(s).startsWith("v1a,"));
        assertThat(verifiedBy(newKey, during)).singleElement().isEqualTo(entries(during).get(0));
        assertThat(verifiedBy(oldKey, during)).singleElement().isEqualTo(entries(during).get(1));

        clock.tick(Duration.ofHours(24).plusSeconds(1));
        RecordedRequest after = publishOne();
        assertThat(entries(after)).hasSize(1);
        assertThat(verifiedBy(newKey, after)).hasSize(1);
        assertThat(verifiedBy(oldKey, after)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void switchingSchemeSignsWithBothSchemesForADayEachWay(String database) throws Exception {
        start(database);
        JsonNode e = create("/hook", "\"format\":\"event\"");
        String path = "/v1/tenants/acme/endpoints/" + e.get("id").stringValue();
        String secret = e.get("secret").stringValue();

        TestHerald.Response toEd25519 = h.patch(path, "{\"signing\":\"ed25519\"}");
        assertThat(toEd25519.status()).as(toEd25519.text()).isEqualTo(200);
        assertThat(toEd25519.text()).doesNotContain("whsk_").doesNotContain(secret);
        assertThat(toEd25519.json().get("signing").stringValue()).isEqualTo("ed25519");
        String publicKey = toEd25519.json().get("public_key").stringValue();
        Instant until = Instant.parse(toEd25519.json().get("previous_secret_expires_at").stringValue());
        assertThat(until).isEqualTo(clock.instant().plus(Duration.ofHours(24)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(h.get(path).json().get("signing").stringValue()).isEqualTo("ed25519");
        JsonNode keys = revealed(e);
        assertThat(keys.get("public_key").stringValue()).isEqualTo(publicKey);
        assertThat(keys.get("previous_public_key").isNull()).isTrue();
        assertThat(keys.get("previous_secret").stringValue()).isEqualTo(secret);
        assertThat(keys.get("previous_secret_expires_at").stringValue()).isEqualTo(until.toString());

        RecordedRequest during = publishOne();
        assertThat(entries(during)).hasSize(2);
        assertThat(verifiedBy(publicKey, during)).singleElement().asString().startsWith("v1a,");
        assertThat(verifiedBy(secret, during)).singleElement().asString().startsWith("v1,");
        // a receiver still on HMAC goes on verifying with the public library, which skips the v1a entry
        new Webhook(secret).verify(during.getBody().string(StandardCharsets.UTF_8), DeliveryTest.headers(during));
        assertThat(patchIsNoOp(path, "{\"signing\":\"ed25519\"}", publicKey)).isTrue();

        clock.tick(Duration.ofHours(24).plusSeconds(1));
        RecordedRequest after = publishOne();
        assertThat(entries(after)).singleElement().asString().startsWith("v1a,");
        assertThat(verifiedBy(publicKey, after)).hasSize(1);
        assertThat(revealed(e).get("previous_secret")).as("no overlap: not shown").isNull();

        // and back: null resets signing to its default, hmac-sha256, with a new secret
        TestHerald.Response toHmac = h.patch(path, "{\"signing\":null,\"description\":\"back to HMAC\"}");
        assertThat(toHmac.status()).as(toHmac.text()).isEqualTo(200);
        assertThat(toHmac.json().get("description").stringValue()).isEqualTo("back to HMAC");
        assertThat(toHmac.json().get("signing").stringValue()).isEqualTo("hmac-sha256");
        String newSecret = toHmac.json().get("secret").stringValue();
        assertThat(newSecret).startsWith("whsec_").isNotEqualTo(secret);
        assertThat(toHmac.json().get("previous_public_key").stringValue()).isEqualTo(publicKey);
        assertThat(toHmac.json().has("previous_public_key_expires_at")).isTrue();
        JsonNode back = revealed(e);
        assertThat(back.get("secret").stringValue()).isEqualTo(newSecret);
        assertThat(back.get("previous_secret").isNull()).isTrue();
        assertThat(back.get("previous_public_key").stringValue()).isEqualTo(publicKey);

        RecordedRequest backDuring = publishOne();
        assertThat(verifiedBy(newSecret, backDuring)).singleElement().asString().startsWith("v1,");
        assertThat(verifiedBy(publicKey, backDuring)).singleElement().asString().startsWith("v1a,");
        assertThat(verifiedBy(secret, backDuring)).as("the first secret is long gone").isEmpty();
    }

    /** Whether PATCHing {@code body} left the key as it was and answered without one. */
    private boolean patchIsNoOp(String path, String body, String publicKey) {
        TestHerald.Response r = h.patch(path, body);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return !r.json().has("public_key") && !r.json().has("secret")
                && h.get(path + "/secret").json().get("public_key").stringValue().equals(publicKey);
    }
}
