package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The README's walk-through, on both databases: tenant, event type, endpoint, publish. */
class WalkThroughTest {
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void tenantEventTypeEndpointAndPublish(String database) {
        try (TestHerald h = database.equals("sqlite") ? TestHerald.sqlite() : TestHerald.postgres()) {
            assertThat(h.post("/v1/tenants", "{\"id\":\"acme\",\"name\":\"Acme\"}").status()).isEqualTo(201);
            assertThat(h.post("/v1/event-types", "{\"name\":\"order.paid\",\"description\":\"\"}").status()).isEqualTo(201);
            var endpoint = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"http://127.0.0.1:9/hook\",\"event_types\":[\"order.paid\"]}");
            assertThat(endpoint.status()).isEqualTo(201);
            assertThat(endpoint.json().get("secret").stringValue()).startsWith("whsec_");

            var published = h.post("/v1/tenants/acme/events", "{\"id\":\"evt-1\",\"type\":\"order.paid\",\"data\":{\"amount\":42}}");
            assertThat(published.status()).isEqualTo(202);
            assertThat(published.json().get("id").stringValue()).isEqualTo("evt-1");

            var again = h.post("/v1/tenants/acme/events", "{\"id\":\"evt-1\",\"type\":\"order.paid\",\"data\":{\"amount\":43}}");
            assertThat(again.status()).isEqualTo(202);
            assertThat(again.json().get("created_at")).isEqualTo(published.json().get("created_at"));
            assertThat(h.get("/readyz").status()).isEqualTo(200);
        }
    }
}
