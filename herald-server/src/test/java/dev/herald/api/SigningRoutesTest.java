package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertInvalid;
import static dev.herald.api.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The {@code signing} field, ed25519 keys in the API's answers, and revealing an endpoint's key. */
class SigningRoutesTest {
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

    private static String tenant() {
        String t = "sign-" + TENANTS.incrementAndGet();
        h.seed(t);
        return t;
    }

    private static JsonNode create(String tenant, String settings) {
        var r = h.post("/v1/tenants/" + tenant + "/endpoints", "{\"url\":\"" + URL + "\"" + settings + "}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.text()).doesNotContain("whsk_");
        return r.json();
    }

    private static String path(String tenant, JsonNode endpoint) {
        return "/v1/tenants/" + tenant + "/endpoints/" + endpoint.get("id").stringValue();
    }

    @Test
    void anEd25519EndpointShowsItsPublicKeyOnCreationAndItsSchemeEverywhere() {
        String t = tenant();
        JsonNode e = create(t, ",\"signing\":\"ed25519\"");

        assertThat(e.get("signing").stringValue()).isEqualTo("ed25519");
        assertThat(e.has("secret")).isFalse();
        String publicKey = e.get("public_key").stringValue();
        assertThat(publicKey).startsWith("whpk_");
        assertThat(Base64.getDecoder().decode(publicKey.substring(5))).hasSize(32);
        JsonNode got = h.get(path(t, e)).json();
        assertThat(got.get("signing").stringValue()).isEqualTo("ed25519");
        assertThat(got.has("public_key")).as("shown on creation, rotation and GET …/secret only").isFalse();
        assertThat(h.get("/v1/tenants/" + t + "/endpoints").json().get("data").get(0).get("signing").stringValue())
                .isEqualTo("ed25519");
        assertThat(create(t, "").get("signing").stringValue()).as("the default").isEqualTo("hmac-sha256");
        assertThat(create(t, ",\"signing\":\"hmac-sha256\"").get("secret").stringValue()).startsWith("whsec_");
        assertThat(create(t, ",\"signing\":\"ed25519\",\"secret\":null").has("public_key")).isTrue();
    }

    @Test
    void aSecretWithEd25519AndAnUnknownSchemeAreRefused() {
        String t = tenant();
        String secret = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);
        var withSecret = h.post("/v1/tenants/" + t + "/endpoints", "{\"url\":\"" + URL + "\",\"signing\":\"ed25519\","
                + "\"secret\":\"" + secret + "\"}");
        assertInvalid(withSecret, "secret");
        assertThat(withSecret.json().get("detail").stringValue()).contains("ed25519").contains("Herald makes the key pair")
                .doesNotContain(secret);
        var unknown = h.post("/v1/tenants/" + t + "/endpoints", "{\"url\":\"" + URL + "\",\"signing\":\"rsa\"}");
        assertInvalid(unknown, "signing");
        assertThat(unknown.json().get("detail").stringValue()).contains("\"hmac-sha256\", \"ed25519\"");
        assertInvalid(h.post("/v1/tenants/" + t + "/endpoints", "{\"url\":\"" + URL + "\",\"signing\":42}"), "signing");
        JsonNode e = create(t, "");
        assertInvalid(h.patch(path(t, e), "{\"signing\":\"HMAC\"}"), "signing");
        assertThat(h.get("/v1/tenants/" + t + "/endpoints").json().get("data").size()).as("nothing was created").isEqualTo(1);

        JsonNode ed = create(t, ",\"signing\":\"ed25519\"");
        var rotateWithSecret = h.post(path(t, ed) + "/rotate-secret", "{\"secret\":\"" + secret + "\"}");
        assertInvalid(rotateWithSecret, "secret");
        assertThat(rotateWithSecret.text()).doesNotContain(secret);
        assertThat(h.get(path(t, ed) + "/secret").json().get("public_key").stringValue())
                .as("the refused rotation changed nothing").isEqualTo(ed.get("public_key").stringValue());
    }

