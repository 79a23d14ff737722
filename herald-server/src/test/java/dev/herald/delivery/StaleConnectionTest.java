package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Eventually;
import dev.herald.testing.HostileReceiver;
import dev.herald.testing.HostileReceiver.Behaviour;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A receiver that closes idle keep-alive connections (Node's HTTP server does after 5 s, many load balancers
 * after 60 s): the next delivery must not fail on the connection the receiver closed.
 */
class StaleConnectionTest {

    @Test
    void aRequestThatMeetsAConnectionTheReceiverClosedIsSentAgainOnAFreshOneWithinTheSameAttempt() throws Exception {
        try (TestHerald h = TestHerald.sqlite(); HostileReceiver receiver = new HostileReceiver(Behaviour.CLOSE_WHEN_IDLE)) {
            h.seed("acme", "t");
            // why: one attempt only, so a failed request shows as a failed delivery rather than a retry a minute later
            assertThat(h.post("/v1/tenants/acme/endpoints", "{\"url\":\"" + receiver.url("/hook") + "\",\"format\":\"event\","
                    + "\"max_concurrency\":1,\"retry\":{\"max_attempts\":1}}").status()).isEqualTo(201);

            for (int i = 0; i < 3; i++) {
                h.post("/v1/tenants/acme/events", "{\"id\":\"e" + i + "\",\"type\":\"t\",\"data\":{}}");
                int expected = i + 1;
                Eventually.until("delivery " + i + " is finished", Duration.ofSeconds(10),
                        () -> h.get("/v1/tenants/acme/deliveries?status=pending").json().get("data"), JsonNode::isEmpty);
                assertThat(receiver.requests()).isEqualTo(expected);
                // the receiver closes the idle connection while Herald's pool still holds it
                Thread.sleep(HostileReceiver.IDLE_CLOSE.multipliedBy(3).toMillis());
            }

            JsonNode all = h.get("/v1/tenants/acme/deliveries").json().get("data");
            assertThat(all).hasSize(3).allSatisfy(d -> {
                assertThat(d.get("status").stringValue()).isEqualTo("delivered");
                assertThat(d.get("attempt_count").intValue()).as("sent again within the same attempt").isEqualTo(1);
            });
            assertThat(receiver.connections()).as("each request after an idle close went on a new connection").isEqualTo(3);
        }
    }
}
