package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What one tenant can make Herald do is bounded: at most HERALD_MAX_ENDPOINTS_PER_TENANT endpoints, and deleting
 * a large tenant or endpoint is immediate for the API while its rows are purged in the background.
 */
class DeletionAndLimitsTest {

    private static TestHerald start(String database) {
        return TestHerald.builder().set("HERALD_MAX_ENDPOINTS_PER_TENANT", "3")
                .databaseUrl(database.equals("postgresql") ? dev.herald.testing.Databases.freshPostgres() : null).start();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aTenantMayHaveAtMostTheConfiguredNumberOfEndpoints(String database) {
        try (TestHerald h = start(database)) {
            h.seed("acme", "t");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                var created = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"http://127.0.0.1:9/" + i + "\"}");
                assertThat(created.status()).isEqualTo(201);
                ids.add(created.json().get("id").stringValue());
            }

            var refused = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"http://127.0.0.1:9/4\"}");

            assertProblem(refused, 409);
            assertThat(refused.json().get("detail").stringValue()).contains("3 endpoints").contains("HERALD_MAX_ENDPOINTS_PER_TENANT");
            assertThat(h.delete("/v1/tenants/acme/endpoints/" + ids.getFirst()).status()).isEqualTo(204);
            assertThat(h.post("/v1/tenants/acme/endpoints", "{\"url\":\"http://127.0.0.1:9/5\"}").status())
                    .as("a deleted endpoint no longer counts").isEqualTo(201);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aDeletedTenantIsGoneAtOnceAndItsIdFreeOnceItsRowsArePurged(String database) {
        try (TestHerald h = start(database)) {
            h.seed("acme", "t");
            h.seed("globex", "t");
            String key = h.post("/v1/tenants/acme/keys", null).json().get("key").stringValue();
            // a paused endpoint collects: thousands of rows to purge
            h.post("/v1/tenants/acme/endpoints", "{\"url\":\"http://127.0.0.1:9/hook\",\"status\":\"paused\"}");
            StringBuilder bulk = new StringBuilder("{\"events\":[");
            for (int i = 0; i < 1000; i++) {
                bulk.append(i > 0 ? "," : "").append("{\"type\":\"t\",\"data\":{}}");
            }
            for (int b = 0; b < 3; b++) {
                assertThat(h.post("/v1/tenants/acme/events/bulk", bulk + "]}").status()).isEqualTo(202);
            }

            assertThat(h.delete("/v1/tenants/acme").status()).isEqualTo(204);

            assertThat(h.get("/v1/tenants/acme").status()).isEqualTo(404);
            assertThat(h.send("GET", "/v1/tenants/acme/endpoints", null, key).status()).as("its keys stop at once").isEqualTo(401);
            assertThat(h.post("/v1/tenants/acme/events", "{\"type\":\"t\",\"data\":{}}").status()).isEqualTo(404);
            var again = h.post("/v1/tenants", "{\"id\":\"acme\",\"name\":\"Acme again\"}");
            if (again.status() == 409) {
                assertThat(again.json().get("detail").stringValue()).contains("being deleted");
            }
            assertThat(h.post("/v1/tenants/globex/events", "{\"type\":\"t\",\"data\":{}}").status())
                    .as("another tenant publishes while the purge runs").isEqualTo(202);

            dev.herald.testing.Eventually.until("the deleted tenant's rows are purged in the background",
                    java.time.Duration.ofSeconds(30),
                    () -> count(h, "SELECT COUNT(*) FROM tenants WHERE deleted_at IS NOT NULL"), n -> n == 0);

            assertThat(count(h, "SELECT COUNT(*) FROM events WHERE tenant_id = 'acme'")).isZero();
            assertThat(count(h, "SELECT COUNT(*) FROM queue")).isZero();
            assertThat(count(h, "SELECT COUNT(*) FROM tenants WHERE id = 'acme'")).isEqualTo(again.status() == 201 ? 1 : 0);
            if (again.status() == 409) {
                assertThat(h.post("/v1/tenants", "{\"id\":\"acme\",\"name\":\"Acme again\"}").status()).isEqualTo(201);
            }
            assertThat(h.get("/v1/tenants/acme/deliveries").json().get("data")).isEmpty();
        }
    }

    private static long count(TestHerald h, String sql) {
        return h.herald().database().read(c -> {
            try (var rs = c.createStatement().executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
