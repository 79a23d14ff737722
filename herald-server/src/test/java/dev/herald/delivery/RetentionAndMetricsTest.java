package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.SettableClock;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

class RetentionAndMetricsTest {

    private static long count(TestHerald h, String table) {
        return h.herald().database().read(c -> {
            try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Test
    void deliveredDataIsPurgedAfterTheRetentionPeriodAndFailedDeliveriesAfterTheirs() throws Exception {
        SettableClock clock = new SettableClock(Instant.now());
        try (MockWebServer receiver = new MockWebServer();
             TestHerald h = TestHerald.builder().clock(clock).set("HERALD_RETENTION", "2d")
                     .set("HERALD_RETENTION_FAILED", "5d").start()) {
            receiver.enqueue(new MockResponse.Builder().code(200).build());
            receiver.enqueue(new MockResponse.Builder().code(400).build());
            receiver.start();
            h.seed("acme", "order.paid");
            h.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/hook") + "\",\"format\":\"event\"}");
            h.post("/v1/tenants/acme/events", "{\"id\":\"e1\",\"type\":\"order.paid\",\"data\":{}}");
            String delivered = receiver.takeRequest(10, TimeUnit.SECONDS).getHeaders().get("X-Webhook-Delivery");
            DeliveryTest.awaitStatus(h, delivered, "delivered");
            h.post("/v1/tenants/acme/events", "{\"id\":\"e2\",\"type\":\"order.paid\",\"data\":{}}");
            String failed = receiver.takeRequest(10, TimeUnit.SECONDS).getHeaders().get("X-Webhook-Delivery");
            DeliveryTest.awaitStatus(h, failed, "failed");

            clock.tick(Duration.ofDays(1));
            assertThat(h.herald().engine().purgeNow()).as("nothing is old enough yet").isZero();
            clock.tick(Duration.ofDays(1).plusMinutes(1));
            assertThat(h.herald().engine().purgeNow()).isEqualTo(3); // one delivery, two events
            assertThat(h.get("/v1/tenants/acme/deliveries/" + delivered).status()).isEqualTo(404);
            assertThat(h.get("/v1/tenants/acme/deliveries/" + failed).json().get("status").stringValue()).isEqualTo("failed");
            assertThat(count(h, "events")).isZero();
            assertThat(count(h, "attempts")).as("the failed delivery's attempt stays").isEqualTo(1);

            clock.tick(Duration.ofDays(3).minusMinutes(2));
            assertThat(h.herald().engine().purgeNow()).as("the failed delivery is not 5 days old yet").isZero();
            clock.tick(Duration.ofMinutes(2));
            assertThat(h.herald().engine().purgeNow()).isEqualTo(1);
            assertThat(h.get("/v1/tenants/acme/deliveries/" + failed).status()).isEqualTo(404);
            assertThat(count(h, "attempts")).isZero();
            assertThat(count(h, "delivery_events")).isZero();
        }
    }

    @Test
    void deliveryMetricsAreExposedWithBoundedLabels() throws Exception {
        try (MockWebServer receiver = new MockWebServer(); TestHerald h = TestHerald.sqlite()) {
            receiver.enqueue(new MockResponse.Builder().code(200).build());
            receiver.start();
            h.seed("acme", "order.paid");
            String endpoint = h.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/hook") + "\",\"format\":\"event\"}")
                    .json().get("id").stringValue();
            h.post("/v1/tenants/acme/events", "{\"type\":\"order.paid\",\"data\":{}}");
            DeliveryTest.awaitStatus(h, receiver.takeRequest(10, TimeUnit.SECONDS).getHeaders().get("X-Webhook-Delivery"), "delivered");
            String metrics = h.get("/metrics").text();
            assertThat(metrics).contains("herald_deliveries_attempts_total{outcome=\"delivered\"} 1.0",
                    "herald_attempt_duration_seconds_bucket", "herald_queue_waiting_events", "herald_queue_due_deliveries",
                    "herald_queue_retrying_deliveries", "herald_queue_oldest_due_age_seconds", "herald_leases_reclaimed_total");
            assertThat(metrics).doesNotContain(endpoint).doesNotContain("acme");
        }
    }
}
