package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertInvalid;
import static dev.herald.api.ApiAssertions.assertProblem;
import static dev.herald.api.ApiAssertions.quote;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.json.Json;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Registering, reading, patching, deleting endpoints and rotating their secrets. */
class EndpointRoutesTest {
    private static final String URL = "http://127.0.0.1:9/hook";
    private static final AtomicInteger TENANTS = new AtomicInteger();
    private static TestHerald h;

    @BeforeAll
    static void start() {
        h = TestHerald.sqlite();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    /** A fresh tenant for one test, with the event types it needs. */
    private static String tenant(String... types) {
        String t = "ep-" + TENANTS.incrementAndGet();
        h.seed(t, types);
        return t;
    }

    private static JsonNode create(String tenant, String body) {
        var r = h.post("/v1/tenants/" + tenant + "/endpoints", body);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json();
    }

    private static String path(String tenant, JsonNode endpoint) {
        return "/v1/tenants/" + tenant + "/endpoints/" + endpoint.get("id").stringValue();
    }

    private static JsonNode patch(String tenant, JsonNode endpoint, String body) {
        var r = h.patch(path(tenant, endpoint), body);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json();
    }

    @Test
    void batchFormatDefaults() {
        String t = tenant();
        JsonNode e = create(t, "{\"url\":\"" + URL + "\"}");
        assertThat(e.get("id").stringValue()).isNotBlank();
        assertThat(e.get("tenant_id").stringValue()).isEqualTo(t);
        assertThat(e.get("url").stringValue()).isEqualTo(URL);
        assertThat(e.get("description").stringValue()).isEmpty();
        assertThat(e.get("event_types").isArray()).isTrue();
        assertThat(e.get("event_types").size()).isZero();
        assertThat(e.get("format").stringValue()).isEqualTo("batch");
        assertThat(e.get("batch")).isEqualTo(Json.parse("{\"max_events\":100,\"window_ms\":1000}"));
        assertThat(e.get("retry")).isEqualTo(Json.parse(
                "{\"policy\":\"polynomial\",\"max_attempts\":26,\"horizon_ms\":2592000000,\"on\":\"non_2xx\"}"));
        assertThat(e.get("headers")).isEqualTo(Json.object());
        assertThat(e.get("timeout_ms").longValue()).isEqualTo(10_000);
        assertThat(e.get("status").stringValue()).isEqualTo("active");
        assertThat(e.get("rate_limit_per_s").isNull()).isTrue();
        assertThat(e.get("ordering").stringValue()).isEqualTo("none");
        assertThat(e.has("tls")).isFalse();
        // what GET shows is the same, but for the secret
        JsonNode got = h.get(path(t, e)).json();
        var expected = ((tools.jackson.databind.node.ObjectNode) e.deepCopy());
        expected.remove("secret");
        assertThat(got).isEqualTo(expected);
    }

    @Test
    void eventFormatDefaults() {
        String t = tenant();
        JsonNode e = create(t, "{\"url\":\"" + URL + "\",\"format\":\"event\"}");
        assertThat(e.get("format").stringValue()).isEqualTo("event");
        assertThat(e.has("batch")).as("no batch for format event: %s", e).isFalse();
        assertThat(e.get("retry")).isEqualTo(Json.parse(
                "{\"policy\":\"exponential\",\"max_attempts\":3,\"initial_delay_ms\":60000,\"on\":\"5xx\"}"));
        assertThat(e.get("timeout_ms").longValue()).isEqualTo(10_000);
        assertThat(e.get("status").stringValue()).isEqualTo("active");
        assertThat(h.get(path(t, e)).json().has("batch")).isFalse();
    }

    @Test
    void givenFieldsAreKept() {
        String t = tenant("ep.a", "ep.b");
        JsonNode e = create(t, "{\"url\":\"" + URL + "\",\"description\":\"mine\",\"event_types\":[\"ep.a\",\"ep.b\"],"
                + "\"batch\":{\"max_events\":7,\"window_ms\":250},\"retry\":{\"max_attempts\":5,\"horizon_ms\":3600000},"
                + "\"headers\":{\"X-Partner-Account\":\"42\"},\"timeout_ms\":2500,\"max_concurrency\":3,\"status\":\"paused\"}");
        JsonNode got = h.get(path(t, e)).json();
        assertThat(got.get("description").stringValue()).isEqualTo("mine");
        assertThat(got.get("event_types")).isEqualTo(Json.parse("[\"ep.a\",\"ep.b\"]"));
        assertThat(got.get("batch")).isEqualTo(Json.parse("{\"max_events\":7,\"window_ms\":250}"));
        assertThat(got.get("retry")).isEqualTo(Json.parse(
                "{\"policy\":\"polynomial\",\"max_attempts\":5,\"horizon_ms\":3600000,\"on\":\"non_2xx\"}"));
        assertThat(got.get("headers")).isEqualTo(Json.parse("{\"X-Partner-Account\":\"42\"}"));
        assertThat(got.get("timeout_ms").longValue()).isEqualTo(2500);
        assertThat(got.get("max_concurrency").intValue()).isEqualTo(3);
        assertThat(got.get("status").stringValue()).isEqualTo("paused");
    }

    @Test
    void secretOnCreateAndRotateOnly() {
        String t = tenant();
        JsonNode e = create(t, "{\"url\":\"" + URL + "\"}");
        String secret = e.get("secret").stringValue();
        assertThat(secret).startsWith("whsec_");
        byte[] key = java.util.Base64.getDecoder().decode(secret.substring(6));
        assertThat(key.length).isBetween(24, 64);
        var got = h.get(path(t, e));
        assertThat(got.json().has("secret")).isFalse();
        assertThat(got.text()).doesNotContain(secret.substring(6));
        var list = h.get("/v1/tenants/" + t + "/endpoints");
        assertThat(list.json().get("data").get(0).has("secret")).isFalse();
        assertThat(list.text()).doesNotContain(secret.substring(6));
        var patched = h.patch(path(t, e), "{\"description\":\"x\"}");
        assertThat(patched.json().has("secret")).isFalse();
        assertThat(patched.text()).doesNotContain(secret.substring(6));
        // two endpoints get different secrets
        assertThat(create(t, "{\"url\":\"" + URL + "\"}").get("secret").stringValue()).isNotEqualTo(secret);
    }

    @Test
    void givenSecretIsKept() {
        String t = tenant();
        String secret = "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32]);
        assertThat(create(t, "{\"url\":\"" + URL + "\",\"secret\":\"" + secret + "\"}").get("secret").stringValue()).isEqualTo(secret);
    }

    @Test
    void tlsClientKeyIsNeverReturned() {
        String t = tenant();
        HeldCertificate cert = new HeldCertificate.Builder().commonName("client").build();
        HeldCertificate ca = new HeldCertificate.Builder().commonName("ca").certificateAuthority(0).build();
        String tls = "{\"client_certificate\":" + quote(cert.certificatePem()) + ",\"client_key\":"
                + quote(cert.privateKeyPkcs8Pem()) + ",\"ca_certificates\":" + quote(ca.certificatePem()) + "}";
        var created = h.post("/v1/tenants/" + t + "/endpoints", "{\"url\":\"https://127.0.0.1:9/hook\",\"tls\":" + tls + "}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String keyBody = cert.privateKeyPkcs8Pem().split("\n")[1];
        JsonNode e = created.json();
        assertThat(e.get("tls").get("client_certificate").stringValue()).isEqualTo(cert.certificatePem());
        assertThat(e.get("tls").get("ca_certificates").stringValue()).isEqualTo(ca.certificatePem());
        assertThat(e.get("tls").has("client_key")).isFalse();
        assertThat(created.text()).doesNotContain(keyBody);
        assertThat(h.get(path(t, e)).text()).doesNotContain(keyBody).contains("client_certificate");
        assertThat(h.get("/v1/tenants/" + t + "/endpoints").text()).doesNotContain(keyBody);
        // a PATCH of another field keeps the stored key (else the pair would be refused as incomplete)
        var patched = h.patch(path(t, e), "{\"description\":\"still mTLS\"}");
        assertThat(patched.status()).as(patched.text()).isEqualTo(200);
        assertThat(patched.text()).doesNotContain(keyBody);
        assertThat(patched.json().get("tls").get("client_certificate").stringValue()).isEqualTo(cert.certificatePem());
        var rotated = h.post(path(t, e) + "/rotate-secret", "");
        assertThat(rotated.text()).doesNotContain(keyBody);
    }

    @Test
    void patchedFieldReplacesAndOthersStay() {
        String t = tenant("ep.p");
        JsonNode e = create(t, "{\"url\":\"" + URL + "\",\"description\":\"before\",\"event_types\":[\"ep.p\"],"
                + "\"headers\":{\"X-A\":\"1\",\"X-B\":\"2\"},\"retry\":{\"max_attempts\":5,\"horizon_ms\":3600000,\"on\":\"5xx\"}}");
        JsonNode p = patch(t, e, "{\"description\":\"after\"}");
        assertThat(p.get("description").stringValue()).isEqualTo("after");
        assertThat(p.get("event_types")).isEqualTo(e.get("event_types"));
        assertThat(p.get("headers")).isEqualTo(e.get("headers"));
        assertThat(p.get("retry")).isEqualTo(e.get("retry"));
        assertThat(p.get("id")).isEqualTo(e.get("id"));
        assertThat(p.get("created_at")).isEqualTo(e.get("created_at"));
        // objects are replaced whole, not merged key by key
        p = patch(t, e, "{\"headers\":{\"X-C\":\"3\"}}");
        assertThat(p.get("headers")).isEqualTo(Json.parse("{\"X-C\":\"3\"}"));
        p = patch(t, e, "{\"retry\":{\"max_attempts\":4}}");
        assertThat(p.get("retry")).isEqualTo(Json.parse(
                "{\"policy\":\"polynomial\",\"max_attempts\":4,\"horizon_ms\":2592000000,\"on\":\"non_2xx\"}"));
        assertThat(h.get(path(t, e)).json()).isEqualTo(p);
    }

    @Test
    void patchNullResetsToDefault() {
        String t = tenant("ep.n");
        JsonNode e = create(t, "{\"url\":\"" + URL + "\",\"description\":\"d\",\"event_types\":[\"ep.n\"],\"timeout_ms\":500,"
                + "\"batch\":{\"max_events\":5,\"window_ms\":200},\"retry\":{\"max_attempts\":2},\"headers\":{\"X-A\":\"1\"},"
                + "\"status\":\"paused\",\"max_concurrency\":2}");
        JsonNode p = patch(t, e, "{\"description\":null,\"event_types\":null,\"timeout_ms\":null,\"batch\":null,\"retry\":null,"
                + "\"headers\":null,\"status\":null,\"max_concurrency\":null}");
        assertThat(p.get("description").stringValue()).isEmpty();
        assertThat(p.get("event_types").size()).isZero();
        assertThat(p.get("timeout_ms").longValue()).isEqualTo(10_000);
        assertThat(p.get("batch")).isEqualTo(Json.parse("{\"max_events\":100,\"window_ms\":1000}"));
        assertThat(p.get("retry")).isEqualTo(Json.parse(
                "{\"policy\":\"polynomial\",\"max_attempts\":26,\"horizon_ms\":2592000000,\"on\":\"non_2xx\"}"));
        assertThat(p.get("headers")).isEqualTo(Json.object());
        assertThat(p.get("status").stringValue()).isEqualTo("active");
        assertThat(p.get("max_concurrency").intValue()).isEqualTo(8);
        // url has no default
        assertInvalid(h.patch(path(t, e), "{\"url\":null}"), "url");
    }

    @Test
    void changingFormatResetsBatchAndRetry() {
        String t = tenant();
        JsonNode e = create(t, "{\"url\":\"" + URL + "\",\"batch\":{\"max_events\":5,\"window_ms\":200},"
                + "\"retry\":{\"max_attempts\":4,\"horizon_ms\":3600000}}");
        JsonNode p = patch(t, e, "{\"format\":\"event\"}");
        assertThat(p.get("format").stringValue()).isEqualTo("event");
        assertThat(p.has("batch")).isFalse();
        assertThat(p.get("retry")).isEqualTo(Json.parse(
                "{\"policy\":\"exponential\",\"max_attempts\":3,\"initial_delay_ms\":60000,\"on\":\"5xx\"}"));
        p = patch(t, e, "{\"format\":\"batch\"}");
        assertThat(p.get("batch")).isEqualTo(Json.parse("{\"max_events\":100,\"window_ms\":1000}"));
        assertThat(p.get("retry")).isEqualTo(Json.parse(
                "{\"policy\":\"polynomial\",\"max_attempts\":26,\"horizon_ms\":2592000000,\"on\":\"non_2xx\"}"));
        // with retry named, that retry is used
        p = patch(t, e, "{\"format\":\"event\",\"retry\":{\"max_attempts\":2,\"initial_delay_ms\":1000}}");
        assertThat(p.get("retry")).isEqualTo(Json.parse(
                "{\"policy\":\"exponential\",\"max_attempts\":2,\"initial_delay_ms\":1000,\"on\":\"5xx\"}"));
        // the same format again changes nothing
        JsonNode same = patch(t, e, "{\"format\":\"event\"}");
        assertThat(same.get("retry")).isEqualTo(p.get("retry"));
    }

    @Test
    void secretInPatchIs422AndChangesNothing() {
        String t = tenant();
        JsonNode e = create(t, "{\"url\":\"" + URL + "\",\"description\":\"keep\"}");
        String other = "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32]);
        assertInvalid(h.patch(path(t, e), "{\"secret\":\"" + other + "\",\"description\":\"changed\"}"), "secret");
        assertInvalid(h.patch(path(t, e), "{\"secret\":null}"), "secret");
        assertThat(h.get(path(t, e)).json().get("description").stringValue()).isEqualTo("keep");
        // the secret did not change: a rotation shows the previous one expiring, and it is not `other`
        assertThat(h.post(path(t, e) + "/rotate-secret", "").json().get("secret").stringValue()).isNotEqualTo(other);
    }

    @Test
    void invalidPatchChangesNothing() {
        String t = tenant();
        JsonNode e = create(t, "{\"url\":\"" + URL + "\"}");
        assertInvalid(h.patch(path(t, e), "{\"description\":\"x\",\"timeout_ms\":5}"), "timeout_ms");
        assertInvalid(h.patch(path(t, e), "{\"batch\":{\"max_events\":0}}"), "batch.max_events");
        assertInvalid(h.patch(path(t, e), "{\"format\":\"event\",\"batch\":{\"max_events\":5}}"), "batch");
        assertInvalid(h.patch(path(t, e), "{\"colour\":\"red\"}"), "colour");
        JsonNode now = h.get(path(t, e)).json();
        assertThat(now.get("description").stringValue()).isEmpty();
        assertThat(now.get("updated_at")).isEqualTo(e.get("updated_at"));
    }

    @Test
    void deleteThen404() {
        String t = tenant();
        JsonNode e = create(t, "{\"url\":\"" + URL + "\"}");
        var deleted = h.delete(path(t, e));
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(deleted.text()).isEmpty();
        assertProblem(h.get(path(t, e)), 404);
        assertProblem(h.delete(path(t, e)), 404);
        assertProblem(h.patch(path(t, e), "{\"description\":\"x\"}"), 404);
        assertProblem(h.post(path(t, e) + "/rotate-secret", ""), 404);
        assertThat(h.get("/v1/tenants/" + t + "/endpoints").json().get("data").size()).isZero();
        assertProblem(h.get("/v1/tenants/ep-no-such-tenant/endpoints"), 404);
        assertProblem(h.post("/v1/tenants/ep-no-such-tenant/endpoints", "{\"url\":\"" + URL + "\"}"), 404);
    }

    @Test
    void rotateSecretGivesANewSecretAndAn24hOverlap() {
        String t = tenant();
        JsonNode e = create(t, "{\"url\":\"" + URL + "\"}");
        var r = h.post(path(t, e) + "/rotate-secret", "");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        String secret = r.json().get("secret").stringValue();
        assertThat(secret).startsWith("whsec_").isNotEqualTo(e.get("secret").stringValue());
        Instant updated = Instant.parse(r.json().get("updated_at").stringValue());
        Instant expires = Instant.parse(r.json().get("previous_secret_expires_at").stringValue());
        assertThat(Duration.between(updated, expires)).isEqualTo(Duration.ofHours(24));
        assertThat(updated).isAfterOrEqualTo(Instant.parse(e.get("created_at").stringValue()));
        assertThat(h.get(path(t, e)).json().has("secret")).isFalse();
        // a second rotation gives yet another secret
        assertThat(h.post(path(t, e) + "/rotate-secret", "{}").json().get("secret").stringValue()).isNotEqualTo(secret);
    }

    @Test
    void rotateSecretWithAGivenSecret() {
        String t = tenant();
        JsonNode e = create(t, "{\"url\":\"" + URL + "\"}");
        String mine = "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[40]);
        var r = h.post(path(t, e) + "/rotate-secret", "{\"secret\":\"" + mine + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().get("secret").stringValue()).isEqualTo(mine);
        assertInvalid(h.post(path(t, e) + "/rotate-secret", "{\"secret\":\"nope\"}"), "secret");
        assertInvalid(h.post(path(t, e) + "/rotate-secret", "{\"secret\":\"whsec_"
                + java.util.Base64.getEncoder().encodeToString(new byte[23]) + "\"}"), "secret");
        assertInvalid(h.post(path(t, e) + "/rotate-secret", "{\"secret\":42}"), "secret");
        assertInvalid(h.post(path(t, e) + "/rotate-secret", "{\"secrets\":\"" + mine + "\"}"), "secrets");
        assertInvalid(h.post(path(t, e) + "/rotate-secret", "[]"), "body");
        assertProblem(h.post(path(t, e) + "/rotate-secret", "{\"secret\":"), 400);
        // the refused rotations changed nothing: the next rotation's previous secret is still `mine`'s successor
        var after = h.post(path(t, e) + "/rotate-secret", "{\"secret\":\"" + mine + "\"}");
        assertThat(after.status()).isEqualTo(200);
    }

    @Test
    void resettingFormatToItsDefaultAlsoResetsBatchAndRetry() {
        String t = tenant();
        JsonNode e = create(t, "{\"url\":\"" + URL + "\",\"format\":\"event\"}");
        JsonNode reset = patch(t, e, "{\"format\":null}");
        assertThat(reset.get("format").stringValue()).isEqualTo("batch");
        assertThat(reset.get("batch").get("max_events").intValue()).isEqualTo(100);
        assertThat(reset.get("retry").get("policy").stringValue()).isEqualTo("polynomial");
        assertThat(reset.get("retry").get("on").stringValue()).isEqualTo("non_2xx");
    }

    @Test
    void aNulCharacterInAStringIsRefusedOnEveryStore() {
        String t = tenant();
        assertInvalid(h.post("/v1/tenants/" + t + "/endpoints", "{\"url\":\"" + URL + "\",\"description\":\"a\\u0000b\"}"),
                "description");
        assertInvalid(h.post("/v1/tenants", "{\"id\":\"nul-tenant\",\"name\":\"x\\u0000\"}"), "name");
    }
}
