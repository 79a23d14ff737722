package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.standardwebhooks.Webhook;
import dev.herald.Herald;
import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.endpoint.Endpoint;
import dev.herald.json.Json;
import dev.herald.store.EndpointStore;
import dev.herald.store.SecretBox;
import dev.herald.testing.Databases;
import dev.herald.testing.Eventually;
import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Secrets at rest through a real Herald: what the database files hold, signatures and mTLS under encrypted
 * secrets, and key rotation across restarts on both databases.
 */
class EncryptedSecretsTest {
    private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(random(32));

    @TempDir
    Path dir;
    private final MockWebServer receiver = new MockWebServer();
    private final List<TestHerald> started = new ArrayList<>();
    private final ListAppender<ILoggingEvent> reencryptionLog = new ListAppender<>();

    @AfterEach
    void stop() {
        started.forEach(TestHerald::close);
        receiver.close();
        ((Logger) LoggerFactory.getLogger("dev.herald.Reencryption")).detachAppender(reencryptionLog);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** A key file holding a new key; answers its path. */
    private Path keyFile(String name) throws Exception {
        return Files.writeString(dir.resolve(name), Base64.getEncoder().encodeToString(random(32)) + "\n");
    }

    private static String keyId(Path keyFile) throws Exception {
        byte[] key = Base64.getDecoder().decode(Files.readString(keyFile).strip());
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key)).substring(0, 8);
    }

    /** A Herald on {@code database} ("sqlite": the data directory under this test's folder; else a PostgreSQL URL). */
    private TestHerald start(String database, Path key, Path oldKeys) {
        TestHerald.Builder b = TestHerald.builder();
        if (database.equals("sqlite")) {
            b.set(HeraldConfig.DATA_DIR, dir.resolve("data").toString());
        } else {
            b.databaseUrl(database);
        }
        if (key != null) {
            b.set(HeraldConfig.ENCRYPTION_KEY_FILE, key.toString());
        }
        if (oldKeys != null) {
            b.set(HeraldConfig.ENCRYPTION_OLD_KEYS_FILE, oldKeys.toString());
        }
        TestHerald h = b.start();
        started.add(h);
        return h;
    }

    private static String database(String kind) {
        return kind.equals("sqlite") ? "sqlite" : Databases.freshPostgres();
    }

    private void stop(TestHerald h) {
        started.remove(h);
        h.close();
    }

    /** Every secret value stored, as text: secret, previous_secret and tls_client_key of every endpoint. */
    private static List<String> storedSecrets(TestHerald h) {
        return h.herald().database().read(c -> {
            List<String> out = new ArrayList<>();
            try (var rs = c.createStatement().executeQuery("SELECT secret, previous_secret, tls_client_key FROM endpoints")) {
                while (rs.next()) {
                    for (int i = 1; i <= 3; i++) {
                        if (rs.getString(i) != null) {
                            out.add(rs.getString(i));
                        }
                    }
                }
            }
            return out;
        });
    }

    private static String createEndpoint(TestHerald h, String url, String secret) {
        JsonNode e = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + url + "\",\"format\":\"event\","
                + "\"secret\":\"" + secret + "\",\"retry\":{\"max_attempts\":1}}").json();
        return e.get("id").stringValue();
    }

    /** Publishes an event and verifies, with the public Standard Webhooks library, the request it caused. */
    private RecordedRequest publishAndVerify(TestHerald h, String secret) throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(200).build());
        assertThat(h.post("/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{}}").status()).isEqualTo(202);
        RecordedRequest r = receiver.takeRequest(10, TimeUnit.SECONDS);
        assertThat(r).as("the endpoint received the event").isNotNull();
        new Webhook(secret).verify(r.getBody().string(StandardCharsets.UTF_8), DeliveryTest.headers(r));
        return r;
    }

    private String databaseFileBytes(TestHerald h) throws Exception {
        StringBuilder text = new StringBuilder();
        for (String name : List.of(Herald.SQLITE_FILE, Herald.SQLITE_FILE + "-wal")) {
            Path f = dir.resolve("data").resolve(name);
            if (Files.exists(f)) {
                text.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        return text.toString();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void theDatabaseFilesHoldNeitherTheSecretNorTheTlsKeyWhenEncrypted(boolean encrypted) throws Exception {
        receiver.start();
        TestHerald h = start("sqlite", encrypted ? keyFile("key") : null, null);
        h.seed("acme", "order.paid");
        HeldCertificate client = new HeldCertificate.Builder().commonName("herald").build();
        ObjectNode body = Json.object();
        body.put("url", "https://localhost:" + receiver.getPort() + "/hook");
        body.put("secret", SECRET);
        body.putObject("tls").put("client_certificate", client.certificatePem()).put("client_key", client.privateKeyPkcs8Pem());
        assertThat(h.post("/v1/tenants/acme/endpoints", Json.write(body)).status()).isEqualTo(201);
        List<String> keyLines = client.privateKeyPkcs8Pem().lines().filter(l -> !l.startsWith("-----")).toList();
        assertThat(keyLines).isNotEmpty();
        // an ed25519 endpoint, rotated, so both signing-key columns hold a private key
        String ed25519 = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/ed") + "\",\"signing\":\"ed25519\"}")
                .json().get("id").stringValue();
        assertThat(h.post("/v1/tenants/acme/endpoints/" + ed25519 + "/rotate-secret", "").status()).isEqualTo(200);
        List<String> privateKeys = privateKeys(h, encrypted ? dir.resolve("key") : null, ed25519);
        assertThat(privateKeys).hasSize(2).allSatisfy(k -> assertThat(k).startsWith("whsk_"));

        // why: read while Herald runs, so the WAL holds the latest pages; then again after close, which checkpoints
        for (String bytes : List.of(databaseFileBytes(h), closeAndRead(h))) {
            assertThat(bytes).as("the database files").isNotEmpty();
            if (encrypted) {
                assertThat(bytes).doesNotContain(SECRET.substring("whsec_".length()));
                keyLines.forEach(line -> assertThat(bytes).doesNotContain(line));
                assertThat(bytes).doesNotContain("whsk_");
                privateKeys.forEach(k -> assertThat(bytes).doesNotContain(k.substring("whsk_".length())));
            } else {
                assertThat(bytes).contains(SECRET);
                keyLines.forEach(line -> assertThat(bytes).contains(line));
                privateKeys.forEach(k -> assertThat(bytes).contains(k));
            }
        }
    }

    /** The ed25519 private keys (current, previous) of an endpoint, opened with {@code keyFile}'s key (null: none). */
    private static List<String> privateKeys(TestHerald h, Path keyFile, String endpointId) throws Exception {
        SecretBox box = keyFile == null ? SecretBox.plaintext()
                : SecretBox.of(Base64.getDecoder().decode(Files.readString(keyFile).strip()), List.of());
        Endpoint e = new EndpointStore(h.herald().database(), box).get("acme", endpointId).orElseThrow();
        return List.of(e.secret(), e.previousSecret());
    }

    private String closeAndRead(TestHerald h) throws Exception {
        stop(h);
        return databaseFileBytes(h);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void deliveriesAreSignedWithAnEncryptedSecretAndBothSecretsSignDuringARotation(String kind) throws Exception {
        receiver.start();
        TestHerald h = start(database(kind), keyFile("key"), null);
        h.seed("acme", "order.paid");
        String id = createEndpoint(h, receiver.url("/hook").toString(), SECRET);
        assertThat(storedSecrets(h)).singleElement().asString().startsWith("enc:v1:" + keyId(dir.resolve("key")) + ":");

        publishAndVerify(h, SECRET);

        String rotated = h.post("/v1/tenants/acme/endpoints/" + id + "/rotate-secret", "").json().get("secret").stringValue();
        RecordedRequest during = publishAndVerify(h, rotated);
        assertThat(during.getHeaders().get("webhook-signature").split(" ")).hasSize(2);
        new Webhook(SECRET).verify(during.getBody().string(StandardCharsets.UTF_8), DeliveryTest.headers(during));
        assertThat(storedSecrets(h)).hasSize(2).allSatisfy(s -> assertThat(s).startsWith("enc:v1:").doesNotContain("whsec_"));
    }

    @Test
    void mutualTlsWorksWithAnEncryptedClientKey() throws Exception {
        HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).commonName("partner-ca").build();
        HeldCertificate server = new HeldCertificate.Builder().signedBy(ca).addSubjectAlternativeName("localhost").build();
        HeldCertificate heraldCa = new HeldCertificate.Builder().certificateAuthority(0).commonName("herald-ca").build();
        HeldCertificate client = new HeldCertificate.Builder().signedBy(heraldCa).commonName("herald").build();
        receiver.useHttps(new HandshakeCertificates.Builder().heldCertificate(server)
                .addTrustedCertificate(heraldCa.certificate()).build().sslSocketFactory());
        receiver.requireClientAuth();
        receiver.start();
        TestHerald h = start("sqlite", keyFile("key"), null);
        h.seed("acme", "order.paid");
        ObjectNode body = Json.object();
        body.put("url", "https://localhost:" + receiver.getPort() + "/hook");
        body.put("format", "event");
        body.put("secret", SECRET);
        body.putObject("tls").put("client_certificate", client.certificatePem()).put("client_key", client.privateKeyPkcs8Pem())
                .put("ca_certificates", ca.certificatePem());
        assertThat(h.post("/v1/tenants/acme/endpoints", Json.write(body)).status()).isEqualTo(201);
        assertThat(storedSecrets(h)).hasSize(2).allSatisfy(s -> assertThat(s).startsWith("enc:v1:"));

        RecordedRequest r = publishAndVerify(h, SECRET);

        assertThat(r.getHandshake().peerCertificates()).first().satisfies(c ->
                assertThat(((java.security.cert.X509Certificate) c).getSubjectX500Principal().getName()).contains("CN=herald"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aKeyIsRotatedAcrossRestartsAndAnUnknownKeyStopsTheStart(String kind) throws Exception {
        receiver.start();
        captureReencryptionLog();
        String database = database(kind);
        Path a = keyFile("a");
        Path b = keyFile("b");
        Path oldA = Files.copy(a, dir.resolve("old-keys"));
        TestHerald underA = start(database, a, null);
        underA.seed("acme", "order.paid", "order.refunded");
        String id = createEndpoint(underA, receiver.url("/hook").toString(), "whsec_" + Base64.getEncoder().encodeToString(random(32)));
        underA.post("/v1/tenants/acme/endpoints/" + id + "/rotate-secret", "{\"secret\":\"" + SECRET + "\"}");
        HeldCertificate client = new HeldCertificate.Builder().commonName("herald").build();
        ObjectNode withTls = Json.object();
        withTls.put("url", "https://localhost:1/never-due");
        withTls.putArray("event_types").add("order.refunded");
        withTls.putObject("tls").put("client_certificate", client.certificatePem()).put("client_key", client.privateKeyPkcs8Pem());
        assertThat(underA.post("/v1/tenants/acme/endpoints", Json.write(withTls)).status()).isEqualTo(201);
        assertThat(storedSecrets(underA)).hasSize(4).allSatisfy(s -> assertThat(s).startsWith("enc:v1:" + keyId(a) + ":"));
        stop(underA);

        TestHerald rotating = start(database, b, oldA);
        publishAndVerify(rotating, SECRET);
        awaitLog("Re-encrypted the secrets of 2 endpoint(s) under key id " + keyId(b)
                + "; HERALD_ENCRYPTION_OLD_KEYS_FILE can be removed");
        assertThat(storedSecrets(rotating)).hasSize(4).allSatisfy(s -> assertThat(s).startsWith("enc:v1:" + keyId(b) + ":"));
        stop(rotating);

        TestHerald underB = start(database, b, null);
        publishAndVerify(underB, SECRET);
        stop(underB);

        assertThatThrownBy(() -> start(database, keyFile("c"), null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("the database holds 4 endpoint secret(s) encrypted under key id " + keyId(b)
                        + ", but neither HERALD_ENCRYPTION_KEY_FILE (key id " + keyId(dir.resolve("c"))
                        + ") nor HERALD_ENCRYPTION_OLD_KEYS_FILE holds that key; add it to HERALD_ENCRYPTION_OLD_KEYS_FILE");
        assertThatThrownBy(() -> start(database, null, null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("the database holds 4 endpoint secret(s) encrypted under key id " + keyId(b)
                        + ", but HERALD_ENCRYPTION_KEY_FILE is not set; set it to the file holding that key");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void ed25519PrivateKeysAreSealedCheckedAtStartAndReencryptedAndStillSign(String kind) throws Exception {
        receiver.start();
        captureReencryptionLog();
        String database = database(kind);
        Path a = keyFile("a");
        Path b = keyFile("b");
        TestHerald underA = start(database, a, null);
        underA.seed("acme", "order.paid");
        JsonNode created = underA.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/hook") + "\","
                + "\"format\":\"event\",\"signing\":\"ed25519\",\"retry\":{\"max_attempts\":1}}").json();
        String oldKey = created.get("public_key").stringValue();
        String newKey = underA.post("/v1/tenants/acme/endpoints/" + created.get("id").stringValue() + "/rotate-secret", "")
                .json().get("public_key").stringValue();
        assertThat(storedSecrets(underA)).hasSize(2).allSatisfy(s -> assertThat(s).startsWith("enc:v1:" + keyId(a) + ":"));
        stop(underA);

        TestHerald rotating = start(database, b, Files.copy(a, dir.resolve("old-keys")));
        RecordedRequest r = publishSigned(rotating);
        assertThat(SigningSchemesTest.verifiedBy(newKey, r)).hasSize(1);
        assertThat(SigningSchemesTest.verifiedBy(oldKey, r)).hasSize(1);
        awaitLog("Re-encrypted the secrets of 1 endpoint(s) under key id " + keyId(b)
                + "; HERALD_ENCRYPTION_OLD_KEYS_FILE can be removed");
        assertThat(storedSecrets(rotating)).hasSize(2).allSatisfy(s -> assertThat(s).startsWith("enc:v1:" + keyId(b) + ":"));
        stop(rotating);

        assertThat(SigningSchemesTest.verifiedBy(newKey, publishSigned(start(database, b, null)))).hasSize(1);
        started.forEach(TestHerald::close);
        started.clear();
        assertThatThrownBy(() -> start(database, a, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("the database holds 2 endpoint secret(s) encrypted under key id " + keyId(b));
    }

    /** Publishes an event and answers the request it caused. */
    private RecordedRequest publishSigned(TestHerald h) throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(200).build());
        assertThat(h.post("/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{}}").status()).isEqualTo(202);
        RecordedRequest r = receiver.takeRequest(10, TimeUnit.SECONDS);
        assertThat(r).as("the endpoint received the event").isNotNull();
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void plainTextRowsFromBeforeAreEncryptedOnceAKeyIsSet(String kind) throws Exception {
        receiver.start();
        captureReencryptionLog();
        String database = database(kind);
        TestHerald plain = start(database, null, null);
        plain.seed("acme", "order.paid");
        createEndpoint(plain, receiver.url("/hook").toString(), SECRET);
        assertThat(storedSecrets(plain)).containsExactly(SECRET);
        stop(plain);

        Path key = keyFile("key");
        TestHerald encrypted = start(database, key, null);
        publishAndVerify(encrypted, SECRET);
        awaitLog("Re-encrypted the secrets of 1 endpoint(s) under key id " + keyId(key));
        assertThat(storedSecrets(encrypted)).singleElement().asString().startsWith("enc:v1:" + keyId(key) + ":")
                .doesNotContain(SECRET.substring("whsec_".length()));
        stop(encrypted);
        publishAndVerify(start(database, key, null), SECRET);
    }

    @Test
    void anEndpointWhoseSecretCannotBeDecryptedIsA503AndDoesNotHoldUpTheOthers() throws Exception {
        receiver.start();
        TestHerald h = start("sqlite", keyFile("key"), null);
        h.seed("acme", "order.paid");
        String good = createEndpoint(h, receiver.url("/good").toString(), SECRET);
        String moved = createEndpoint(h, receiver.url("/moved").toString(), SECRET);
        // why: a sealed value copied from another row, as someone with write access to the database could
        h.herald().database().inTransaction(c -> c.createStatement().executeUpdate("UPDATE endpoints SET secret ="
                + " (SELECT secret FROM endpoints WHERE id = '" + good + "') WHERE id = '" + moved + "'"));

        TestHerald.Response refused = h.get("/v1/tenants/acme/endpoints/" + moved);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.json().get("detail").stringValue()).contains("cannot decrypt this endpoint's secrets");
        assertThat(refused.text()).doesNotContain(SECRET);
        assertThat(h.get("/v1/tenants/acme/endpoints/" + good).status()).isEqualTo(200);

        RecordedRequest r = publishAndVerify(h, SECRET);
        assertThat(r.getTarget()).isEqualTo("/good");
        assertThat(receiver.takeRequest(500, TimeUnit.MILLISECONDS)).as("nothing sent with an unreadable secret").isNull();
    }

    private void captureReencryptionLog() {
        reencryptionLog.start();
        ((Logger) LoggerFactory.getLogger("dev.herald.Reencryption")).addAppender(reencryptionLog);
    }

    private void awaitLog(String line) {
        Eventually.until("the log line: " + line, Duration.ofSeconds(10),
                () -> reencryptionLog.list.stream().map(ILoggingEvent::getFormattedMessage).toList(),
                lines -> lines.contains(line));
    }
}
