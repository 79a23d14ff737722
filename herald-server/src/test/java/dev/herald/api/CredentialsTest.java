package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.SettableClock;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Tenant keys (listed, revoked), portal sessions (minted, read-only, expiring, revoked), and who a token is. */
class CredentialsTest {
    private static final SettableClock clock = new SettableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    private static TestHerald h;

    @BeforeAll
    static void start() {
        h = TestHerald.builder().clock(clock).set("HERALD_PUBLIC_URL", "https://hooks.example.com").start();
        h.seed("acme", "t");
        h.seed("globex", "t");
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    private static JsonNode newKey(String tenant) {
        var created = h.post("/v1/tenants/" + tenant + "/keys", null);
        assertThat(created.status()).isEqualTo(201);
        return created.json();
    }

    @Test
    void aKeyIsShownOnceListedByItsPrefixAndRevokedAtOnce() {
        JsonNode key = newKey("acme");
        String token = key.get("key").stringValue();
        assertThat(token).startsWith("hk_");
        assertThat(key.get("id").stringValue()).startsWith("key_");
        assertThat(key.get("created_at").stringValue()).isNotBlank();

        assertThat(h.send("GET", "/v1/tenants/acme/endpoints", null, token).status()).isEqualTo(200);
        JsonNode listed = h.get("/v1/tenants/acme/keys").json().get("data");
        JsonNode mine = listed.valueStream().filter(k -> k.get("id").equals(key.get("id"))).findFirst().orElseThrow();
        assertThat(mine.get("prefix").stringValue()).isEqualTo(token.substring(0, 8));
        assertThat(mine.get("last_used_at").isNull()).as("used just now").isFalse();
        assertThat(h.get("/v1/tenants/acme/keys").text()).doesNotContain(token);

        assertThat(h.delete("/v1/tenants/acme/keys/" + key.get("id").stringValue()).status()).isEqualTo(204);

        assertProblem(h.send("GET", "/v1/tenants/acme/endpoints", null, token), 401);
        assertProblem(h.delete("/v1/tenants/acme/keys/" + key.get("id").stringValue()), 404);
        assertProblem(h.delete("/v1/tenants/globex/keys/" + newKey("acme").get("id").stringValue()), 404);
    }

    @Test
    void onlyTheAdminManagesKeysAndSessions() {
        String key = newKey("acme").get("key").stringValue();
        for (String[] route : new String[][] {{"GET", "/v1/tenants/acme/keys"}, {"POST", "/v1/tenants/acme/keys"},
                {"POST", "/v1/tenants/acme/portal-sessions"}, {"GET", "/v1/tenants/acme/portal-sessions"},
                {"PATCH", "/v1/tenants/acme"}}) {
            assertProblem(h.send(route[0], route[1], route[0].equals("GET") ? null : "{}", key), 403);
        }
    }

    @Test
    void aPortalSessionLinksToThePortalAndActsForItsTenantUntilItExpires() {
        var minted = h.post("/v1/tenants/acme/portal-sessions", "{\"expires_in_s\": 600}");
        assertThat(minted.status()).isEqualTo(201);
        String token = minted.json().get("token").stringValue();
        assertThat(token).startsWith("hps_");
        assertThat(minted.json().get("url").stringValue()).isEqualTo("https://hooks.example.com/portal#token=" + token);
        assertThat(minted.json().get("read_only").booleanValue()).isFalse();
        assertThat(Instant.parse(minted.json().get("expires_at").stringValue())).isEqualTo(clock.instant().plusSeconds(600));

        JsonNode me = h.send("GET", "/v1/me", null, token).json();
        assertThat(me.get("principal").stringValue()).isEqualTo("portal_session");
        assertThat(me.get("tenant_id").stringValue()).isEqualTo("acme");
        assertThat(me.get("expires_at").stringValue()).isEqualTo(minted.json().get("expires_at").stringValue());
        assertThat(h.send("POST", "/v1/tenants/acme/endpoints", "{\"url\":\"http://127.0.0.1:9/x\"}", token).status()).isEqualTo(201);
        assertProblem(h.send("GET", "/v1/tenants/globex/endpoints", null, token), 404);
        assertProblem(h.send("POST", "/v1/tenants/acme/events", "{\"type\":\"t\",\"data\":{}}", token), 403);
        assertThat(h.get("/v1/tenants/acme/portal-sessions").text()).contains(minted.json().get("id").stringValue())
                .doesNotContain(token);

        clock.tick(Duration.ofSeconds(601));

        var expired = h.send("GET", "/v1/me", null, token);
        assertProblem(expired, 401);
        assertThat(expired.json().get("detail").stringValue()).contains("expired or was revoked");
        assertThat(h.get("/v1/tenants/acme/portal-sessions").text()).doesNotContain(minted.json().get("id").stringValue());
    }

    @Test
    void aReadOnlySessionReadsButChangesNothing() {
        String token = h.post("/v1/tenants/acme/portal-sessions", "{\"read_only\": true}").json().get("token").stringValue();

        assertThat(h.send("GET", "/v1/me", null, token).json().get("read_only").booleanValue()).isTrue();
        assertThat(h.send("GET", "/v1/tenants/acme/endpoints", null, token).status()).isEqualTo(200);
        assertThat(h.send("GET", "/v1/tenants/acme/deliveries", null, token).status()).isEqualTo(200);
        assertThat(h.send("GET", "/v1/event-types", null, token).status()).isEqualTo(200);
        var refused = h.send("POST", "/v1/tenants/acme/endpoints", "{\"url\":\"http://127.0.0.1:9/x\"}", token);
        assertProblem(refused, 403);
        assertThat(refused.json().get("detail").stringValue()).contains("read-only");
    }

    @Test
    void aRevokedSessionIsRefusedAtOnce() {
        JsonNode minted = h.post("/v1/tenants/acme/portal-sessions", null).json();
        String token = minted.get("token").stringValue();
        assertThat(Instant.parse(minted.get("expires_at").stringValue())).as("an hour by default")
                .isEqualTo(clock.instant().plus(Duration.ofHours(1)));

        assertThat(h.delete("/v1/tenants/acme/portal-sessions/" + minted.get("id").stringValue()).status()).isEqualTo(204);

        assertProblem(h.send("GET", "/v1/me", null, token), 401);
        assertProblem(h.delete("/v1/tenants/acme/portal-sessions/ps_nothing"), 404);
    }

    @Test
    void aSessionLastsFromFiveMinutesToSevenDays() {
        for (String bad : new String[] {"299", "604801", "\"60\"", "1.5"}) {
            var r = h.post("/v1/tenants/acme/portal-sessions", "{\"expires_in_s\": " + bad + "}");
            assertProblem(r, 422);
            assertThat(r.json().get("field").stringValue()).isEqualTo("expires_in_s");
        }
        assertProblem(h.post("/v1/tenants/acme/portal-sessions", "{\"readonly\": true}"), 422);
        assertProblem(h.post("/v1/tenants/nobody/portal-sessions", null), 404);
    }

    @Test
    void meSaysWhoTheTokenIs() {
        JsonNode admin = h.get("/v1/me").json();
        assertThat(admin.get("principal").stringValue()).isEqualTo("admin");
        assertThat(admin.get("tenant_id").isNull()).isTrue();
        JsonNode key = h.send("GET", "/v1/me", null, newKey("globex").get("key").stringValue()).json();
        assertThat(key.get("principal").stringValue()).isEqualTo("tenant_key");
        assertThat(key.get("tenant_id").stringValue()).isEqualTo("globex");
        assertThat(key.get("read_only").booleanValue()).isFalse();
        assertProblem(h.send("GET", "/v1/me", null, null), 401);
    }

    @Test
    void theAdminRenamesATenant() {
        h.post("/v1/tenants", "{\"id\":\"renamed\",\"name\":\"Old\"}");

        var patched = h.patch("/v1/tenants/renamed", "{\"name\":\"New Name\"}");

        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().get("name").stringValue()).isEqualTo("New Name");
        assertThat(h.get("/v1/tenants/renamed").json().get("name").stringValue()).isEqualTo("New Name");
        assertProblem(h.patch("/v1/tenants/renamed", "{\"name\":\" \"}"), 422);
        assertProblem(h.patch("/v1/tenants/renamed", "{\"id\":\"x\"}"), 422);
        assertProblem(h.patch("/v1/tenants/nobody", "{\"name\":\"x\"}"), 404);
    }
}
