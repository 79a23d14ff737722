package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.standardwebhooks.Webhook;
import dev.herald.endpoint.TargetGuard;
import dev.herald.json.Json;
import dev.herald.testing.SettableClock;
import dev.herald.testing.Eventually;
import dev.herald.testing.TestHerald;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** mTLS with certificates made here, secret rotation, and the private-address rule at delivery. */
class SecurityTest {
    private final MockWebServer receiver = new MockWebServer();
    private TestHerald h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
        receiver.close();
    }

    @Test
    void mutualTlsPresentsTheEndpointsClientCertificateAndIsRefusedWithout() throws Exception {
        HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).commonName("partner-ca").build();
        HeldCertificate server = new HeldCertificate.Builder().signedBy(ca).addSubjectAlternativeName("localhost").build();
        HeldCertificate heraldCa = new HeldCertificate.Builder().certificateAuthority(0).commonName("herald-ca").build();
        HeldCertificate client = new HeldCertificate.Builder().signedBy(heraldCa).commonName("herald").build();
        HandshakeCertificates serverTls = new HandshakeCertificates.Builder()
                .heldCertificate(server).addTrustedCertificate(heraldCa.certificate()).build();
        receiver.useHttps(serverTls.sslSocketFactory());
        receiver.requireClientAuth();
        receiver.enqueue(new MockResponse.Builder().code(200).build());
        receiver.start();
        h = TestHerald.sqlite();
        h.seed("acme", "order.paid");
        String url = "https://localhost:" + receiver.getPort() + "/hook";

        ObjectNode withCert = Json.object();
        withCert.put("url", url);
        withCert.put("format", "event");
        withCert.putObject("retry").put("max_attempts", 1);
        ObjectNode tls = withCert.putObject("tls");
        tls.put("client_certificate", client.certificatePem());
        tls.put("client_key", client.privateKeyPkcs8Pem());
        tls.put("ca_certificates", ca.certificatePem());
        assertThat(h.post("/v1/tenants/acme/endpoints", Json.write(withCert)).status()).isEqualTo(201);
        ObjectNode without = withCert.deepCopy();
        ((ObjectNode) without.get("tls")).remove("client_certificate");
        ((ObjectNode) without.get("tls")).remove("client_key");
        String refused = h.post("/v1/tenants/acme/endpoints", Json.write(without)).json().get("id").stringValue();

        h.post("/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{}}");
        RecordedRequest r = receiver.takeRequest(10, TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        assertThat(r.getHandshake().peerCertificates()).first()
                .satisfies(c -> assertThat(((java.security.cert.X509Certificate) c).getSubjectX500Principal().getName()).contains("CN=herald"));
        DeliveryTest.awaitStatus(h, r.getHeaders().get("X-Webhook-Delivery"), "delivered");

        JsonNode failed = awaitOnlyDelivery(refused, "failed");
        assertThat(failed.get("attempts").get(0).get("status_code").isNull()).isTrue();
        assertThat(failed.get("attempts").get(0).get("error").stringValue()).isNotBlank();
    }

    @Test
    void duringARotationBothSecretsSignAndAfter24HoursOnlyTheNewOne() throws Exception {
        SettableClock clock = new SettableClock(Instant.now());
        receiver.start();
        h = TestHerald.builder().clock(clock).start();
        h.seed("acme", "order.paid");
        JsonNode e = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/hook") + "\",\"format\":\"event\"}").json();
        String oldSecret = e.get("secret").stringValue();
        String newSecret = h.post("/v1/tenants/acme/endpoints/" + e.get("id").stringValue() + "/rotate-secret", "").json()
                .get("secret").stringValue();
        receiver.enqueue(new MockResponse.Builder().code(200).build());
        receiver.enqueue(new MockResponse.Builder().code(200).build());

        h.post("/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{}}");
        RecordedRequest during = receiver.takeRequest(10, TimeUnit.SECONDS);
        assertThat(during.getHeaders().get("webhook-signature").split(" ")).hasSize(2);
        verify(oldSecret, during);
        verify(newSecret, during);

        clock.tick(Duration.ofHours(24).plusSeconds(1));
        h.post("/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{}}");
        RecordedRequest after = receiver.takeRequest(10, TimeUnit.SECONDS);
        assertThat(after.getHeaders().get("webhook-signature").split(" ")).hasSize(1);
        verifyAt(newSecret, after);
        assertThatThrownBy(() -> verifyAt(oldSecret, after)).hasMessageContaining("signature");
    }

    @Test
    void aPrivateAddressIsRefusedAtDeliveryEvenIfTheRowSaysOtherwise() throws Exception {
        receiver.start();
        h = TestHerald.builder().allowPrivateTargets(false).start();
        h.seed("acme", "order.paid");
        String id = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"http://93.184.216.34/hook\",\"format\":\"event\","
                + "\"retry\":{\"max_attempts\":1}}").json().get("id").stringValue();
        // why: simulates a target that was public when registered and points inside now
        h.herald().database().inTransaction(c -> c.createStatement().executeUpdate(
                "UPDATE endpoints SET url = '" + receiver.url("/hook") + "' WHERE id = '" + id + "'"));
        h.post("/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{}}");
        JsonNode failed = awaitOnlyDelivery(id, "failed");
        assertThat(failed.get("attempts").get(0).get("error").stringValue()).contains("HERALD_ALLOW_PRIVATE_TARGETS");
        assertThat(receiver.getRequestCount()).isZero();
    }

    /** IP literals never reach a resolver: the sender checks them itself, with the same rules. */
    @ParameterizedTest
    @ValueSource(strings = {"[64:ff9b::7f00:1]", "[64:ff9b::a9fe:a9fe]", "[64:ff9b:1::7f00:1]", "[2002:7f00:1::]", "[::127.0.0.1]",
            "[2001:0:4136:e378:8000:63bf:3fff:fdd2]", "192.0.2.1", "198.18.0.1", "240.0.0.1", "[2001:db8::1]", "[fec0::1]"})
    void anAddressLiteralInAStoredUrlIsCheckedAtDelivery(String host) throws Exception {
        h = TestHerald.builder().allowPrivateTargets(false).start();
        h.seed("acme", "order.paid");
        String id = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"http://93.184.216.34/hook\",\"format\":\"event\","
                + "\"timeout_ms\":1000,\"retry\":{\"max_attempts\":1}}").json().get("id").stringValue();
        // why: an endpoint stored before these forms were refused
        h.herald().database().inTransaction(c -> {
            try (var s = c.prepareStatement("UPDATE endpoints SET url = ? WHERE id = ?")) {
                s.setString(1, "http://" + host + ":9/hook");
                s.setString(2, id);
                return s.executeUpdate();
            }
        });
        h.post("/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{}}");
        JsonNode failed = awaitOnlyDelivery(id, "failed");
        assertThat(failed.get("attempts").get(0).get("error").stringValue()).contains("HERALD_ALLOW_PRIVATE_TARGETS");
    }

    @Test
    void aStoredHeaderValueThatCannotBeSentFailsTheAttemptWithoutShowingTheValue() throws Exception {
        receiver.start();
        h = TestHerald.sqlite();
        h.seed("acme", "order.paid");
        String id = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/hook") + "\",\"format\":\"event\","
                + "\"retry\":{\"max_attempts\":1},\"headers\":{\"X-A\":\"fine\"}}").json().get("id").stringValue();
        // why: an endpoint stored before values were held to printable ASCII
        h.herald().database().inTransaction(c -> {
            try (var s = c.prepareStatement("UPDATE endpoints SET headers = ? WHERE id = ?")) {
                s.setString(1, "{\"X-A\":\"café-s3cr3t\"}");
                s.setString(2, id);
                return s.executeUpdate();
            }
        });
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        log.start();
        root.addAppender(log);
        try {
            h.post("/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{}}");
            JsonNode failed = awaitOnlyDelivery(id, "failed");
            String error = failed.get("attempts").get(0).get("error").stringValue();
            assertThat(error).contains("X-A").contains("printable ASCII").doesNotContain("s3cr3t");
            assertThat(Json.write(failed)).doesNotContain("s3cr3t");
        } finally {
            root.detachAppender(log);
        }
        assertThat(receiver.getRequestCount()).isZero();
        assertThat(log.list).isNotEmpty().allSatisfy(e -> {
            assertThat(e.getFormattedMessage()).doesNotContain("s3cr3t");
            assertThat(e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage()).doesNotContain("s3cr3t");
        });
    }

    @Test
    void aNameThatRebindsToAPrivateAddressIsRefusedWhenResolved() throws Exception {
        InetAddress[] answer = {InetAddress.getByName("93.184.216.34")};
        TargetGuard guard = new TargetGuard(false, host -> answer.clone());
        assertThat(guard.resolve("partner.example")).containsExactly(answer[0]);
        answer[0] = InetAddress.getByName("169.254.169.254");
        assertThatThrownBy(() -> guard.resolve("partner.example")).isInstanceOf(TargetGuard.PrivateTargetException.class);
        assertThat(new TargetGuard(true, host -> answer.clone()).resolve("partner.example")).containsExactly(answer[0]);
    }

    private JsonNode awaitOnlyDelivery(String endpointId, String status) {
        JsonNode list = Eventually.until("a " + status + " delivery for endpoint " + endpointId, Duration.ofSeconds(15),
                () -> h.get("/v1/tenants/acme/deliveries?endpoint_id=" + endpointId).json().get("data"),
                l -> !l.isEmpty() && status.equals(l.get(0).get("status").stringValue()));
        return h.get("/v1/tenants/acme/deliveries/" + list.get(0).get("id").stringValue()).json();
    }

    private static void verify(String secret, RecordedRequest r) throws Exception {
        new Webhook(secret).verify(r.getBody().string(StandardCharsets.UTF_8), DeliveryTest.headers(r));
    }

    /** The library checks the timestamp against the wall clock; the moved clock is a day ahead, so check by hand too. */
    private static void verifyAt(String secret, RecordedRequest r) throws Exception {
        String expected = new Webhook(secret).sign(r.getHeaders().get("webhook-id"),
                Long.parseLong(r.getHeaders().get("webhook-timestamp")), r.getBody().string(StandardCharsets.UTF_8));
        if (!java.util.List.of(r.getHeaders().get("webhook-signature").split(" ")).contains(expected)) {
            throw new AssertionError("no matching signature for this secret");
        }
    }
}
