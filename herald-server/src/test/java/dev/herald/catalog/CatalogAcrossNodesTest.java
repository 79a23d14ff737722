package dev.herald.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Databases;
import dev.herald.testing.SettableClock;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/**
 * Two Herald processes on one PostgreSQL: a catalogue change made on one is used by the other within
 * {@link Catalog#RECHECK} (docs/api.md), a new type at once, and until then the other publishes from its memory.
 */
class CatalogAcrossNodesTest {
    private static final String EVENTS = "/v1/tenants/nodes/events";

    @Test
    void theOtherNodeUsesAChangedSchemaOrADeleteWithinOneRecheck() {
        SettableClock clock = new SettableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
        String url = Databases.freshPostgres();
        try (TestHerald a = TestHerald.builder().databaseUrl(url).clock(clock).start();
             TestHerald b = TestHerald.builder().databaseUrl(url).clock(clock).start()) {
            a.seed("nodes");
            assertThat(a.post("/v1/event-types", "{\"name\":\"nodes.order\",\"schema\":{\"properties\":{\"amount\":"
                    + "{\"type\":\"integer\"}}}}").status()).isEqualTo(201);

            // a type created elsewhere is found at once, schema included
            assertThat(status(b, "{\"amount\":5}")).isEqualTo(202);
            assertThat(status(b, "{\"amount\":\"5\"}")).isEqualTo(422);

            assertThat(a.patch("/v1/event-types/nodes.order", "{\"schema\":{\"properties\":{\"amount\":"
                    + "{\"type\":\"integer\",\"maximum\":10}}}}").status()).isEqualTo(200);
            assertThat(status(a, "{\"amount\":50}")).as("the node that changed it, at once").isEqualTo(422);
            assertThat(status(b, "{\"amount\":50}")).as("the other node, before its next check").isEqualTo(202);

            clock.tick(Catalog.RECHECK);
            var refused = b.post(EVENTS, "{\"type\":\"nodes.order\",\"data\":{\"amount\":50}}");
            assertThat(refused.status()).as("the other node, one recheck later").isEqualTo(422);
            assertThat(refused.json().get("detail").stringValue()).isEqualTo("data/amount: must be at most 10");

            assertThat(a.delete("/v1/event-types/nodes.order").status()).isEqualTo(204);
            assertThat(status(a, "{\"amount\":1}")).isEqualTo(422);
            clock.tick(Duration.ofMillis(Catalog.RECHECK.toMillis() - 1));
            assertThat(status(b, "{\"amount\":1}")).as("still within the recheck interval").isEqualTo(202);
            clock.tick(Duration.ofMillis(1));
            var unknown = b.post(EVENTS, "{\"type\":\"nodes.order\",\"data\":{\"amount\":1}}");
            assertThat(unknown.status()).isEqualTo(422);
            assertThat(unknown.json().get("detail").stringValue()).contains("unknown event type nodes.order");
        }
    }

    private static int status(TestHerald node, String data) {
        return node.post(EVENTS, "{\"type\":\"nodes.order\",\"data\":" + data + "}").status();
    }
}
