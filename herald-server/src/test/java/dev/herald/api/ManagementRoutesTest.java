package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertInvalid;
import static dev.herald.api.ApiAssertions.assertProblem;
import static dev.herald.api.ApiAssertions.quote;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** Tenants, tenant keys and event types: the admin's routes. */
class ManagementRoutesTest {
    private static TestHerald h;

    @BeforeAll
    static void start() {
        h = TestHerald.sqlite();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    private static List<String> allTenantIds() {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            var page = h.get("/v1/tenants?limit=250" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).isEqualTo(200);
            page.json().get("data").forEach(t -> ids.add(t.get("id").stringValue()));
            JsonNode next = page.json().get("next_cursor");
            cursor = next.isNull() ? null : next.stringValue();
        } while (cursor != null);
        return ids;
    }

    @Test
    void tenantCreateGetListDelete() {
        var created = h.post("/v1/tenants", "{\"id\":\"mgmt-acme\",\"name\":\"Acme Ltd\"}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Content-Type")).startsWith("application/json");
        assertThat(created.json().get("id").stringValue()).isEqualTo("mgmt-acme");
        assertThat(created.json().get("name").stringValue()).isEqualTo("Acme Ltd");
        assertThat(java.time.Instant.parse(created.json().get("created_at").stringValue())).isNotNull();

        var got = h.get("/v1/tenants/mgmt-acme");
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json()).isEqualTo(created.json());
        assertThat(allTenantIds()).contains("mgmt-acme");

        assertThat(h.delete("/v1/tenants/mgmt-acme").status()).isEqualTo(204);
        assertProblem(h.get("/v1/tenants/mgmt-acme"), 404);
        assertProblem(h.delete("/v1/tenants/mgmt-acme"), 404);
        assertThat(allTenantIds()).doesNotContain("mgmt-acme");
    }

    @Test
    void deletingATenantDeletesItsEndpoints() {
        h.seed("mgmt-cascade");
        var e = h.post("/v1/tenants/mgmt-cascade/endpoints", "{\"url\":\"http://127.0.0.1:9/hook\"}");
        assertThat(e.status()).isEqualTo(201);
        assertThat(h.delete("/v1/tenants/mgmt-cascade").status()).isEqualTo(204);
        h.seed("mgmt-cascade");
        assertThat(h.get("/v1/tenants/mgmt-cascade/endpoints").json().get("data").size()).isZero();
    }

    @Test
    void duplicateTenantIdIs409AndKeepsTheFirst() {
        assertThat(h.post("/v1/tenants", "{\"id\":\"mgmt-dup\",\"name\":\"First\"}").status()).isEqualTo(201);
        assertProblem(h.post("/v1/tenants", "{\"id\":\"mgmt-dup\",\"name\":\"Second\"}"), 409);
        assertThat(h.get("/v1/tenants/mgmt-dup").json().get("name").stringValue()).isEqualTo("First");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-starts-with-dash", ".dot", "_under", "has space", "slash/inside", "ümlaut", "semi;colon",
            "a23456789012345678901234567890123456789012345678901234567890123456789"})
    void tenantIdRule(String id) {
        assertInvalid(h.post("/v1/tenants", "{\"id\":" + quote(id) + ",\"name\":\"n\"}"), "id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "A9", "9-lives", "a.b_c-d", "a234567890123456789012345678901234567890123456789012345678901234"})
    void tenantIdsThatFollowTheRule(String id) {
        var r = h.post("/v1/tenants", "{\"id\":" + quote(id) + ",\"name\":\"n\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(h.get("/v1/tenants/" + id).json().get("id").stringValue()).isEqualTo(id);
    }

    @Test
    void tenantFieldsAreRequiredAndTyped() {
        assertInvalid(h.post("/v1/tenants", "{\"name\":\"n\"}"), "id");
        assertInvalid(h.post("/v1/tenants", "{\"id\":\"mgmt-noname\"}"), "name");
        assertInvalid(h.post("/v1/tenants", "{\"id\":42,\"name\":\"n\"}"), "id");
        assertInvalid(h.post("/v1/tenants", "{\"id\":\"mgmt-x\",\"name\":[]}"), "name");
        assertInvalid(h.post("/v1/tenants", "{\"id\":\"mgmt-x\",\"name\":\"   \"}"), "name");
        assertInvalid(h.post("/v1/tenants", "{\"id\":\"mgmt-x\",\"name\":\"\"}"), "name");
        assertInvalid(h.post("/v1/tenants", "{\"id\":\"mgmt-x\",\"name\":" + quote("n".repeat(257)) + "}"), "name");
        assertInvalid(h.post("/v1/tenants", "{\"id\":\"mgmt-x\",\"name\":\"n\",\"colour\":\"red\"}"), "colour");
        assertProblem(h.get("/v1/tenants/mgmt-x"), 404);
        assertThat(h.post("/v1/tenants", "{\"id\":\"mgmt-x\",\"name\":" + quote("n".repeat(256)) + "}").status()).isEqualTo(201);
    }

    @Test
    void keysAreNewEachTimeAndOnlyForExistingTenants() {
        h.seed("mgmt-keys");
        var a = h.post("/v1/tenants/mgmt-keys/keys", "");
        var b = h.post("/v1/tenants/mgmt-keys/keys", "");
        assertThat(a.status()).isEqualTo(201);
        assertThat(b.status()).isEqualTo(201);
        String ka = a.json().get("key").stringValue();
        String kb = b.json().get("key").stringValue();
        assertThat(ka).isNotEqualTo(kb).hasSizeGreaterThan(32);
        // both keys work
        assertThat(h.send("GET", "/v1/tenants/mgmt-keys/endpoints", null, ka).status()).isEqualTo(200);
        assertThat(h.send("GET", "/v1/tenants/mgmt-keys/endpoints", null, kb).status()).isEqualTo(200);
        // stored only hashed: the key itself is nowhere in the database
        Long plain = h.herald().database().read(c -> {
            try (var s = c.prepareStatement("SELECT COUNT(*) FROM tenant_keys WHERE key_hash = ? OR key_hash = ?")) {
                s.setString(1, ka);
                s.setString(2, kb);
                try (var rs = s.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
        assertThat(plain).isZero();
        assertProblem(h.post("/v1/tenants/mgmt-nobody/keys", ""), 404);
    }
}
