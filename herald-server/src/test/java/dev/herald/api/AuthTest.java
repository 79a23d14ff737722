package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Who may do what: no token, a bad token, the admin, a tenant key on its own and on another tenant. */
class AuthTest {
    private static final String ENDPOINT = "{\"url\":\"http://127.0.0.1:9/hook\"}";
    private static TestHerald h;

    @BeforeAll
    static void start() {
        h = TestHerald.sqlite();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    private static String keyOf(String tenant) {
        var r = h.post("/v1/tenants/" + tenant + "/keys", "");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        String key = r.json().get("key").stringValue();
        assertThat(key).isNotBlank();
        return key;
    }

    @Test
    void withoutAuthorizationHeaderIs401() {
        h.seed("auth-none");
        for (String path : new String[] {"/v1/tenants", "/v1/event-types", "/v1/tenants/auth-none/endpoints",
                "/v1/tenants/auth-none/deliveries"}) {
            assertProblem(h.send("GET", path, null, null), 401);
        }
        assertProblem(h.send("POST", "/v1/tenants", "{\"id\":\"auth-none-2\",\"name\":\"x\"}", null), 401);
        assertThat(h.get("/v1/tenants/auth-none-2").status()).isEqualTo(404);
    }

    @Test
    void wrongTokenIs401() {
        h.seed("auth-wrong");
        assertProblem(h.send("GET", "/v1/tenants", null, "not-the-admin"), 401);
        assertProblem(h.send("GET", "/v1/tenants", null, TestHerald.ADMIN + "x"), 401);
        assertProblem(h.send("GET", "/v1/tenants/auth-wrong/endpoints", null, "hk_doesnotexist"), 401);
        String key = keyOf("auth-wrong");
        assertProblem(h.send("GET", "/v1/tenants/auth-wrong/endpoints", null, key + "x"), 401);
    }

    @Test
    void malformedHeaderIs401() {
        for (String header : new String[] {"Basic " + TestHerald.ADMIN, TestHerald.ADMIN, "Bearer", "Bearer ", "Bearer    ",
                "Token " + TestHerald.ADMIN}) {
            var r = raw(header);
            assertThat(r.statusCode()).as(header).isEqualTo(401);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        }
    }

    private static java.net.http.HttpResponse<String> raw(String authorization) {
        try {
            var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(h.baseUrl() + "/v1/tenants"))
                    .header("Authorization", authorization).GET().build();
            return java.net.http.HttpClient.newHttpClient().send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void adminMayDoEverything() {
        h.seed("auth-admin", "auth.admin.type");
        assertThat(h.get("/v1/tenants").status()).isEqualTo(200);
        assertThat(h.get("/v1/tenants/auth-admin").status()).isEqualTo(200);
        assertThat(h.get("/v1/event-types").status()).isEqualTo(200);
        assertThat(h.post("/v1/tenants/auth-admin/keys", "").status()).isEqualTo(201);
        var created = h.post("/v1/tenants/auth-admin/endpoints", ENDPOINT);
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("id").stringValue();
        String base = "/v1/tenants/auth-admin/endpoints/";
        assertThat(h.get("/v1/tenants/auth-admin/endpoints").status()).isEqualTo(200);
        assertThat(h.get(base + id).status()).isEqualTo(200);
        assertThat(h.patch(base + id, "{\"description\":\"d\"}").status()).isEqualTo(200);
        assertThat(h.post(base + id + "/rotate-secret", "").status()).isEqualTo(200);
        assertThat(h.post("/v1/tenants/auth-admin/events", "{\"type\":\"auth.admin.type\",\"data\":{}}").status()).isEqualTo(202);
        assertThat(h.post("/v1/tenants/auth-admin/events/bulk", "{\"events\":[{\"type\":\"auth.admin.type\",\"data\":{}}]}").status())
                .isEqualTo(202);
        assertThat(h.get("/v1/tenants/auth-admin/deliveries").status()).isEqualTo(200);
        assertThat(h.delete(base + id).status()).isEqualTo(204);
        assertThat(h.delete("/v1/tenants/auth-admin").status()).isEqualTo(204);
    }

    @Test
    void tenantKeyManagesItsOwnEndpointsAndReadsItsDeliveries() {
        h.seed("auth-own");
        String key = keyOf("auth-own");
        String base = "/v1/tenants/auth-own/endpoints";
        var created = h.send("POST", base, ENDPOINT, key);
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.json().get("secret").stringValue()).startsWith("whsec_");
        String id = created.json().get("id").stringValue();
        var list = h.send("GET", base, null, key);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("data").size()).isEqualTo(1);
        assertThat(h.send("GET", base + "/" + id, null, key).status()).isEqualTo(200);
        var patched = h.send("PATCH", base + "/" + id, "{\"description\":\"by key\"}", key);
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().get("description").stringValue()).isEqualTo("by key");
        var rotated = h.send("POST", base + "/" + id + "/rotate-secret", null, key);
        assertThat(rotated.status()).isEqualTo(200);
        assertThat(rotated.json().get("secret").stringValue()).isNotEqualTo(created.json().get("secret").stringValue());
        var deliveries = h.send("GET", "/v1/tenants/auth-own/deliveries", null, key);
        assertThat(deliveries.status()).isEqualTo(200);
        assertThat(deliveries.json().get("data").isArray()).isTrue();
        assertProblem(h.send("GET", "/v1/tenants/auth-own/deliveries/no-such-delivery", null, key), 404);
        assertThat(h.send("DELETE", base + "/" + id, null, key).status()).isEqualTo(204);
        assertProblem(h.send("GET", base + "/" + id, null, key), 404);
    }

    @Test
    void anotherTenantsPathsAnswer404ForATenantKey() {
        h.seed("auth-mine");
        h.seed("auth-theirs");
        String mine = keyOf("auth-mine");
        var theirs = h.post("/v1/tenants/auth-theirs/endpoints", ENDPOINT);
        String id = theirs.json().get("id").stringValue();
        String base = "/v1/tenants/auth-theirs/endpoints";
        assertProblem(h.send("GET", base, null, mine), 404);
        assertProblem(h.send("POST", base, ENDPOINT, mine), 404);
        assertProblem(h.send("GET", base + "/" + id, null, mine), 404);
        assertProblem(h.send("PATCH", base + "/" + id, "{\"description\":\"x\"}", mine), 404);
        assertProblem(h.send("POST", base + "/" + id + "/rotate-secret", null, mine), 404);
        assertProblem(h.send("DELETE", base + "/" + id, null, mine), 404);
        assertProblem(h.send("GET", "/v1/tenants/auth-theirs/deliveries", null, mine), 404);
        assertProblem(h.send("GET", "/v1/tenants/auth-theirs/deliveries/x", null, mine), 404);
        assertProblem(h.send("POST", "/v1/tenants/auth-theirs/deliveries/x/retry", null, mine), 404);
        // the same answer as for a tenant that does not exist
        assertProblem(h.send("GET", "/v1/tenants/auth-nobody/endpoints", null, mine), 404);
        // the other tenant's endpoint is untouched
        var still = h.get(base + "/" + id);
        assertThat(still.status()).isEqualTo(200);
        assertThat(still.json().get("description").stringValue()).isEmpty();
        // and its endpoint is not reachable under the key's own tenant either
        assertProblem(h.send("GET", "/v1/tenants/auth-mine/endpoints/" + id, null, mine), 404);
    }

    @Test
    void publishingWithATenantKeyIs403() {
        h.seed("auth-pub", "auth.pub.type");
        String key = keyOf("auth-pub");
        assertProblem(h.send("POST", "/v1/tenants/auth-pub/events", "{\"type\":\"auth.pub.type\",\"data\":{}}", key), 403);
        assertProblem(h.send("POST", "/v1/tenants/auth-pub/events/bulk",
                "{\"events\":[{\"type\":\"auth.pub.type\",\"data\":{}}]}", key), 403);
        Long events = h.herald().database().read(c -> {
            try (var s = c.prepareStatement("SELECT COUNT(*) FROM events WHERE tenant_id = 'auth-pub'"); var rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
        assertThat(events).isZero();
    }

    @Test
    void adminOnlyRoutesAre403ForATenantKey() {
        h.seed("auth-adm");
        String key = keyOf("auth-adm");
        assertProblem(h.send("GET", "/v1/tenants", null, key), 403);
        assertProblem(h.send("POST", "/v1/tenants", "{\"id\":\"auth-adm-new\",\"name\":\"x\"}", key), 403);
        assertProblem(h.send("GET", "/v1/tenants/auth-adm", null, key), 403);
        assertProblem(h.send("DELETE", "/v1/tenants/auth-adm", null, key), 403);
        assertProblem(h.send("POST", "/v1/tenants/auth-adm/keys", "", key), 403);
        assertThat(h.send("GET", "/v1/event-types", null, key).status()).as("the catalogue is readable by every principal").isEqualTo(200);
        assertProblem(h.send("POST", "/v1/event-types", "{\"name\":\"auth.adm.new\",\"description\":\"\"}", key), 403);
        assertThat(h.get("/v1/tenants/auth-adm").status()).isEqualTo(200);
        assertThat(h.get("/v1/tenants/auth-adm-new").status()).isEqualTo(404);
    }

    @Test
    void aDeletedTenantsKeyNoLongerWorks() {
        h.seed("auth-gone");
        String key = keyOf("auth-gone");
        assertThat(h.send("GET", "/v1/tenants/auth-gone/endpoints", null, key).status()).isEqualTo(200);
        assertThat(h.delete("/v1/tenants/auth-gone").status()).isEqualTo(204);
        assertProblem(h.send("GET", "/v1/tenants/auth-gone/endpoints", null, key), 401);
    }
}
