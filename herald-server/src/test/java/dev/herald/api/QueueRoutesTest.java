package dev.herald.api;

import static dev.herald.api.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.time.Instant;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Queue health for operators (GET /v1/queue) and what one delivery sends (its event type and body). */
class QueueRoutesTest {

    @Test
    void theQueueShowsDueDeliveriesPerEndpointToTheAdminOnly() {
        try (TestHerald h = TestHerald.sqlite()) {
            h.seed("acme", "order.created");
            JsonNode empty = h.get("/v1/queue").json();
            assertThat(empty.get("due").intValue()).isZero();
            assertThat(empty.get("oldest_due_at").isNull()).isTrue();
            assertThat(empty.get("endpoints")).isEmpty();

            String id = h.post("/v1/tenants/acme/endpoints", "{\"url\": \"http://127.0.0.1:9/hooks\", \"format\": \"event\","
                    + " \"status\": \"paused\"}").json().get("id").stringValue();
            h.post("/v1/tenants/acme/events", "{\"type\": \"order.created\", \"data\": {\"n\": 1}}");
            h.post("/v1/tenants/acme/events", "{\"type\": \"order.created\", \"data\": {\"n\": 2}}");
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> h.get("/v1/queue").json().get("due").intValue() == 2);

            JsonNode q = h.get("/v1/queue").json();
            assertThat(q.get("pending").intValue()).isEqualTo(2);
            assertThat(q.get("retrying").intValue()).isZero();
            assertThat(Instant.parse(q.get("oldest_due_at").stringValue())).isBefore(Instant.now().plusSeconds(1));
            JsonNode e = q.get("endpoints").get(0);
            assertThat(e.get("tenant_id").stringValue()).isEqualTo("acme");
            assertThat(e.get("endpoint_id").stringValue()).isEqualTo(id);
            assertThat(e.get("url").stringValue()).isEqualTo("http://127.0.0.1:9/hooks");
            assertThat(e.get("status").stringValue()).isEqualTo("paused");
            assertThat(e.get("due").intValue()).isEqualTo(2);
            assertThat(e.get("pending").intValue()).isEqualTo(2);

            String key = h.post("/v1/tenants/acme/keys", null).json().get("key").stringValue();
            assertProblem(h.send("GET", "/v1/queue", null, key), 403);
            assertProblem(h.send("GET", "/v1/queue", null, null), 401);
            assertProblem(h.get("/v1/queue?limit=5"), 400);

            // one delivery shows what it sends: the same body on every attempt, and its X-Webhook-Event
            JsonNode listed = h.get("/v1/tenants/acme/deliveries").json().get("data").get(0);
            JsonNode d = h.get("/v1/tenants/acme/deliveries/" + listed.get("id").stringValue()).json();
            assertThat(d.get("event_type").stringValue()).isEqualTo("order.created");
            assertThat(d.get("body").get("event").stringValue()).isEqualTo("order.created");
            assertThat(d.get("body").get("delivery_key").stringValue()).isEqualTo(d.get("id").stringValue());
            assertThat(d.get("body").get("data").get("n").intValue()).isIn(1, 2);
            assertThat(listed.has("body")).as("lists stay small").isFalse();
        }
    }
}