    @Test
    void revealingAnHmacSecretShowsThePreviousOneOnlyWhileItSigns() {
        String t = tenant();
        JsonNode e = create(t, "");

        JsonNode before = h.get(path(t, e) + "/secret").json();
        assertThat(before.propertyNames()).containsExactly("signing", "secret", "previous_secret", "previous_secret_expires_at");
        assertThat(before.get("signing").stringValue()).isEqualTo("hmac-sha256");
        assertThat(before.get("secret").stringValue()).isEqualTo(e.get("secret").stringValue());
        assertThat(before.get("previous_secret").isNull()).isTrue();
        assertThat(before.get("previous_secret_expires_at").isNull()).isTrue();

        JsonNode rotated = h.post(path(t, e) + "/rotate-secret", "").json();
        JsonNode during = h.get(path(t, e) + "/secret").json();
        assertThat(during.get("secret").stringValue()).isEqualTo(rotated.get("secret").stringValue());
        assertThat(during.get("previous_secret").stringValue()).isEqualTo(e.get("secret").stringValue());
        assertThat(during.get("previous_secret_expires_at").stringValue())
                .isEqualTo(rotated.get("previous_secret_expires_at").stringValue());
        assertThat(rotated.has("previous_secret")).as("the HMAC rotation's answer is as it was").isFalse();
    }

    @Test
    void revealingAnEd25519KeyShowsPublicKeysOnlyAndRotationKeepsTheOldOneForADay() {
        String t = tenant();
        JsonNode e = create(t, ",\"signing\":\"ed25519\"");
        JsonNode first = h.get(path(t, e) + "/secret").json();
        assertThat(first.propertyNames()).containsExactly("signing", "public_key", "previous_public_key",
                "previous_public_key_expires_at");
        assertThat(first.get("public_key").stringValue()).isEqualTo(e.get("public_key").stringValue());
        assertThat(first.get("previous_public_key").isNull()).isTrue();

        var r = h.post(path(t, e) + "/rotate-secret", "{}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode rotated = r.json();
        assertThat(rotated.get("signing").stringValue()).isEqualTo("ed25519");
        assertThat(rotated.has("secret")).isFalse();
        assertThat(rotated.get("previous_public_key").stringValue()).isEqualTo(e.get("public_key").stringValue());
        Instant expires = Instant.parse(rotated.get("previous_public_key_expires_at").stringValue());
        assertThat(Duration.between(Instant.parse(rotated.get("updated_at").stringValue()), expires)).isEqualTo(Duration.ofHours(24));
        JsonNode during = h.get(path(t, e) + "/secret").json();
        assertThat(during.get("public_key").stringValue()).isEqualTo(rotated.get("public_key").stringValue())
                .isNotEqualTo(e.get("public_key").stringValue());
        assertThat(during.get("previous_public_key").stringValue()).isEqualTo(e.get("public_key").stringValue());
        assertThat(during.get("previous_public_key_expires_at").stringValue()).isEqualTo(expires.toString());
        assertThat(h.get(path(t, e) + "/secret").text()).doesNotContain("whsk_");
    }

    @Test
    void theSecretIsRevealedToWritersOfItsTenantOnly() {
        String t = tenant();
        String other = tenant();
        JsonNode e = create(t, "");
        String secret = path(t, e) + "/secret";
        String key = h.post("/v1/tenants/" + t + "/keys", "{}").json().get("key").stringValue();
        String session = h.post("/v1/tenants/" + t + "/portal-sessions", "{}").json().get("token").stringValue();
        String readOnly = h.post("/v1/tenants/" + t + "/portal-sessions", "{\"read_only\":true}").json().get("token").stringValue();
        String othersKey = h.post("/v1/tenants/" + other + "/keys", "{}").json().get("key").stringValue();

        for (String token : new String[] {TestHerald.ADMIN, key, session}) {
            var r = h.send("GET", secret, null, token);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.json().get("secret").stringValue()).isEqualTo(e.get("secret").stringValue());
        }
        var refused = h.send("GET", secret, null, readOnly);
        assertProblem(refused, 403);
        assertThat(refused.json().get("detail").stringValue()).contains("read-only").contains("not reveal");
        assertThat(refused.text()).doesNotContain(e.get("secret").stringValue());
        assertThat(h.send("GET", path(t, e), null, readOnly).status()).as("the endpoint itself it may read").isEqualTo(200);
        assertProblem(h.send("GET", secret, null, othersKey), 404);
        assertProblem(h.send("GET", "/v1/tenants/" + other + "/endpoints/" + e.get("id").stringValue() + "/secret", null,
                othersKey), 404);
        assertProblem(h.get("/v1/tenants/" + other + "/endpoints/" + e.get("id").stringValue() + "/secret"), 404);
        assertProblem(h.send("GET", secret, null, null), 401);
    }
}
